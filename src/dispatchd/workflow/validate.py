"""GitHub's semantic rules on top of the schema (the checks its converter adds).

From actions/languageservices ``workflow-parser/src/model/converter/`` (``jobs.ts``, ``job.ts``,
``steps.ts``, ``id-builder.ts``, ``if-condition.ts``, ``container.ts``, ``strategy.ts``,
``workflow-dispatch.ts``, ``job/inputs.ts``) and the runner's C# ``WorkflowTemplateConverter``:

* job and step ids: format, the reserved ``__`` prefix, step ids unique per job
  (case-insensitively);
* ``needs``: unknown jobs, cycles, at least one job without needs (``graph.check_needs``);
* ``if:`` written without ``${{ }}`` is still an expression and must parse with the contexts of
  a job (``github, inputs, vars, needs`` + status functions) or a step;
* step ``uses`` syntax, container/service ``image`` present, matrix vectors non-empty,
  ``runs-on.group`` prefixes, ``workflow_dispatch`` inputs (choice options, default types).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .errors import Collector, Diagnostic
from .exprcheck import ExpressionProblem, check_expression
from .graph import check_needs
from .options import DEFAULT_OPTIONS, ParseOptions
from .permissions import Grant
from .reusable import Resolver, check_call
from .schema import SchemaReader, load_schema
from .yamlnodes import MapNode, Node, ScalarNode, SeqNode, to_python

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
MAX_ID_LENGTH = 100
_GROUP_PREFIXES = ("organization", "org", "enterprise", "ent")
_CONTAINER_KEYS = set(load_schema()["container-mapping"]["mapping"]["properties"])
JOB_IF_CONTEXT = tuple(load_schema()["job-if"]["context"])
STEP_IF_CONTEXT = tuple(load_schema()["step-if"]["context"])


def id_problem(value: str) -> str | None:
    """GitHub's complaint about a job or step id, or None (IdBuilder.tryAddKnownId)."""
    if not _ID.match(value) or len(value) >= MAX_ID_LENGTH:
        return (f"The identifier '{value}' is invalid. IDs may only contain alphanumeric characters, "
                "'_', and '-'. IDs must start with a letter or '_' and and must be less than 100 characters.")
    if value.startswith("__"):
        return f"The identifier '{value}' is invalid. IDs starting with '__' are reserved."
    return None


def uses_problem(uses: str) -> str | None:
    """GitHub's complaint about a step's ``uses`` value, or None (steps.ts / PipelineTemplateConverter)."""
    if uses.startswith(("docker://", "./", ".\\")):
        return None
    parts = uses.split("@")
    if len(parts) == 2 and parts[1]:
        segments = re.split(r"[/\\]", parts[0])
        if len(segments) >= 2 and segments[0] and segments[1]:
            return None
    return f"Expected format {{org}}/{{repo}}[/path]@ref. Actual '{uses}'"


def _expression_hook(errors: Collector) -> Callable[[ScalarNode, str, tuple[str, ...]], bool]:
    def hook(node: ScalarNode, expression: str, allowed: tuple[str, ...]) -> bool:
        if not allowed:
            return True  # the reader reports "A template expression is not allowed in this context"
        try:
            check_expression(expression, allowed)
        except ExpressionProblem as problem:
            errors.at(node, str(problem))
            return False
        return True

    return hook


def validate_document(root: Node, errors: Collector, resolve: Resolver | None = None, depth: int = 0,
                      *, options: ParseOptions = DEFAULT_OPTIONS, granted: Grant | None = None) -> int:
    """Report every problem of a workflow node tree to ``errors`` (nothing is raised).

    ``resolve`` maps a job's ``uses:`` reference to the called workflow's text (None: unknown,
    not checked); ``depth`` is the reusable-workflow nesting level of this document and
    ``granted`` the token permissions its caller gives it (None: the repository policy).
    Returns the number of jobs, counting those of called workflows (for ``options.max_jobs``).
    """
    SchemaReader(errors, _expression_hook(errors), background_steps=options.background_steps).read(root)
    if not isinstance(root, MapNode):
        return 0
    jobs = root.get("jobs")
    job_count = 0
    if isinstance(jobs, MapNode):
        _check_jobs(jobs, errors)
        workflow_grant = Grant.parse(to_python(root.get("permissions")))
        inherited = granted or Grant.policy(options.permissions_policy)
        for key, job in jobs.pairs:
            job_count += 1
            if isinstance(job, MapNode) and job.get("uses") is not None:
                grant = Grant.parse(to_python(job.get("permissions"))) or workflow_grant or inherited
                job_count += check_call(key, job, errors, resolve, depth, options, grant, validate_document)
        if depth == 0 and options.max_jobs is not None and job_count > options.max_jobs:
            errors.diagnostics.append(Diagnostic("", None, None,
                                                 f"The workflow may not contain more than {options.max_jobs} jobs"))
    on = root.get("on")
    if isinstance(on, MapNode):
        dispatch = on.get("workflow_dispatch")
        if isinstance(dispatch, MapNode):
            inputs = dispatch.get("inputs")
            if isinstance(inputs, MapNode):
                _check_dispatch_inputs(inputs, errors)
    return job_count


def _check_condition(node: Node | None, allowed: tuple[str, ...], errors: Collector) -> None:
    # A bare `if:` string is an expression even without ${{ }}; wrapped ones were checked by
    # the schema reader already.
    if isinstance(node, ScalarNode) and isinstance(node.value, str) and "${{" not in node.value:
        text = node.value.strip()
        if text:
            try:
                check_expression(text, allowed)
            except ExpressionProblem as problem:
                errors.at(node, str(problem))


def _check_jobs(jobs: MapNode, errors: Collector) -> None:
    graph: list[tuple[str, list[tuple[str, Node]]]] = []
    seen: set[str] = set()
    for key, job in jobs.pairs:
        if not isinstance(key, ScalarNode) or not isinstance(key.value, str) or "${{" in key.value:
            continue
        job_id = key.value
        if job_id.upper() in seen:
            continue  # the reader already said "'x' is already defined"
        seen.add(job_id.upper())
        if job_id:
            problem = id_problem(job_id)
            if problem:
                errors.at(key, problem)
        if not isinstance(job, MapNode):
            continue
        needs: list[tuple[str, Node]] = []
        needs_node = job.get("needs")
        if isinstance(needs_node, ScalarNode) and isinstance(needs_node.value, str) and needs_node.value:
            needs.append((needs_node.value, needs_node))
        elif isinstance(needs_node, SeqNode):
            needs.extend((str(item.value), item) for item in needs_node.items
                         if isinstance(item, ScalarNode) and item.value not in (None, ""))
        graph.append((job_id, needs))
        _check_condition(job.get("if"), JOB_IF_CONTEXT, errors)
        _check_steps(job.get("steps"), errors)
        _check_containers(job, errors)
        _check_strategy(job.get("strategy"), errors)
        _check_runs_on(job.get("runs-on"), errors)
    for position, message in check_needs(graph):
        errors.at(position if position is not None else jobs, message)


def _check_steps(steps: Node | None, errors: Collector) -> None:
    if not isinstance(steps, SeqNode):
        return
    seen: set[str] = set()
    for step in steps.items:
        if not isinstance(step, MapNode):
            continue
        id_node = step.get("id")
        if isinstance(id_node, ScalarNode) and isinstance(id_node.value, str) and id_node.value:
            step_id = id_node.value
            if "${{" not in step_id:
                problem = id_problem(step_id)
                if problem:
                    errors.at(id_node, problem)
                elif step_id.lower() in seen:
                    errors.at(id_node, f"The identifier '{step_id}' may not be used more than once "
                                       "within the same scope.")
                seen.add(step_id.lower())
        uses = step.get("uses")
        if isinstance(uses, ScalarNode) and isinstance(uses.value, str) and uses.value:
            problem = uses_problem(uses.value)
            if problem:
                errors.at(uses, problem)
        _check_condition(step.get("if"), STEP_IF_CONTEXT, errors)


def _check_containers(job: MapNode, errors: Collector) -> None:
    container = job.get("container")
    candidates: list[Node] = [container] if container is not None else []
    services = job.get("services")
    if isinstance(services, MapNode):
        candidates.extend(value for _, value in services.pairs)
    for node in candidates:
        # Only a mapping that says something known but no image is reported (a mapping whose
        # keys were all rejected already has its error).
        if isinstance(node, MapNode) and any(to_python(k) in _CONTAINER_KEYS for k, _ in node.pairs):
            image = node.get("image")
            if image is None:
                errors.at(node, "Container image cannot be empty")


def _check_strategy(strategy: Node | None, errors: Collector) -> None:
    if not isinstance(strategy, MapNode):
        return
    matrix = strategy.get("matrix")
    if not isinstance(matrix, MapNode):
        return
    for key, value in matrix.pairs:
        name = to_python(key)
        if name in ("include", "exclude"):
            continue
        if isinstance(value, SeqNode) and not value.items:
            errors.at(value, f"Matrix vector '{name}' does not contain any values")


def _check_runs_on(runs_on: Node | None, errors: Collector) -> None:
    if not isinstance(runs_on, MapNode):
        return
    group = runs_on.get("group")
    if not isinstance(group, ScalarNode) or not isinstance(group.value, str) or "${{" in group.value:
        return
    name = group.value
    # GitHub's C# parser: a group name with a slash must start with the level it targets.
    parts = name.split("/")
    if len(parts) == 1:
        return
    if len(parts) > 2 or parts[0] not in _GROUP_PREFIXES:
        errors.at(group, f"Invalid runs-on group name '{name}'. Please use 'organization/' or "
                         "'enterprise/' prefix to target a single runner group.")
    elif not parts[1]:
        errors.at(group, f"Invalid runs-on group name '{name}'.")


def _check_dispatch_inputs(inputs: MapNode, errors: Collector) -> None:
    for _key, definition in inputs.pairs:
        if not isinstance(definition, MapNode):
            continue
        type_node = definition.get("type")
        input_type = type_node.value if isinstance(type_node, ScalarNode) and type_node.value else "string"
        options = definition.get("options")
        default = definition.get("default")
        if input_type == "choice":
            if not isinstance(options, SeqNode) or not options.items:
                errors.at(definition, "Missing 'options' for choice input")
            elif isinstance(default, ScalarNode) and default.value is not None:
                values = [to_python(o) for o in options.items]
                if default.value not in values:
                    errors.at(default, f"Default value '{default.value}' is not a valid option for choice input")
        elif options is not None:
            errors.at(options, "Input type is not 'choice', but 'options' is defined")
        if isinstance(default, ScalarNode) and default.value is not None:
            value = default.value
            if input_type == "boolean" and not isinstance(value, bool) or input_type in ("string", "choice", "environment") and not isinstance(value, str):
                errors.at(default, f"Unexpected value '{value}'")

"""Checks of a job that calls a reusable workflow (``jobs.<id>.uses``) against the called file.

GitHub loads the called workflow while parsing the caller (actions/languageservices
``workflow-parser/src/model/converter/job/inputs.ts``, ``secrets.ts``; docs "Reusing
workflows") and reports, at the caller's ``uses``/``with``/``secrets`` values:

* ``Input foo is required, but not provided while calling.`` (no default either)
* ``Invalid input, foo is not defined in the referenced workflow.``
* ``Unexpected value 'x'`` for a literal whose type does not fit (``boolean``/``number`` inputs)
* ``Secret shh is required, but not provided while calling.`` (unless ``secrets: inherit``)
* ``Invalid secret, foo is not defined in the referenced workflow.``

Errors inside the called file are reported with the called file's own name, as GitHub does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import Collector, Diagnostic
from .options import ParseOptions
from .permissions import Grant, excess
from .yamlnodes import MapNode, Node, ScalarNode, read_yaml, to_python

#: Resolves a ``uses:`` reference (``./.github/workflows/x.yml`` or
#: ``owner/repo/.github/workflows/x.yml@ref``) to the called file's text; None = unknown, not
#: checked; raising ``LookupError`` = known not to exist (``Unable to find reusable workflow``).
Resolver = Callable[[str], str | None]


def _call_definition(called: Node) -> tuple[MapNode | None, MapNode | None, bool]:
    """(inputs, secrets, has workflow_call) of a called workflow's ``on``."""
    if not isinstance(called, MapNode):
        return None, None, False
    on = called.get("on")
    if isinstance(on, ScalarNode):
        return None, None, on.value == "workflow_call"
    if isinstance(on, MapNode):
        call = on.get("workflow_call")
        has = any(isinstance(k, ScalarNode) and k.value == "workflow_call" for k, _ in on.pairs)
        if isinstance(call, MapNode):
            inputs, secrets = call.get("inputs"), call.get("secrets")
            return (inputs if isinstance(inputs, MapNode) else None,
                    secrets if isinstance(secrets, MapNode) else None, has)
        return None, None, has
    return None, None, False


def _fits(input_type: str, value: Node) -> bool:
    if not isinstance(value, ScalarNode) or (isinstance(value.value, str) and "${{" in value.value):
        return True
    literal = value.value
    if input_type == "boolean":
        return isinstance(literal, bool)
    if input_type == "number":
        return isinstance(literal, (int, float)) and not isinstance(literal, bool)
    return True


def check_call(key: Node, job: MapNode, errors: Collector, resolve: Resolver | None, depth: int,
               options: ParseOptions, grant: Grant, validate: Callable[..., int]) -> int:
    """Check one calling job (``key: job``) at reusable-workflow level ``depth``, which grants the
    called workflow ``grant``; ``validate`` validates the called document (which may call
    further). Returns the number of jobs the called file adds."""
    uses = job.get("uses")
    if resolve is None or not isinstance(uses, ScalarNode) or not isinstance(uses.value, str):
        return 0
    reference = uses.value
    if "${{" in reference:
        return 0
    try:
        text = resolve(reference)
    except LookupError:
        errors.at(uses, "Unable to find reusable workflow")
        return 0
    if text is None:
        return 0
    if depth + 1 > options.max_nesting:
        errors.diagnostics.append(Diagnostic("", None, None,
                                             f"Nested reusable workflow depth exceeded {options.max_nesting}."))
        return 0
    called_errors = Collector(reference)
    called = read_yaml(text, called_errors, max_depth=options.max_depth)
    jobs = 0
    if called is not None and not called_errors:
        jobs = validate(called, called_errors, resolve, depth + 1, options=options, granted=grant)
    for diagnostic in called_errors.diagnostics:
        if diagnostic not in errors.diagnostics:
            errors.diagnostics.append(diagnostic)
    if called is None or called_errors:
        return jobs
    inputs, secrets, _ = _call_definition(called)
    _check_inputs(job, uses, inputs, errors)
    _check_secrets(job, uses, secrets, errors)
    _check_permissions(key, reference, called, grant, errors)
    return jobs


def _check_permissions(key: Node, reference: str, called: Node, grant: Grant, errors: Collector) -> None:
    if not isinstance(called, MapNode):
        return
    prefix = f"Error calling workflow '{reference}'."
    requested = Grant.parse(to_python(called.get("permissions")))
    over = excess(requested, grant) if requested else None
    if over:
        errors.at(key, f"{prefix} The workflow '{reference}' is requesting '{over[0]}', but is only allowed '{over[1]}'.")
    jobs = called.get("jobs")
    for job_key, job in jobs.pairs if isinstance(jobs, MapNode) else []:
        if not isinstance(job, MapNode):
            continue
        requested = Grant.parse(to_python(job.get("permissions")))
        over = excess(requested, grant) if requested else None
        if over:
            name = to_python(job.get("name"))
            shown = name if isinstance(name, str) and "${{" not in name else to_python(job_key)
            errors.at(key, f"{prefix} The nested job '{shown}' is requesting '{over[0]}', "
                           f"but is only allowed '{over[1]}'.")


def _by_name(declared: MapNode | None) -> dict[str, tuple[str, Any]]:
    """Declared inputs or secrets by lower-cased name (GitHub matches them case-insensitively)."""
    out: dict[str, tuple[str, Any]] = {}
    for key, definition in declared.pairs if declared is not None else []:
        if isinstance(key, ScalarNode):
            out[str(key.value).lower()] = (str(key.value), definition)
    return out


def _check_inputs(job: MapNode, uses: ScalarNode, declared: MapNode | None, errors: Collector) -> None:
    given = job.get("with")
    given_pairs = given.pairs if isinstance(given, MapNode) else []
    declared_by_name = _by_name(declared)
    provided = set()
    for key, value in given_pairs:
        name = str(key.value) if isinstance(key, ScalarNode) else ""
        provided.add(name.lower())
        if name.lower() not in declared_by_name:
            errors.at(value, f"Invalid input, {name} is not defined in the referenced workflow.")
            continue
        _, definition = declared_by_name[name.lower()]
        type_node = definition.get("type") if isinstance(definition, MapNode) else None
        input_type = type_node.value if isinstance(type_node, ScalarNode) else "string"
        if not _fits(str(input_type), value):
            shown = value.value if isinstance(value, ScalarNode) else ""
            errors.at(value, f"Unexpected value '{shown}'")
    for lowered, (name, definition) in declared_by_name.items():
        if lowered in provided or not isinstance(definition, MapNode):
            continue
        required = definition.get("required")
        if isinstance(required, ScalarNode) and required.value is True and definition.get("default") is None:
            errors.at(uses, f"Input {name} is required, but not provided while calling.")


def _check_secrets(job: MapNode, uses: ScalarNode, declared: MapNode | None, errors: Collector) -> None:
    given = job.get("secrets")
    if isinstance(given, ScalarNode) and given.value is not None:
        return  # `inherit` passes everything; any other scalar was already rejected by the schema
    given_pairs = given.pairs if isinstance(given, MapNode) else []
    declared_by_name = _by_name(declared)
    provided = set()
    for key, value in given_pairs:
        name = str(key.value) if isinstance(key, ScalarNode) else ""
        provided.add(name.lower())
        if name.lower() not in declared_by_name:
            errors.at(value, f"Invalid secret, {name} is not defined in the referenced workflow.")
    for lowered, (name, definition) in declared_by_name.items():
        if lowered in provided or not isinstance(definition, MapNode):
            continue
        required = definition.get("required")
        if isinstance(required, ScalarNode) and required.value is True:
            errors.at(uses, f"Secret {name} is required, but not provided while calling.")

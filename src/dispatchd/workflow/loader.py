"""``load_workflow``: text -> validated ``Workflow``, or ``WorkflowError`` with GitHub's messages.

The steps follow GitHub's parser (actions/languageservices ``workflow-parser``): read YAML 1.2
(``yamlnodes``), check the structure against GitHub's template schema (``schema``), apply the
semantic rules the converter adds (``validate``: ids, ``needs``, matrix shape, inputs), then build
the plain-data model (``model``).
"""

from __future__ import annotations

from typing import Any

from .errors import Collector, WorkflowError
from .model import Job, Workflow
from .options import DEFAULT_OPTIONS, ParseOptions
from .reusable import Resolver
from .triggers import normalize_on
from .validate import validate_document
from .yamlnodes import MapNode, Node, ScalarNode, SeqNode, read_yaml, to_python

#: GitHub: workflow files are limited to 1 MiB of characters (ParseOptions.MaxFileSize).
MAX_FILE_SIZE = DEFAULT_OPTIONS.max_file_size


def parse_document(path: str, text: str, *, resolve: Resolver | None = None,
                   options: ParseOptions = DEFAULT_OPTIONS) -> tuple[Node | None, Collector]:
    """Read and validate ``text``; return the node tree and the collected errors (not raised)."""
    errors = Collector(path)
    if len(text) > options.max_file_size:
        errors.add(None, None, f"The maximum file size of {options.max_file_size} characters has been exceeded")
        return None, errors
    root = read_yaml(text, errors, max_depth=options.max_depth)
    if errors:
        return root, errors
    if root is None or (isinstance(root, ScalarNode) and root.value is None):
        errors.add(None, None, "Required property is missing: jobs")
        return None, errors
    validate_document(root, errors, resolve, options=options)
    return root, errors


def load_workflow(path: str, text: str, *, resolve: Resolver | None = None,
                  options: ParseOptions = DEFAULT_OPTIONS) -> Workflow:
    """Load one workflow file.

    ``path`` is the repository-relative name (``.github/workflows/ship.yml``), used in messages;
    ``text`` the file's content. Returns a ``Workflow`` whose values are plain Python and
    unevaluated. Raises ``WorkflowError`` listing every problem GitHub would report (at most 10),
    each as ``<path> (Line: L, Col: C): <message>``.

    ``resolve(uses)`` returns the text of a workflow a job calls (``./.github/workflows/x.yml``)
    or None; given, calls are checked against the called file's ``workflow_call`` inputs and
    secrets. ``options`` overrides GitHub's limits (``ParseOptions``).
    """
    root, errors = parse_document(path, text, resolve=resolve, options=options)
    errors.raise_if_any()
    assert isinstance(root, MapNode)
    return build_workflow(path, root)


def _job_from(job_id: str, key: Node, value: Node, data: dict[str, Any]) -> Job:
    needs = data.get("needs")
    if isinstance(needs, str):
        needs_list = [needs]
    elif isinstance(needs, list):
        needs_list = [str(n) for n in needs]
    else:
        needs_list = []
    steps = data.get("steps")
    return Job(
        id=job_id,
        name=data.get("name"),
        needs=needs_list,
        if_=data.get("if"),
        runs_on=data.get("runs-on"),
        env=data.get("env"),
        defaults=data.get("defaults"),
        steps=[s for s in steps if isinstance(s, dict)] if isinstance(steps, list) else [],
        outputs=data.get("outputs"),
        strategy=data.get("strategy"),
        continue_on_error=data.get("continue-on-error", False),
        timeout_minutes=data.get("timeout-minutes"),
        cancel_timeout_minutes=data.get("cancel-timeout-minutes"),
        concurrency=data.get("concurrency"),
        permissions=data.get("permissions"),
        environment=data.get("environment"),
        container=data.get("container"),
        services=data.get("services"),
        uses=data.get("uses"),
        with_=data.get("with"),
        secrets=data.get("secrets"),
        snapshot=data.get("snapshot"),
        line=key.line,
        column=key.column,
        step_lines=_step_lines(value),
        raw=data,
    )


def _step_lines(job: Node) -> list[int]:
    steps = job.get("steps") if isinstance(job, MapNode) else None
    return [item.line for item in steps.items if isinstance(item, MapNode)] if isinstance(steps, SeqNode) else []


def build_workflow(path: str, root: MapNode) -> Workflow:
    """Build the model from a validated node tree (no checks here)."""
    raw = to_python(root)
    if not isinstance(raw, dict):
        raise WorkflowError([])
    line_of: dict[str, int] = {}
    for key, _ in root.pairs:
        if isinstance(key, ScalarNode) and isinstance(key.value, str):
            line_of.setdefault(key.value, key.line)
    jobs: dict[str, Job] = {}
    jobs_node = root.get("jobs")
    if isinstance(jobs_node, MapNode):
        for key, value in jobs_node.pairs:
            job_id = str(to_python(key))
            if job_id in jobs:
                continue
            data = to_python(value)
            jobs[job_id] = _job_from(job_id, key, value, data if isinstance(data, dict) else {})
    return Workflow(
        path=path,
        name=raw.get("name"),
        run_name=raw.get("run-name"),
        description=raw.get("description"),
        on=normalize_on(raw.get("on")),
        env=raw.get("env"),
        defaults=raw.get("defaults"),
        concurrency=raw.get("concurrency"),
        permissions=raw.get("permissions"),
        jobs=jobs,
        line_of=line_of,
        raw=raw,
    )

"""Reusable workflows: a job with ``uses: ./.github/workflows/x.yml`` runs that workflow's jobs.

GitHub runs a called workflow's jobs inside the caller's run, named ``<caller> / <job>``; the
called workflow sees the caller's ``github`` context, its own ``inputs`` (the caller's ``with:``,
typed and defaulted by ``on.workflow_call.inputs``) and the ``secrets`` passed (or all of them
with ``secrets: inherit``). The caller job's result is its called jobs' result, and its outputs
are ``on.workflow_call.outputs.<name>.value`` evaluated over the called jobs (``jobs`` context).

Rows: the caller job row keeps ``call = {"path", "text", "inputs", "secrets"}`` and stays
``in_progress`` while its called jobs (``job_key`` ``<caller>/<job>``, ``call = {"parent": id}``)
run; :func:`finish_calls` completes it when they are all done.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Connection

from .. import expressions as expr
from ..store.schema import jobs
from ..workflow import Workflow, WorkflowError
from ..workflow.inputs import InputError, resolve_call_inputs
from .results import combine
from .workflows import load_cached

#: GitHub: reusable workflows may nest at most this deep (the top-level caller included).
MAX_CALL_DEPTH = 10


def local_path(uses: str) -> str | None:
    """``./.github/workflows/x.yml`` → ``.github/workflows/x.yml``; None for ``owner/repo/…@ref``."""
    if uses.startswith("./"):
        return uses[2:].split("@", 1)[0]
    return None


def start_call(conn: Connection, run: Any, caller_key: str, caller_name: str, job: Any, row_id: int,
               contexts: dict[str, Any], secrets: dict[str, str], depth: int,
               read_file: Any, seal: Any, grant: Any = None) -> str | None:
    """Start the called workflow of ``job`` (already past its ``if``): load it, check its
    inputs, create its job rows. ``grant``: the calling job's token permissions (a ``Grant``),
    which the called jobs inherit. Returns None, or the error that fails the caller job."""
    path = local_path(job.uses or "")
    if path is None:
        return (f"jobs.{job.id}: the reusable workflow '{job.uses}' is in another repository; "
                "this dispatchd server runs only reusable workflows of the same repository (./…)")
    if depth >= MAX_CALL_DEPTH:
        return f"jobs.{job.id}: reusable workflows nest deeper than {MAX_CALL_DEPTH} levels"
    text = read_file(run.repository_id, run.head_sha, path) if read_file else None
    if text is None:
        return f"jobs.{job.id}: the reusable workflow '{job.uses}' was not found at {run.head_sha[:7]}"
    called = load_cached(path, text)
    if isinstance(called, WorkflowError):
        return f"jobs.{job.id}: invalid reusable workflow: {called}"
    assert isinstance(called, Workflow)
    if "workflow_call" not in called.on:
        return f"jobs.{job.id}: '{path}' is not a reusable workflow: it has no 'on: workflow_call' trigger"
    try:
        given = expr.evaluate_template(job.with_ or {}, contexts)
        given = dict(given) if isinstance(given, dict) else {}
        # Defaults may be expressions too (``default: ${{ github.ref_name }}``): evaluate them
        # with what the called workflow may read, then type them like passed values.
        declared = (called.on.get("workflow_call") or {}).get("inputs") or {}
        for name, spec in declared.items():
            default = spec.get("default") if isinstance(spec, dict) else None
            if name not in given and isinstance(default, str) and "${{" in default:
                given[name] = expr.evaluate_template(default, {"github": contexts["github"],
                                                               "vars": contexts.get("vars", {})})
        inputs = resolve_call_inputs(called, given)
        if job.secrets == "inherit":
            passed = dict(secrets)
        else:
            evaluated = expr.evaluate_template(job.secrets or {}, {**contexts, "secrets": secrets})
            passed = {str(k): "" if v is None else str(v) for k, v in (evaluated or {}).items()}
    except (expr.ExpressionError, InputError) as e:
        return f"jobs.{job.id}: {e}"
    now = time.time()
    conn.execute(update(jobs).where(jobs.c.id == row_id).values(
        state="in_progress", started_at=now, name=caller_name,
        call={"path": path, "text": text, "inputs": inputs, "secrets": seal(passed), "depth": depth + 1,
              "permissions": grant.to_json() if grant is not None else None}))
    for key, inner in called.jobs.items():
        display = inner.name if isinstance(inner.name, str) and "${{" not in inner.name else key
        conn.execute(jobs.insert().values(
            run_id=run.id, run_attempt=run.run_attempt, job_key=f"{caller_key}/{key}",
            name=f"{caller_name} / {display}", state="pending", created_at=now, continue_on_error=False,
            call={"parent": row_id}))
    return None


def finish_calls(conn: Connection, rows: list[Any], results: dict[str, dict[str, Any]],
                 run_contexts: dict[str, Any]) -> bool:
    """Complete every caller whose called jobs are all done; True when one was completed."""
    changed = False
    for row in rows:
        call = row.call or {}
        if row.state != "in_progress" or "text" not in call:
            continue
        prefix = row.job_key + "/"
        inner = {k[len(prefix):]: v for k, v in results.items() if k.startswith(prefix) and "/" not in k[len(prefix):]}
        if not inner or not all(v["done"] for v in inner.values()):
            continue
        called = load_cached(call["path"], call["text"])
        outputs: dict[str, str] = {}
        error = None
        if isinstance(called, Workflow):
            spec = (called.on.get("workflow_call") or {}).get("outputs") or {}
            contexts = {"github": run_contexts["github"], "inputs": call.get("inputs") or {},
                        "vars": run_contexts.get("vars", {}),
                        "jobs": {k: {"result": v["result"], "outputs": v["outputs"]} for k, v in inner.items()}}
            for name, out in spec.items():
                value = out.get("value") if isinstance(out, dict) else None
                try:
                    evaluated = expr.evaluate_template(value, contexts)
                except expr.ExpressionError as e:
                    error = f"on.workflow_call.outputs.{name}: {e}"
                    continue
                outputs[name] = "" if evaluated is None else str(evaluated)
        conclusion = "failure" if error else combine([v["result"] for v in inner.values()])
        conn.execute(update(jobs).where(jobs.c.id == row.id).values(
            state="completed", conclusion=conclusion, outputs=outputs, error=error, completed_at=time.time()))
        changed = True
    return changed

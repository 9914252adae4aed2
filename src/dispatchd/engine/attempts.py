"""Re-running a completed run as a new attempt, and deleting a run.

GitHub (REST "Re-run a workflow", "Re-run failed jobs from a workflow run"): a re-run keeps the
run's ``id`` and ``run_number`` and adds one to ``run_attempt``; the jobs of the earlier attempt
stay readable (``GET .../attempts/{n}/jobs``, ``.../jobs?filter=all``). "Re-run failed jobs"
runs again the jobs that failed or were cancelled and every job that needs them; the other jobs
of the new attempt carry the earlier attempt's results (and logs) over, as on GitHub.

Like the planner, every function takes an open write transaction.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from ..store import tokens as stored_tokens
from ..store.schema import check_runs, job_logs, jobs, run_attempts, workflow_runs
from ..workflow import Workflow
from .planner import PlannerConfig, advance_run
from .workflows import load_cached

#: Conclusions "Re-run failed jobs" runs again.
RERUN_CONCLUSIONS = ("failure", "timed_out", "cancelled")


class AttemptRefused(Exception):
    """The run cannot be re-run or deleted now; ``str()`` is the message for the API's 409/403."""


def _dependents(workflow: Workflow, roots: set[str]) -> set[str]:
    """``roots`` and every job that needs one of them, directly or not."""
    out = set(roots)
    changed = True
    while changed:
        changed = False
        for key, job in workflow.jobs.items():
            if key not in out and any(n in out for n in job.needs):
                out.add(key)
                changed = True
    return out


def rerun(conn: Connection, run_id: int, cfg: PlannerConfig, *, failed_only: bool, actor: str) -> list[int]:
    """Start attempt ``run_attempt + 1`` of a completed run; returns the job ids made queued.

    Raises :class:`AttemptRefused` when the run is not completed, or (``failed_only``) when no
    job failed.
    """
    run = conn.execute(select(workflow_runs).where(workflow_runs.c.id == run_id)).first()
    if run is None:
        raise AttemptRefused("Not Found")
    if run.status != "completed":
        raise AttemptRefused("This workflow is already running")
    old_jobs = list(conn.execute(select(jobs).where(jobs.c.run_id == run_id, jobs.c.run_attempt == run.run_attempt)
                                 .order_by(jobs.c.id)))
    loaded = load_cached(run.workflow["path"], run.workflow["text"])
    workflow = loaded if isinstance(loaded, Workflow) else None
    keys = list(workflow.jobs) if workflow is not None else []
    if failed_only:
        failed = {r.job_key for r in old_jobs if r.conclusion in RERUN_CONCLUSIONS}
        if not failed and not run.error:
            raise AttemptRefused("This workflow run has no failed jobs to re-run")
        again = _dependents(workflow, failed) if workflow is not None else set()
    else:
        again = set(keys)
    now = time.time()
    new_attempt = run.run_attempt + 1
    contexts = dict(run.contexts or {})
    github = dict(contexts.get("github") or {})
    conn.execute(run_attempts.insert().values(
        run_id=run_id, run_attempt=run.run_attempt, status=run.status, conclusion=run.conclusion,
        actor=github.get("triggering_actor") or run.actor, run_started_at=run.run_started_at,
        updated_at=run.updated_at))
    github.update(run_attempt=str(new_attempt), triggering_actor=actor)
    contexts["github"] = github
    for key in keys:
        if key in again:
            job = workflow.jobs[key] if workflow is not None else None
            name = job.name if job is not None and isinstance(job.name, str) and "${{" not in job.name else key
            conn.execute(jobs.insert().values(run_id=run_id, run_attempt=new_attempt, job_key=key, name=name,
                                              state="pending", created_at=now, continue_on_error=False))
            continue
        for old in (r for r in old_jobs if r.job_key == key):
            values = {c: getattr(old, c) for c in old._mapping if c not in ("id", "run_attempt")}
            new_id = conn.execute(jobs.insert().values(**values, run_attempt=new_attempt)).inserted_primary_key[0]
            for (text,) in conn.execute(select(job_logs.c.text).where(job_logs.c.job_id == old.id)
                                        .order_by(job_logs.c.id)):
                conn.execute(job_logs.insert().values(job_id=new_id, text=text))
    conn.execute(update(workflow_runs).where(workflow_runs.c.id == run_id).values(
        run_attempt=new_attempt, status="queued" if workflow is not None else "completed",
        conclusion=None if workflow is not None else "failure", cancel_requested=False, contexts=contexts,
        run_started_at=now, updated_at=now))
    if workflow is None:
        return []
    conn.execute(update(workflow_runs).where(workflow_runs.c.id == run_id).values(status="in_progress"))
    return advance_run(conn, run_id, cfg)


def delete_run(conn: Connection, run_id: int) -> None:
    """Delete a completed run with its jobs (and their check-run updates), logs and earlier attempts.

    Raises :class:`AttemptRefused` while the run is not completed (cancel it first).
    """
    run = conn.execute(select(workflow_runs.c.status).where(workflow_runs.c.id == run_id)).first()
    if run is None:
        raise AttemptRefused("Not Found")
    if run.status != "completed":
        raise AttemptRefused("Cannot delete a workflow run that is not completed")
    job_ids = [r.id for r in conn.execute(select(jobs.c.id).where(jobs.c.run_id == run_id))]
    stored_tokens.revoke_for_jobs(conn, job_ids)
    if job_ids:
        conn.execute(delete(job_logs).where(job_logs.c.job_id.in_(job_ids)))
        conn.execute(delete(check_runs).where(check_runs.c.job_id.in_(job_ids)))
        conn.execute(delete(jobs).where(jobs.c.id.in_(job_ids)))
    conn.execute(delete(run_attempts).where(run_attempts.c.run_id == run_id))
    conn.execute(delete(workflow_runs).where(workflow_runs.c.id == run_id))


def attempt_row(conn: Connection, run_id: int, attempt: int) -> Any:
    """The stored snapshot of an earlier attempt, or None."""
    return conn.execute(select(run_attempts).where(run_attempts.c.run_id == run_id,
                                                   run_attempts.c.run_attempt == attempt)).first()

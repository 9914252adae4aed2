"""``concurrency``: at most one run (or job) of a group in progress, and at most one pending.

GitHub's rule (docs, "Control the concurrency of workflows and jobs"): when a run or job of a
group is queued while another of the same group is in progress, the new one is pending, and a
pending one that was already waiting is cancelled — the newest takes its place. With
``cancel-in-progress: true`` the one in progress is cancelled too. Groups are repository-wide.

Run states used here: ``pending`` (waiting for its group). Job state: ``blocked`` (the API shows
it as ``pending``). The functions run inside the planner's write transaction.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from .. import expressions as expr
from ..store import logs as stored_logs
from ..store.schema import jobs, workflow_runs

ACTIVE_RUN = ("queued", "in_progress")
ACTIVE_JOB = ("queued", "in_progress")


def evaluate(value: Any, contexts: dict[str, Any]) -> tuple[str | None, bool]:
    """``(group, cancel_in_progress)`` from a ``concurrency`` value (a string or a mapping).

    Raises ExpressionError for a bad expression."""
    if value is None:
        return None, False
    evaluated = expr.evaluate_template(value, contexts)
    if isinstance(evaluated, dict):
        group = evaluated.get("group")
        cancel = evaluated.get("cancel-in-progress", False)
    else:
        group, cancel = evaluated, False
    if group is None or str(group) == "":
        return None, False
    return str(group), cancel is True or str(cancel).lower() == "true"


def admit_run(conn: Connection, run: Any, group: str, cancel_in_progress: bool) -> tuple[bool, list[int]]:
    """Place a new run in its group: ``(may start now, runs asked to cancel)``; a run that may not
    start waits as ``pending``."""
    others = list(conn.execute(select(workflow_runs.c.id, workflow_runs.c.status).where(
        workflow_runs.c.repository_id == run.repository_id, workflow_runs.c.concurrency_group == group,
        workflow_runs.c.status != "completed", workflow_runs.c.id != run.id)))
    now = time.time()
    for other in others:
        if other.status == "pending":
            conn.execute(update(workflow_runs).where(workflow_runs.c.id == other.id).values(
                status="completed", conclusion="cancelled", updated_at=now,
                error=f"Canceling since a higher priority waiting request for '{group}' exists"))
    running = [o.id for o in others if o.status in ACTIVE_RUN]
    if cancel_in_progress and running:
        conn.execute(update(workflow_runs).where(workflow_runs.c.id.in_(running)).values(cancel_requested=True))
    return not running, running if cancel_in_progress else []


def next_pending_run(conn: Connection, run: Any) -> int | None:
    """After ``run`` completed: the oldest run still waiting for its group, made ``in_progress``."""
    if not run.concurrency_group:
        return None
    row = conn.execute(select(workflow_runs.c.id).where(
        workflow_runs.c.repository_id == run.repository_id,
        workflow_runs.c.concurrency_group == run.concurrency_group,
        workflow_runs.c.status == "pending").order_by(workflow_runs.c.id).limit(1)).first()
    if row is None:
        return None
    conn.execute(update(workflow_runs).where(workflow_runs.c.id == row.id).values(
        status="in_progress", run_started_at=time.time(), updated_at=time.time()))
    return int(row.id)


def admit_job(conn: Connection, repository_id: int, job_id: int, group: str, cancel_in_progress: bool) -> bool:
    """Place a job that is ready to queue in its group. True: queue it; False: it is ``blocked``."""
    others = list(conn.execute(
        select(jobs.c.id, jobs.c.state).join(workflow_runs, workflow_runs.c.id == jobs.c.run_id).where(
            workflow_runs.c.repository_id == repository_id, jobs.c.concurrency_group == group,
            jobs.c.state.in_(("queued", "in_progress", "blocked")), jobs.c.id != job_id)))
    now = time.time()
    for other in others:
        if other.state == "blocked" or (cancel_in_progress and other.state == "queued"):
            conn.execute(update(jobs).where(jobs.c.id == other.id).values(
                state="completed", conclusion="cancelled", completed_at=now))
            stored_logs.append(conn, other.id, [
                f"##[error]Canceling since a higher priority waiting request for '{group}' exists"])
    running = [o.id for o in others if o.state == "in_progress"]
    if cancel_in_progress and running:
        conn.execute(update(jobs).where(jobs.c.id.in_(running)).values(cancel_requested=True))
    return not running and not (not cancel_in_progress and any(o.state == "queued" for o in others))


def release_job(conn: Connection, finished: Any) -> int | None:
    """After a job of a group completed: the oldest ``blocked`` job of that group, queued."""
    if not finished.concurrency_group:
        return None
    run = conn.execute(select(workflow_runs.c.repository_id).where(workflow_runs.c.id == finished.run_id)).first()
    if run is None:
        return None
    row = conn.execute(
        select(jobs.c.id).join(workflow_runs, workflow_runs.c.id == jobs.c.run_id).where(
            workflow_runs.c.repository_id == run.repository_id,
            jobs.c.concurrency_group == finished.concurrency_group, jobs.c.state == "blocked")
        .order_by(jobs.c.id).limit(1)).first()
    if row is None:
        return None
    conn.execute(update(jobs).where(jobs.c.id == row.id).values(state="queued"))
    return int(row.id)

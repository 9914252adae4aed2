"""Read queries the API and CLI share: runs, jobs, events, with GitHub's filters and paging."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from .schema import events, jobs, workflow_runs

#: The run ``status`` filter accepts statuses and conclusions alike (GitHub's union).
RUN_STATUSES = {"queued", "in_progress", "completed", "waiting", "requested", "pending"}


def list_runs(conn: Connection, repository_id: int, *, event: str | None = None, status: str | None = None,
              branch: str | None = None, created_after: float | None = None, created_before: float | None = None,
              workflow_id: int | None = None, per_page: int = 30, page: int = 1) -> tuple[int, list[Any]]:
    """``(total_count, rows)`` newest first."""
    cond = [workflow_runs.c.repository_id == repository_id]
    if event:
        cond.append(workflow_runs.c.event == event)
    if status:
        cond.append(workflow_runs.c.status == status if status in RUN_STATUSES else workflow_runs.c.conclusion == status)
    if branch:
        cond.append(workflow_runs.c.head_branch == branch)
    if created_after is not None:
        cond.append(workflow_runs.c.created_at >= created_after)
    if created_before is not None:
        cond.append(workflow_runs.c.created_at <= created_before)
    if workflow_id is not None:
        cond.append(workflow_runs.c.workflow_id == workflow_id)
    total = conn.execute(select(func.count()).select_from(workflow_runs).where(*cond)).scalar_one()
    rows = conn.execute(select(workflow_runs).where(*cond).order_by(workflow_runs.c.id.desc())
                        .limit(per_page).offset((page - 1) * per_page)).fetchall()
    return total, list(rows)


def get_run(conn: Connection, run_id: int) -> Any:
    return conn.execute(select(workflow_runs).where(workflow_runs.c.id == run_id)).first()


def run_jobs(conn: Connection, run_id: int, attempt: int | None = None) -> list[Any]:
    cond = [jobs.c.run_id == run_id]
    if attempt is not None:
        cond.append(jobs.c.run_attempt == attempt)
    return list(conn.execute(select(jobs).where(*cond).order_by(jobs.c.id)))


def get_job(conn: Connection, job_id: int) -> Any:
    return conn.execute(select(jobs).where(jobs.c.id == job_id)).first()


def runs_of_event(conn: Connection, event_id: int) -> list[Any]:
    """The runs an event started, oldest first: ``id``, ``path``, ``name``, ``run_number`` and
    ``status`` only (a receipt's needs; the whole row decodes the run's contexts and workflow,
    which a dispatch answered with its receipt would pay while its job starts)."""
    c = workflow_runs.c
    return list(conn.execute(select(c.id, c.path, c.name, c.run_number, c.status)
                             .where(c.event_id == event_id).order_by(c.id)))


def list_events(conn: Connection, repository_id: int, limit: int = 30) -> list[Any]:
    return list(conn.execute(select(events).where(events.c.repository_id == repository_id)
                             .order_by(events.c.id.desc()).limit(limit)))

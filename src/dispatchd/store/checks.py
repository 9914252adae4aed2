"""Check runs: a job is GitHub's check run for its run's head commit (same id, same name). What
"Update a check run" changes is kept in ``check_runs`` beside the job; the API shows the newer of
the two (``api.checks.effective``).

Rows read here are the job's columns, then its run's (``run_head_sha``, ``run_head_branch``,
``run_attempt_latest``, ``workflow_name``), then the update's, prefixed ``cr_`` (None when the
check run was never updated).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.engine import Connection

from .schema import check_runs, jobs, workflow_runs

#: The columns "Update a check run" may change.
FIELDS = ("name", "status", "conclusion", "started_at", "completed_at", "details_url", "external_id", "output")


def _joined() -> Select[Any]:
    return (select(jobs, workflow_runs.c.head_sha.label("run_head_sha"),
                   workflow_runs.c.head_branch.label("run_head_branch"),
                   workflow_runs.c.run_attempt.label("run_attempt_latest"),
                   workflow_runs.c.name.label("workflow_name"),
                   *[check_runs.c[f].label(f"cr_{f}") for f in (*FIELDS, "updated_at")])
            .select_from(jobs.join(workflow_runs, workflow_runs.c.id == jobs.c.run_id)
                         .outerjoin(check_runs, check_runs.c.job_id == jobs.c.id)))


def for_commit(conn: Connection, repository_id: int, sha: str, *, latest: bool = True) -> list[Any]:
    """The check runs of commit ``sha``, oldest first; ``latest``: only the current attempt's jobs
    of each run (GitHub's ``filter=latest``)."""
    cond = [workflow_runs.c.repository_id == repository_id, workflow_runs.c.head_sha == sha]
    if latest:
        cond.append(jobs.c.run_attempt == workflow_runs.c.run_attempt)
    return list(conn.execute(_joined().where(*cond).order_by(jobs.c.id)))


def get(conn: Connection, repository_id: int, check_run_id: int) -> Any:
    """The check run ``check_run_id`` (a job id) of the repository, or None."""
    return conn.execute(_joined().where(jobs.c.id == check_run_id,
                                        workflow_runs.c.repository_id == repository_id)).first()


def update(conn: Connection, row: Any, values: dict[str, Any]) -> Any:
    """Record the check run's new ``values`` (every one of :data:`FIELDS`); returns the new row."""
    values = {**{f: values[f] for f in FIELDS}, "updated_at": time.time()}
    exists = conn.execute(select(check_runs.c.job_id).where(check_runs.c.job_id == row.id)).first()
    if exists:
        conn.execute(check_runs.update().where(check_runs.c.job_id == row.id).values(**values))
    else:
        conn.execute(check_runs.insert().values(job_id=row.id, **values))
    return conn.execute(_joined().where(jobs.c.id == row.id)).one()

"""The job queue in the database: claims with a lease, heartbeats, and recovery of lost jobs.

A runner claims a queued job whose ``runs-on`` labels it has. The claim is a conditional update
(``state = 'queued'`` → ``in_progress``) so that two claimers racing for one job cannot both win,
on SQLite and PostgreSQL alike; on PostgreSQL the candidate read takes ``FOR UPDATE SKIP
LOCKED``. The claim carries a lease: a runner that stops heartbeating loses the job, which is
then failed with GitHub's "lost communication" message and its run goes on.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Connection

from ..runner.protocol import JobAssignment
from ..store import logs as stored_logs
from ..store import tokens as stored_tokens
from ..store.schema import jobs, workflow_runs
from . import concurrency
from .config import PlannerConfig, open_assignment_secrets
from .labels import labels_match
from .planner import advance_run, issue_job_token

#: Seconds a claim stays valid without a heartbeat.
DEFAULT_LEASE_SECONDS = 30.0


def claim(conn: Connection, runner_name: str, labels: tuple[str, ...], lease_seconds: float,
          limit: int = 1, cfg: PlannerConfig | None = None) -> list[JobAssignment]:
    """Claim up to ``limit`` queued jobs this runner can take, oldest first. The assignments
    come with their secrets opened and a fresh job token (neither is stored in the clear)."""
    query = (select(jobs.c.id, jobs.c.labels).where(jobs.c.state == "queued").order_by(jobs.c.id).limit(50))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    out: list[JobAssignment] = []
    now = time.time()
    for row in conn.execute(query).fetchall():
        if not labels_match(list(row.labels or []), labels):
            continue
        assignment = _take(conn, row.id, runner_name, lease_seconds, now, cfg)
        if assignment is None:
            continue
        out.append(assignment)
        if len(out) >= limit:
            break
    return out


def claim_jobs(conn: Connection, job_ids: list[int], runner_names: list[str], labels: tuple[str, ...],
               lease_seconds: float, cfg: PlannerConfig | None = None) -> list[tuple[str, JobAssignment]]:
    """Claim the queued jobs among ``job_ids`` that a runner with ``labels`` can take, in id
    order, one per name of ``runner_names`` (so at most that many); returns ``(runner name,
    assignment)`` pairs, made as :func:`claim` makes them.

    For jobs queued by the same transaction, which no other runner can see yet: an embedded
    runner that is idle takes them in the transaction that created them, so that starting the
    job costs no transaction (and commit) of its own after the dispatch's."""
    if not job_ids or not runner_names:
        return []
    rows = conn.execute(select(jobs.c.id, jobs.c.labels).where(jobs.c.id.in_(job_ids), jobs.c.state == "queued")
                        .order_by(jobs.c.id)).fetchall()
    out: list[tuple[str, JobAssignment]] = []
    now = time.time()
    names = iter(runner_names)
    for row in rows:
        if not labels_match(list(row.labels or []), labels):
            continue
        name = next(names, None)
        if name is None:
            break
        assignment = _take(conn, row.id, name, lease_seconds, now, cfg)
        if assignment is not None:
            out.append((name, assignment))
    return out


def _take(conn: Connection, job_id: int, runner_name: str, lease_seconds: float, now: float,
          cfg: PlannerConfig | None) -> JobAssignment | None:
    """Move one queued job to ``in_progress`` for ``runner_name`` (None if another claimer won
    it) and build its assignment: secrets opened, a fresh job token."""
    won = conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.state == "queued").values(
        state="in_progress", runner_name=runner_name, started_at=now,
        lease_expires_at=now + lease_seconds)).rowcount
    if not won:
        return None
    stored = conn.execute(select(jobs.c.assignment, workflow_runs.c.repository_id)
                          .join(workflow_runs, workflow_runs.c.id == jobs.c.run_id)
                          .where(jobs.c.id == job_id)).one()
    assignment = JobAssignment.from_json(stored.assignment)
    open_assignment_secrets(assignment, cfg or PlannerConfig(workspace_root=""))
    issue_job_token(conn, assignment, stored.repository_id)
    return assignment


def release(conn: Connection, job_ids: list[int]) -> None:
    """Give claimed jobs that never started back to the queue (a stopping server's hand-offs):
    their tokens are revoked, and the next runner claims them afresh."""
    if not job_ids:
        return
    conn.execute(update(jobs).where(jobs.c.id.in_(job_ids), jobs.c.state == "in_progress").values(
        state="queued", runner_name=None, started_at=None, lease_expires_at=None))
    stored_tokens.revoke_for_jobs(conn, job_ids)


def heartbeat(conn: Connection, job_ids: list[int], lease_seconds: float) -> set[int]:
    """Extend the leases of ``job_ids``; returns the ids asked to cancel (their run, or the job
    itself: fail-fast, a concurrency group's cancel-in-progress)."""
    if not job_ids:
        return set()
    conn.execute(update(jobs).where(jobs.c.id.in_(job_ids), jobs.c.state == "in_progress").values(
        lease_expires_at=time.time() + lease_seconds))
    rows = conn.execute(select(jobs.c.id).join(workflow_runs, workflow_runs.c.id == jobs.c.run_id).where(
        jobs.c.id.in_(job_ids), or_(workflow_runs.c.cancel_requested.is_(True), jobs.c.cancel_requested.is_(True))))
    return {r.id for r in rows}


def recover_expired(conn: Connection, cfg: PlannerConfig, now: float | None = None) -> list[int]:
    """Fail every ``in_progress`` job whose lease ran out, and advance its run.

    Returns the jobs this made queued. GitHub's wording for a runner that vanished:
    "The runner has lost communication with the server."
    """
    now = time.time() if now is None else now
    lost = list(conn.execute(select(jobs.c.id, jobs.c.run_id, jobs.c.runner_name, jobs.c.concurrency_group).where(
        jobs.c.state == "in_progress", jobs.c.lease_expires_at < now)))
    queued: list[int] = []
    for row in lost:
        conn.execute(update(jobs).where(jobs.c.id == row.id).values(
            state="completed", conclusion="failure", completed_at=now, lease_expires_at=None,
            error="The runner has lost communication with the server."))
        stored_logs.append(conn, row.id, [
            f"##[error]The runner '{row.runner_name}' has lost communication with the server. "
            "Anything in your workflow that terminates the runner process, starves it for CPU/Memory, "
            "or blocks its network access can cause this error."])
    stored_tokens.revoke_for_jobs(conn, [r.id for r in lost])
    for row in lost:
        released = concurrency.release_job(conn, row)
        if released is not None:
            queued.append(released)
    for run_id in {r.run_id for r in lost}:
        queued.extend(advance_run(conn, run_id, cfg))
    return queued


def record_steps(conn: Connection, job_id: int, entries: list[dict[str, Any]]) -> None:
    """Insert or replace entries of the job's ``steps`` list (keyed by ``number``; of several
    entries with one number, the last given wins), kept in step order.

    One read and one write for all of ``entries``: the list is stored as one JSON value, so a
    write per entry would rewrite it whole once per step event."""
    if not entries:
        return
    current = conn.execute(select(jobs.c.steps).where(jobs.c.id == job_id)).scalar_one_or_none() or []
    merged = {s.get("number"): s for s in current}
    for step in entries:
        merged[step["number"]] = step
    steps = sorted(merged.values(), key=lambda s: s["number"])
    conn.execute(update(jobs).where(jobs.c.id == job_id).values(steps=steps))

"""Jobs waiting for a dispatch without holding a runner (``dispatchd/wait-for-dispatch@v1``).

A runner that reaches the wait step returns the job *suspended* (``JobResult.suspended``): its
state and the wait's spec. The job becomes ``waiting``; no process and no runner slot are held;
only a row in ``waits`` remains, so waits survive restarts. A dispatch whose ``event_type``
matches and whose ``match`` expression holds (evaluated with ``github.event`` bound to that
dispatch and the job's other contexts as they stood when the wait began) resumes the job: it is
queued again with the wait step's outputs (``event`` and ``client_payload``, JSON text), and a
runner continues it after the wait step. A wait past its ``timeout-minutes`` resumes the job
with the wait step failed.

Matching is indexed for the common form ``github.event.<path> == <value known at wait time>``
(``match_path``/``match_key``), so 10,000 open waits cost one index lookup per dispatch.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Connection

from .. import expressions as expr
from ..expressions.ast import Binary, ContextAccess, IndexAccess, Literal, Node
from ..expressions.lexer import TokenType
from ..store import logs as stored_logs
from ..store import tokens as stored_tokens
from ..store.schema import events, jobs, waits, workflow_runs

log = logging.getLogger(__name__)

#: GitHub's longest job is 35 days; a wait may not outlive that either.
MAX_WAIT_MINUTES = 35 * 24 * 60


def _event_path(node: Node) -> list[str] | None:
    """``github.event.a.b`` → ``["a", "b"]``; None for anything else."""
    names: list[str] = []
    while isinstance(node, IndexAccess) and isinstance(node.index, Literal) and isinstance(node.index.value, str):
        names.append(node.index.value.lower())
        node = node.expr
    if isinstance(node, ContextAccess) and node.name.lower() == "github" and names and names[-1] == "event":
        names.pop()
        return list(reversed(names)) or None
    return None


def _mentions_github(node: Any) -> bool:
    """Whether the subtree reads the ``github`` context (conservatively: any part of it)."""
    if isinstance(node, ContextAccess):
        return node.name.lower() == "github"
    children = getattr(node, "__dict__", {}).values()
    return any(_mentions_github(c) for v in children for c in (v if isinstance(v, list) else [v])
               if isinstance(c, Node))


def index_key(match: str, contexts: dict[str, Any]) -> tuple[str | None, str | None]:
    """``(path, key)`` for a match of the form ``github.event.<path> == <string known now>``
    (either side), else ``(None, None)``: every dispatch of the type then evaluates it."""
    try:
        node = expr.parse(match, contexts)
    except expr.ExpressionError:
        return None, None
    if not (isinstance(node, Binary) and node.operator.type == TokenType.EQUAL_EQUAL):
        return None, None
    offset = node.operator.offset
    for side, other, other_text in ((node.left, node.right, match[offset + 2:]),
                                    (node.right, node.left, match[:offset])):
        path = _event_path(side)
        if path is None or _mentions_github(other):
            continue
        try:
            value = expr.evaluate(other_text, contexts)
        except expr.ExpressionError:
            return None, None
        if isinstance(value, str):
            return ".".join(path), value.lower()
    return None, None


def _value_at(payload: dict[str, Any], path: str) -> Any:
    value: Any = payload
    for name in path.split("."):
        if not isinstance(value, dict):
            return None
        found = next((k for k in value if k.lower() == name), None)
        value = value.get(found) if found is not None else None
    return value


def suspend(conn: Connection, job: Any, suspended: dict[str, Any]) -> list[int]:
    """Record the runner's suspension of ``job``; returns job ids to queue (when a dispatch
    that matches arrived before the job reached its wait step, it resumes at once)."""
    wait = suspended.get("wait") or {}
    contexts = dict(wait.get("contexts") or {})
    match = str(wait.get("match") or "").strip()
    event_type = wait.get("event_type") or None
    try:
        minutes = float(wait.get("timeout_minutes") or MAX_WAIT_MINUTES)
    except (TypeError, ValueError):
        minutes = MAX_WAIT_MINUTES
    now = time.time()
    path, key = index_key(match, contexts) if match else (None, None)
    run = conn.execute(select(workflow_runs.c.repository_id).where(workflow_runs.c.id == job.run_id)).first()
    wait_id = conn.execute(waits.insert().values(
        job_id=job.id, run_id=job.run_id, repository_id=run.repository_id, event_type=event_type, match=match,
        match_path=path, match_key=key, contexts=contexts, step_number=int(suspended.get("step_number") or 0),
        status="waiting", deadline=now + min(minutes, MAX_WAIT_MINUTES) * 60, since=job.started_at or now,
        created_at=now)).inserted_primary_key[0]
    assignment = dict(job.assignment or {})
    assignment["resume"] = {"next_step": suspended.get("step_number"), "state": suspended.get("state")}
    conn.execute(update(jobs).where(jobs.c.id == job.id).values(
        state="waiting", assignment=assignment, lease_expires_at=None, runner_name=None))
    stored_tokens.revoke_for_jobs(conn, [job.id])
    stored_logs.append(conn, job.id, [
        f"Waiting for a repository_dispatch{f' of type {event_type}' if event_type else ''}"
        f"{f' where {match}' if match else ''} (no runner is held; timeout {minutes:g} minutes)."])
    # A dispatch may have come before the job got here (a fast callback): look back.
    earlier = conn.execute(select(events).where(
        events.c.repository_id == run.repository_id, events.c.event_name == "repository_dispatch",
        events.c.created_at >= job.started_at if job.started_at else events.c.id >= 0,
        or_(events.c.target_job_id == job.id, and_(events.c.target_job_id.is_(None),
            events.c.event_type == event_type if event_type else events.c.id >= 0)))
        .order_by(events.c.id))
    wait_row = conn.execute(select(waits).where(waits.c.id == wait_id)).first()
    for event in earlier:
        payload = _payload(event)
        if _matches(wait_row, payload):
            return _resume(conn, wait_row, event.id, payload)
    return []


def _payload(event: Any) -> dict[str, Any]:
    if event.payload is not None:
        return dict(event.payload)
    return {"action": event.event_type, "client_payload": event.client_payload or {}}


def _matches(wait: Any, payload: dict[str, Any]) -> bool:
    if not wait.match:
        return True
    contexts = dict(wait.contexts or {})
    contexts["github"] = {**(contexts.get("github") or {}), "event": payload}
    try:
        return expr.truthy(expr.evaluate(wait.match, contexts))
    except expr.ExpressionError as e:
        log.info("wait %s: match failed on event: %s", wait.id, e)
        return False


def _resume(conn: Connection, wait: Any, event_id: int | None, payload: dict[str, Any] | None,
            outcome: str = "success", message: str = "") -> list[int]:
    now = time.time()
    status = "resumed" if outcome == "success" else ("timed_out" if "timed out" in message else "cancelled")
    done = conn.execute(update(waits).where(waits.c.id == wait.id, waits.c.status == "waiting").values(
        status=status, event_id=event_id, resolved_at=now)).rowcount
    if not done:
        return []
    job = conn.execute(select(jobs).where(jobs.c.id == wait.job_id)).first()
    assignment = dict(job.assignment or {})
    resume = dict(assignment.get("resume") or {})
    outputs = {}
    if payload is not None:
        outputs = {"event": json.dumps(payload), "client_payload": json.dumps(payload.get("client_payload") or {})}
    resume["wait_outcome"] = {"outcome": outcome, "outputs": outputs, "message": message}
    assignment["resume"] = resume
    conn.execute(update(jobs).where(jobs.c.id == job.id).values(state="queued", assignment=assignment))
    if outcome == "success":  # a failed wait's message is the wait step's own error, logged there
        stored_logs.append(conn, job.id, [f"Resumed by event {event_id}."])
    return [int(job.id)]


def open_wait_types(conn: Connection, repository_ids: set[int]) -> set[tuple[int, str | None]]:
    """``(repository id, event_type)`` of the open waits (``None``: any type), in one query for a
    whole batch of dispatches — most dispatches resume nothing, and should pay nothing for it."""
    if not repository_ids:
        return set()
    rows = conn.execute(select(waits.c.repository_id, waits.c.event_type).where(
        waits.c.status == "waiting", waits.c.repository_id.in_(repository_ids)).distinct())
    return {(r.repository_id, r.event_type) for r in rows}


def on_dispatch(conn: Connection, repository_id: int, event_id: int, event_type: str,
                payload: dict[str, Any], target_job_id: int | None = None) -> list[int]:
    """Resume every wait this dispatch satisfies; returns the job ids queued again."""
    if target_job_id is not None:  # a capability callback: only its own job's wait, and its match holds
        rows = conn.execute(select(waits).where(waits.c.job_id == target_job_id, waits.c.status == "waiting"))
        return [j for w in rows.fetchall() if _matches(w, payload) for j in _resume(conn, w, event_id, payload)]
    base = and_(waits.c.repository_id == repository_id, waits.c.status == "waiting",
                or_(waits.c.event_type == event_type, waits.c.event_type.is_(None)))
    paths = [r[0] for r in conn.execute(select(waits.c.match_path).where(base).distinct())]
    conditions = []
    for path in paths:
        if path is None:
            conditions.append(waits.c.match_path.is_(None))
            continue
        value = _value_at(payload, path)
        if isinstance(value, str):
            conditions.append(and_(waits.c.match_path == path, waits.c.match_key == value.lower()))
        else:  # not a string: the index cannot decide, evaluate each
            conditions.append(waits.c.match_path == path)
    if not conditions:
        return []
    queued: list[int] = []
    for wait in conn.execute(select(waits).where(base, or_(*conditions)).order_by(waits.c.id)).fetchall():
        if _matches(wait, payload):
            queued.extend(_resume(conn, wait, event_id, payload))
    return queued


def expire(conn: Connection, now: float | None = None) -> list[int]:
    """Fail the waits past their deadline (the job goes on with the wait step failed)."""
    now = time.time() if now is None else now
    queued: list[int] = []
    for wait in conn.execute(select(waits).where(waits.c.status == "waiting", waits.c.deadline < now)).fetchall():
        minutes = (wait.deadline - wait.created_at) / 60
        queued.extend(_resume(conn, wait, None, None, "failure",
                              f"The wait for a dispatch timed out after {minutes:g} minutes."))
    return queued


def resumed_by(conn: Connection, event_id: int) -> list[int]:
    """The jobs whose wait this event resumed."""
    return [int(r.job_id) for r in conn.execute(select(waits.c.job_id).where(waits.c.event_id == event_id)
                                                .order_by(waits.c.id))]


def refuses(conn: Connection, job_id: int, event_type: str, client_payload: dict[str, Any]) -> bool:
    """Whether the job's open wait would not take this callback (its ``match`` fails). A job that
    has not reached its wait yet refuses nothing: the callback is kept for when it does."""
    payload = {"action": event_type, "client_payload": client_payload}
    rows = conn.execute(select(waits).where(waits.c.job_id == job_id, waits.c.status == "waiting")).fetchall()
    return bool(rows) and not any(_matches(w, payload) for w in rows)


def fail_waits_of_job(conn: Connection, job_id: int, message: str) -> list[int]:
    """Resume the job's open wait with the wait step failed (``message`` says why)."""
    rows = conn.execute(select(waits).where(waits.c.job_id == job_id, waits.c.status == "waiting")).fetchall()
    return [j for w in rows for j in _resume(conn, w, None, None, "failure", message)]


def cancel_for_run(conn: Connection, run_id: int) -> list[int]:
    """A cancelled run: its waiting jobs go back to a runner to run their cleanup steps."""
    queued: list[int] = []
    for wait in conn.execute(select(waits).where(waits.c.run_id == run_id, waits.c.status == "waiting")).fetchall():
        queued.extend(_resume(conn, wait, None, None, "failure", "The run was cancelled while waiting."))
    return queued

"""Repository webhooks and their deliveries.

Every delivery is a row: made ``pending`` with the exact body to send, claimed by a sender with
a short lease (so replicas sharing a database never send one twice at once), and finished as
``delivered`` or, after its retries, ``failed``. A redelivery is a new row with the same
``guid`` (GitHub: "a redelivery keeps the same GUID").
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import Connection

from .schema import webhook_deliveries, webhook_emitted, webhooks

#: Seconds a sender holds a claimed delivery before another may try it.
CLAIM_SECONDS = 60.0


def create_hook(conn: Connection, repository_id: int, url: str, secret: str | None, events: list[str],
                active: bool, content_type: str) -> Any:
    now = time.time()
    hook_id = conn.execute(webhooks.insert().values(
        repository_id=repository_id, url=url, secret=secret, events=events, active=active,
        content_type=content_type, created_at=now, updated_at=now)).inserted_primary_key[0]
    return get_hook(conn, repository_id, hook_id)


def get_hook(conn: Connection, repository_id: int, hook_id: int) -> Any:
    return conn.execute(select(webhooks).where(webhooks.c.id == hook_id,
                                               webhooks.c.repository_id == repository_id)).first()


def hooks_of(conn: Connection, repository_id: int) -> list[Any]:
    return list(conn.execute(select(webhooks).where(webhooks.c.repository_id == repository_id)
                             .order_by(webhooks.c.id)))


def active_hooks(conn: Connection) -> list[Any]:
    return list(conn.execute(select(webhooks).where(webhooks.c.active.is_(True)).order_by(webhooks.c.id)))


def update_hook(conn: Connection, hook_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(webhooks).where(webhooks.c.id == hook_id).values(**values, updated_at=time.time()))


def delete_hook(conn: Connection, hook_id: int) -> None:
    conn.execute(delete(webhook_deliveries).where(webhook_deliveries.c.hook_id == hook_id))
    conn.execute(delete(webhook_emitted).where(webhook_emitted.c.hook_id == hook_id))
    conn.execute(delete(webhooks).where(webhooks.c.id == hook_id))


def enqueue(conn: Connection, hook_id: int, event: str, action: str | None, payload: str,
            *, guid: str | None = None, redelivery: bool = False) -> int:
    """A new pending delivery, due now; returns its id."""
    now = time.time()
    return int(conn.execute(webhook_deliveries.insert().values(
        hook_id=hook_id, guid=guid or str(uuid.uuid4()), event=event, action=action, payload=payload,
        redelivery=redelivery, state="pending", attempts=0, next_attempt_at=now, created_at=now,
    )).inserted_primary_key[0])


def claim_due(conn: Connection, limit: int = 20, now: float | None = None) -> list[Any]:
    """Claim up to ``limit`` pending deliveries that are due; returns them with their hook's
    ``url``, ``secret`` and ``content_type``."""
    now = time.time() if now is None else now
    query = (select(webhook_deliveries.c.id).where(
        webhook_deliveries.c.state == "pending", webhook_deliveries.c.next_attempt_at <= now,
        or_(webhook_deliveries.c.claimed_until.is_(None), webhook_deliveries.c.claimed_until < now))
        .order_by(webhook_deliveries.c.id).limit(limit))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    for (delivery_id,) in conn.execute(query).fetchall():
        won = conn.execute(update(webhook_deliveries).where(
            webhook_deliveries.c.id == delivery_id, webhook_deliveries.c.state == "pending",
            or_(webhook_deliveries.c.claimed_until.is_(None), webhook_deliveries.c.claimed_until < now))
            .values(claimed_until=now + CLAIM_SECONDS)).rowcount
        if won:
            claimed.append(delivery_id)
    if not claimed:
        return []
    return list(conn.execute(
        select(webhook_deliveries, webhooks.c.url, webhooks.c.secret, webhooks.c.content_type,
               webhooks.c.repository_id)
        .join(webhooks, webhooks.c.id == webhook_deliveries.c.hook_id)
        .where(webhook_deliveries.c.id.in_(claimed)).order_by(webhook_deliveries.c.id)))


def record_attempt(conn: Connection, delivery_id: int, *, ok: bool, status_code: int, status: str,
                   duration: float, request_headers: dict[str, str], response_headers: dict[str, str],
                   response_body: str, retry_at: float | None) -> None:
    """Store one attempt's outcome: ``delivered`` when ``ok``; else pending again at ``retry_at``,
    or ``failed`` when ``retry_at`` is None (no retries left)."""
    row = conn.execute(select(webhook_deliveries.c.attempts).where(webhook_deliveries.c.id == delivery_id)).one()
    state = "delivered" if ok else ("pending" if retry_at is not None else "failed")
    conn.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id).values(
        state=state, attempts=row.attempts + 1, next_attempt_at=retry_at, claimed_until=None,
        status_code=status_code, status=status, duration=duration, request_headers=request_headers,
        response_headers=response_headers, response_body=response_body[:10_000], delivered_at=time.time()))


def deliveries_of(conn: Connection, hook_id: int, limit: int = 30, cursor: int | None = None) -> list[Any]:
    cond = [webhook_deliveries.c.hook_id == hook_id]
    if cursor is not None:
        cond.append(webhook_deliveries.c.id < cursor)
    return list(conn.execute(select(webhook_deliveries).where(*cond)
                             .order_by(webhook_deliveries.c.id.desc()).limit(limit)))


def get_delivery(conn: Connection, hook_id: int, delivery_id: int) -> Any:
    return conn.execute(select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id,
                                                         webhook_deliveries.c.hook_id == hook_id)).first()


def emitted(conn: Connection, hook_id: int, kind: str) -> dict[tuple[int, int], str]:
    """``{(object id, run_attempt): last action}`` emitted for ``hook_id`` (not yet ``completed``)."""
    rows = conn.execute(select(webhook_emitted).where(webhook_emitted.c.hook_id == hook_id,
                                                      webhook_emitted.c.kind == kind,
                                                      webhook_emitted.c.last_action != "completed"))
    return {(r.object_id, r.run_attempt): r.last_action for r in rows}


def mark_emitted(conn: Connection, hook_id: int, kind: str, object_id: int, run_attempt: int, action: str,
                 known: bool) -> None:
    key = (webhook_emitted.c.hook_id == hook_id, webhook_emitted.c.kind == kind,
           webhook_emitted.c.object_id == object_id, webhook_emitted.c.run_attempt == run_attempt)
    if known:
        conn.execute(update(webhook_emitted).where(*key).values(last_action=action))
    else:
        conn.execute(webhook_emitted.insert().values(hook_id=hook_id, kind=kind, object_id=object_id,
                                                     run_attempt=run_attempt, last_action=action))

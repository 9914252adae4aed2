"""Stored events: appended durably before the API acknowledges them, processed exactly once."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from .schema import events


@dataclass
class NewEvent:
    """An event as the API received it (before it has an id)."""

    repository_id: int
    event_name: str
    sender: str
    event_type: str | None = None
    client_payload: dict[str, Any] | None = None
    payload: dict[str, Any] | None = None
    ref: str | None = None
    inputs: dict[str, Any] | None = None
    workflow_path: str | None = None
    idempotency_key: str | None = None
    origin_event_id: int | None = None
    target_job_id: int | None = None
    #: Set when the event is decided before it is stored (the usual case): stored processed.
    decisions: list[dict[str, Any]] | None = None
    head_sha: str | None = None


def append(conn: Connection, batch: list[NewEvent]) -> list[tuple[int, bool]]:
    """Insert ``batch`` in one statement; returns ``(event id, created)`` per item, in order.

    An item whose ``idempotency_key`` was already stored for the same repository (in an earlier
    batch or earlier in this one) is not inserted again: its first event's id comes back with
    ``created=False``.
    """
    now = time.time()
    out: list[tuple[int, bool] | None] = [None] * len(batch)
    keyed = {(e.repository_id, e.idempotency_key) for e in batch if e.idempotency_key}
    known: dict[tuple[int, str], int] = {}
    if keyed:
        rows = conn.execute(
            select(events.c.id, events.c.repository_id, events.c.idempotency_key).where(
                events.c.idempotency_key.in_([k for _, k in keyed])
            )
        )
        for row in rows:
            known.setdefault((row.repository_id, row.idempotency_key), row.id)
    to_insert: list[int] = []
    seen_in_batch: dict[tuple[int, str], int] = {}
    for i, e in enumerate(batch):
        key = (e.repository_id, e.idempotency_key) if e.idempotency_key else None
        if key and key in known:
            out[i] = (known[key], False)
        elif key and key in seen_in_batch:
            out[i] = (-1 - seen_in_batch[key], False)  # resolved below
        else:
            if key:
                seen_in_batch[key] = i
            to_insert.append(i)
    if to_insert:
        rows_in = [
            {
                "repository_id": batch[i].repository_id, "event_name": batch[i].event_name,
                "event_type": batch[i].event_type, "client_payload": batch[i].client_payload,
                "payload": batch[i].payload,
                "sender": batch[i].sender, "ref": batch[i].ref, "inputs": batch[i].inputs,
                "workflow_path": batch[i].workflow_path, "idempotency_key": batch[i].idempotency_key,
                "origin_event_id": batch[i].origin_event_id, "target_job_id": batch[i].target_job_id,
                "created_at": now,
                "processed": batch[i].decisions is not None, "decisions": batch[i].decisions,
                "head_sha": batch[i].head_sha,
            }
            for i in to_insert
        ]
        result = conn.execute(events.insert().returning(events.c.id, sort_by_parameter_order=True), rows_in)
        for i, row in zip(to_insert, result, strict=True):
            out[i] = (row.id, True)
    for i, item in enumerate(out):
        if item is not None and item[0] < 0:
            first = out[-1 - item[0]]
            assert first is not None
            out[i] = (first[0], False)
    return [o for o in out if o is not None]


def unprocessed(conn: Connection, limit: int = 200) -> list[Any]:
    return list(conn.execute(select(events).where(events.c.processed.is_(False)).order_by(events.c.id).limit(limit)))


def mark_processed(conn: Connection, event_id: int, decisions: list[dict[str, Any]], head_sha: str | None) -> None:
    conn.execute(update(events).where(events.c.id == event_id).values(
        processed=True, decisions=decisions, head_sha=head_sha))


def get(conn: Connection, event_id: int) -> Any:
    return conn.execute(select(events).where(events.c.id == event_id)).first()

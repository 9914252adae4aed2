"""Commit statuses (REST "Commit statuses"): each POST adds one; the combined status of a commit
is the newest per ``context``."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from .schema import statuses


def create(conn: Connection, repository_id: int, sha: str, *, state: str, target_url: str | None,
           description: str | None, context: str, creator: str) -> Any:
    now = time.time()
    status_id = conn.execute(statuses.insert().values(
        repository_id=repository_id, sha=sha, state=state, target_url=target_url, description=description,
        context=context, creator=creator, created_at=now, updated_at=now)).inserted_primary_key[0]
    return conn.execute(select(statuses).where(statuses.c.id == status_id)).one()


def for_commit(conn: Connection, repository_id: int, sha: str) -> list[Any]:
    """Every status of commit ``sha``, newest first."""
    return list(conn.execute(select(statuses).where(statuses.c.repository_id == repository_id, statuses.c.sha == sha)
                             .order_by(statuses.c.id.desc())))


def latest_per_context(rows: list[Any]) -> list[Any]:
    """The newest status of each context (``rows`` newest first), in that order."""
    seen: set[str] = set()
    out = []
    for row in rows:
        if row.context not in seen:
            seen.add(row.context)
            out.append(row)
    return out

"""Job logs: lines stored as they arrive, each with GitHub's timestamp prefix."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.engine import Connection

from .schema import job_logs


def timestamp(t: float | None = None) -> str:
    """GitHub's log timestamp: ``2024-01-01T12:00:00.1234567Z`` (seven fractional digits)."""
    t = time.time() if t is None else t
    dt = datetime.fromtimestamp(t, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}0Z"


def append(conn: Connection, job_id: int, lines: list[str], at: float | None = None) -> None:
    """Append ``lines`` (no trailing newlines) to the job's log, stamped with ``at`` (now)."""
    if not lines:
        return
    ts = timestamp(at)
    conn.execute(job_logs.insert().values(job_id=job_id, text="".join(f"{ts} {line}\n" for line in lines)))


def append_many(conn: Connection, chunks: list[tuple[int, str]]) -> None:
    """Insert pre-stamped ``(job_id, text)`` chunks in one statement."""
    if chunks:
        conn.execute(job_logs.insert(), [{"job_id": j, "text": t} for j, t in chunks])


def read(conn: Connection, job_id: int) -> str:
    rows = conn.execute(select(job_logs.c.text).where(job_logs.c.job_id == job_id).order_by(job_logs.c.id))
    return "".join(r.text for r in rows)

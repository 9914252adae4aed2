"""Everything that differs between SQLite and PostgreSQL lives here, and only here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, event, select
from sqlalchemy.engine import Connection, Engine, create_engine


def make_engine(url: str, *, writer: bool = True) -> Engine:
    """Create the SQLAlchemy engine for ``url``.

    SQLite runs in WAL mode with ``synchronous=FULL``: a commit is on disk before it returns, which
    is what lets the API answer 204 only for a durable event. ``busy_timeout`` lets several
    processes (the server, a one-shot CLI) share one file.
    """
    if url.startswith("sqlite"):
        # Connections are kept (opening one costs the pragmas below); the writer uses one thread,
        # readers a few.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=1 if writer else 4, max_overflow=2, pool_pre_ping=False)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite opens transactions lazily; take control so BEGIN IMMEDIATE is ours.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # A writer takes the write lock at BEGIN, so two writers queue instead of deadlocking
            # on a read-to-write upgrade (SQLITE_BUSY that busy_timeout cannot wait out).
            # Readers take a plain BEGIN: WAL readers never wait for the writer.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = url.replace("postgres://", "postgresql://", 1)
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def lock_row(conn: Connection, table: Table, row_id: int) -> bool:
    """Hold the lock of ``table``'s row ``row_id`` until the transaction ends, so writers that check
    then insert under one parent (the next issue number of a repository, the one published release
    of a tag, an asset name in a release) run one after another, also across server processes.

    PostgreSQL: ``SELECT ... FOR UPDATE`` (under READ COMMITTED two transactions would both see no
    conflicting row and both insert; statements after the lock see what the other one committed).
    SQLite needs no row lock: a writer's ``BEGIN IMMEDIATE`` already holds the one write lock.
    Returns whether the row exists (a concurrent delete may have removed it)."""
    query = select(table.c.id).where(table.c.id == row_id)
    if conn.dialect.name != "sqlite":
        query = query.with_for_update()
    return conn.execute(query).first() is not None

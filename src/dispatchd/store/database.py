"""The database handle: engines, migrations, and the threads that keep SQL off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from .dialect import is_sqlite, make_engine
from .schema import metadata

T = TypeVar("T")

MIGRATIONS = Path(__file__).with_name("migrations")


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'dispatchd.db'}"


class Database:
    """One database, used from asyncio code.

    Writes go through one thread (SQLite has one writer; one thread also keeps PostgreSQL
    transactions short and ordered); reads use a small pool. Each ``write``/``read`` call is one
    transaction: it commits when ``fn`` returns and rolls back if it raises.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(url, writer=True)
        self.read_engine = make_engine(url, writer=False) if is_sqlite(self.engine) else self.engine
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-write")
        self._readers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="db-read")

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine)

    def ping(self) -> None:
        """Open and close one connection: raises SQLAlchemy's ``OperationalError`` when the
        database refuses or cannot be reached."""
        with self.engine.connect():
            pass

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (idempotent, safe at every start)."""
        # Imported here: Alembic (with Mako and Pygments) is ~100 ms of start-up that a
        # throwaway database (create_schema) does without.
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["engine"] = self.engine
        command.upgrade(cfg, "head")

    def create_schema(self) -> None:
        """Create the tables of :mod:`.schema` in an empty database, without Alembic: for a
        throwaway database (``dispatchd run``'s, deleted when the run ends), which is never
        upgraded. tests/server/test_schema.py keeps the migrations' result identical to it."""
        metadata.create_all(self.engine)

    def write_sync(self, fn: Callable[..., T], *args: Any) -> T:
        with self.engine.begin() as conn:
            return fn(conn, *args)

    def read_sync(self, fn: Callable[..., T], *args: Any) -> T:
        with self.read_engine.connect() as conn:
            result = fn(conn, *args)
            conn.rollback()
            return result

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, self.write_sync, fn, *args)

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self.read_sync, fn, *args)

    def close(self) -> None:
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


Txn = Connection
__all__ = ["Database", "Txn", "default_url"]

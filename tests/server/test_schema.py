"""The two ways a database gets its tables agree: the Alembic migrations (every server database)
and ``schema.py`` created directly (the throwaway database of ``dispatchd run``)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fixtures_server import free_database_url_or_none
from sqlalchemy import inspect

from dispatchd.store.database import Database
from dispatchd.store.schema import metadata


def _database(tmp_path: Path, name: str) -> Database:
    return Database(free_database_url_or_none() or f"sqlite:///{tmp_path / name}")


def _shape(db: Database) -> dict[str, tuple[list[str], list[tuple[str, tuple[str, ...], bool]]]]:
    """Per table: the column names (sorted: a column added by a later migration comes last in
    its table, wherever schema.py declares it), and the indexes (name, columns, unique)."""
    inspector = inspect(db.engine)
    return {
        table: (
            sorted(c["name"] for c in inspector.get_columns(table)),
            sorted((i["name"] or "", tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(table)),
        )
        for table in inspector.get_table_names()
        if table != "alembic_version"
    }


def test_migrations_build_exactly_the_declared_schema(tmp_path: Path) -> None:
    db = _database(tmp_path, "migrated.db")
    try:
        db.migrate()
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
        assert differences == []
    finally:
        db.close()


def test_created_schema_has_the_migrated_tables_columns_and_indexes(tmp_path: Path) -> None:
    migrated, created = _database(tmp_path, "migrated.db"), _database(tmp_path, "created.db")
    try:
        migrated.migrate()
        created.create_schema()
        shape = _shape(created)
        assert "jobs" in shape and "steps" in shape["jobs"][0]
        assert shape == _shape(migrated)
    finally:
        migrated.close()
        created.close()


def test_an_upgraded_sqlite_database_keeps_its_rows_and_never_reuses_an_id(tmp_path: Path) -> None:
    """0010 rebuilds tables on SQLite (AUTOINCREMENT): rows, ids and the rows pointing at them
    survive, foreign keys are enforced again afterwards, and a deleted newest id is not handed out
    again (it was before)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import delete, insert, select, text

    from dispatchd.store.database import MIGRATIONS
    from dispatchd.store.schema import reactions, repositories, webhook_deliveries, webhooks

    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["engine"] = db.engine
        command.upgrade(cfg, "0009")
        with db.engine.begin() as conn:
            conn.execute(insert(repositories).values(id=1, owner="acme", name="app", path="/x", created_at=0.0))
            for hook_id in (1, 2):
                conn.execute(insert(webhooks).values(id=hook_id, repository_id=1, url="http://h", content_type="json",
                                                     events=["*"], active=True, created_at=0.0, updated_at=0.0))
            conn.execute(insert(webhook_deliveries).values(id=5, hook_id=2, guid="g", event="ping", payload="{}",
                                                           redelivery=False, state="delivered", attempts=1,
                                                           created_at=0.0))
            for reaction_id in (1, 2, 3):
                conn.execute(insert(reactions).values(id=reaction_id, subject="issue", subject_id=1,
                                                      login=f"u{reaction_id}", content="eyes", created_at=0.0))
            conn.execute(delete(reactions).where(reactions.c.id == 3))
        command.upgrade(cfg, "head")
        with db.engine.begin() as conn:
            assert [tuple(r) for r in conn.execute(select(webhook_deliveries.c.id, webhook_deliveries.c.hook_id))] == [
                (5, 2)]
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            conn.execute(insert(reactions).values(subject="issue", subject_id=1, login="u4", content="eyes",
                                                  created_at=0.0))
            conn.execute(delete(reactions).where(reactions.c.login == "u4"))
            conn.execute(insert(reactions).values(subject="issue", subject_id=1, login="u5", content="eyes",
                                                  created_at=0.0))
            ids = [r.id for r in conn.execute(select(reactions.c.id).order_by(reactions.c.id))]
        # u4 took 3 (the old table had not recorded that 3 was ever used); once u4 was deleted,
        # u5 got 4, not u4's 3 again as before the upgrade.
        assert ids == [1, 2, 4]
    finally:
        db.close()

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

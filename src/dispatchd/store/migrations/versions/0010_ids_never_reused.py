"""SQLite: ids of deletable objects are never reused (AUTOINCREMENT)

GitHub never hands out an id twice. A SQLite table without AUTOINCREMENT gives the next row the
largest id plus one, so deleting the newest run, release or reaction let the next one take its id.
SQLite cannot add AUTOINCREMENT to a table in place: each table is rebuilt (rows and ids kept).
PostgreSQL's sequences never reuse a value: nothing to do there.

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("workflow_runs", "jobs", "job_logs", "run_attempts", "webhooks", "webhook_deliveries", "reactions",
          "releases", "release_assets", "check_runs")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": False}):
            pass

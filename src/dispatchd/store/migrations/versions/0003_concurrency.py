"""concurrency groups of runs and jobs; per-job cancellation

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workflow_runs") as batch:
        batch.add_column(sa.Column("concurrency_group", sa.Text(), nullable=True))
        batch.add_column(sa.Column("concurrency_cancel", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_index("ix_runs_concurrency", ["repository_id", "concurrency_group", "status"])
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("concurrency_group", sa.Text(), nullable=True))
        batch.add_column(sa.Column("cancel_requested", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("cancel_requested")
        batch.drop_column("concurrency_group")
    with op.batch_alter_table("workflow_runs") as batch:
        batch.drop_index("ix_runs_concurrency")
        batch.drop_column("concurrency_cancel")
        batch.drop_column("concurrency_group")

"""jobs waiting for a dispatch; the job a capability callback is for

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "waits",
        sa.Column("id", Id, primary_key=True),
        sa.Column("job_id", Id, sa.ForeignKey("jobs.id"), nullable=False),
        sa.Column("run_id", Id, sa.ForeignKey("workflow_runs.id"), nullable=False),
        sa.Column("repository_id", Id, sa.ForeignKey("repositories.id"), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=True),
        sa.Column("match", sa.Text(), nullable=True),
        sa.Column("match_path", sa.Text(), nullable=True),
        sa.Column("match_key", sa.Text(), nullable=True),
        sa.Column("contexts", sa.JSON(), nullable=False),
        sa.Column("step_number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("event_id", Id, nullable=True),
        sa.Column("deadline", sa.Float(), nullable=False),
        sa.Column("since", sa.Float(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("resolved_at", sa.Float(), nullable=True),
    )
    op.create_index("ix_waits_open", "waits", ["repository_id", "status", "event_type", "match_path", "match_key"])
    op.create_index("ix_waits_deadline", "waits", ["status", "deadline"])
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("target_job_id", Id, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("target_job_id")
    op.drop_index("ix_waits_deadline", "waits")
    op.drop_index("ix_waits_open", "waits")
    op.drop_table("waits")

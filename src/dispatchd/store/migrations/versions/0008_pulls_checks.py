"""pull requests, check runs and commit statuses

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "pulls",
        sa.Column("id", Id, primary_key=True),
        sa.Column("issue_id", Id, sa.ForeignKey("issues.id"), nullable=False),
        sa.Column("repository_id", Id, sa.ForeignKey("repositories.id"), nullable=False),
        sa.Column("head_ref", sa.Text(), nullable=False),
        sa.Column("base_ref", sa.Text(), nullable=False),
        sa.Column("head_sha", sa.String(64), nullable=False),
        sa.Column("base_sha", sa.String(64), nullable=False),
        sa.Column("draft", sa.Boolean(), nullable=False),
        sa.Column("maintainer_can_modify", sa.Boolean(), nullable=False),
        sa.Column("merged_at", sa.Float()),
        sa.Column("merged_by", sa.String(100)),
        sa.Column("merge_commit_sha", sa.String(64)),
        sa.UniqueConstraint("issue_id", name="uq_pulls_issue"),
    )
    op.create_index("ix_pulls_head", "pulls", ["repository_id", "head_ref", "base_ref"])
    op.create_table(
        "check_runs",
        sa.Column("job_id", Id, sa.ForeignKey("jobs.id"), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("conclusion", sa.String(20)),
        sa.Column("started_at", sa.Float()),
        sa.Column("completed_at", sa.Float()),
        sa.Column("details_url", sa.Text()),
        sa.Column("external_id", sa.Text()),
        sa.Column("output", sa.JSON()),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "statuses",
        sa.Column("id", Id, primary_key=True),
        sa.Column("repository_id", Id, sa.ForeignKey("repositories.id"), nullable=False),
        sa.Column("sha", sa.String(64), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("target_url", sa.Text()),
        sa.Column("description", sa.Text()),
        sa.Column("context", sa.String(255), nullable=False),
        sa.Column("creator", sa.String(100), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_statuses_sha", "statuses", ["repository_id", "sha", "id"])


def downgrade() -> None:
    op.drop_index("ix_statuses_sha", "statuses")
    op.drop_table("statuses")
    op.drop_table("check_runs")
    op.drop_index("ix_pulls_head", "pulls")
    op.drop_table("pulls")

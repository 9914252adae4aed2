"""reactions on issues and issue comments

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "reactions",
        sa.Column("id", Id, primary_key=True),
        sa.Column("subject", sa.String(20), nullable=False),
        sa.Column("subject_id", Id, nullable=False),
        sa.Column("login", sa.String(100), nullable=False),
        sa.Column("content", sa.String(20), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.UniqueConstraint("subject", "subject_id", "login", "content", name="uq_reactions_once"),
    )


def downgrade() -> None:
    op.drop_table("reactions")

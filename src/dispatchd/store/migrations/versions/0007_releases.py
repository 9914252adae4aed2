"""releases and their assets

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", Id, primary_key=True),
        sa.Column("repository_id", Id, sa.ForeignKey("repositories.id"), nullable=False),
        sa.Column("tag_name", sa.Text(), nullable=False),
        sa.Column("target_commitish", sa.Text(), nullable=False),
        sa.Column("name", sa.Text()),
        sa.Column("body", sa.Text()),
        sa.Column("draft", sa.Boolean(), nullable=False),
        sa.Column("prerelease", sa.Boolean(), nullable=False),
        sa.Column("make_latest", sa.String(10), nullable=False),
        sa.Column("latest", sa.Boolean(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("published_at", sa.Float()),
    )
    op.create_index("ix_releases_repository", "releases", ["repository_id", "id"])
    op.create_index("ix_releases_tag", "releases", ["repository_id", "tag_name"])
    op.create_table(
        "release_assets",
        sa.Column("id", Id, primary_key=True),
        sa.Column("release_id", Id, sa.ForeignKey("releases.id"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("label", sa.Text()),
        sa.Column("content_type", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("download_count", sa.Integer(), nullable=False),
        sa.Column("uploader", sa.String(100), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_release_assets_release", "release_assets", ["release_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_release_assets_release", "release_assets")
    op.drop_table("release_assets")
    op.drop_index("ix_releases_tag", "releases")
    op.drop_index("ix_releases_repository", "releases")
    op.drop_table("releases")

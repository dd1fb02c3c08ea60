"""Tidy workspaces: soft-deleted items (who, when), who deleted a workspace, pinned revisions.

Revision ID: 0003_tidy
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_tidy"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """items.deleted_at/deleted_by, workspaces.deleted_by, item_revisions.pinned (false)."""
    op.add_column("items", sa.Column("deleted_at", sa.DateTime(timezone=True)))
    op.add_column("items", sa.Column("deleted_by", sa.String(200)))
    op.add_column("workspaces", sa.Column("deleted_by", sa.String(200)))
    op.add_column("item_revisions", sa.Column("pinned", sa.Boolean, nullable=False,
                                              server_default=sa.false()))


def downgrade() -> None:
    """Drop the columns (deleted items come back as live ones; pins are forgotten)."""
    op.drop_column("item_revisions", "pinned")
    op.drop_column("workspaces", "deleted_by")
    op.drop_column("items", "deleted_by")
    op.drop_column("items", "deleted_at")

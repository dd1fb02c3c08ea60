"""Who changed which cell, and who has an item open: cell_edits and presence.

Revision ID: 0004
Revises: 0003_tidy
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003_tidy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """cell_edits: the changes each revision made (one row per cell, row, column or setting),
    written with their revision; presence: when each person last had an item open."""
    op.create_table(
        "cell_edits",
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("op", sa.String(16), nullable=False),
        sa.Column("row_key", sa.String(64)),
        sa.Column("column_key", sa.String(300)),
        sa.Column("old", sa.Text),
        sa.Column("new", sa.Text),
    )
    op.create_index("ix_cell_edits_row", "cell_edits", ["item_id", "row_key"])
    op.create_table(
        "presence",
        sa.Column("workspace_id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), primary_key=True),
        sa.Column("person", sa.String(200), primary_key=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop both tables (the revisions themselves are untouched)."""
    op.drop_table("presence")
    op.drop_index("ix_cell_edits_row", "cell_edits")
    op.drop_table("cell_edits")

"""Big blobs live in a blob directory: a revision row may reference a file by its digest.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """item_revisions.blob_ref: the SHA-256 of a blob kept as a file (NULL when inline)."""
    op.add_column("item_revisions", sa.Column("blob_ref", sa.String(64)))
    op.create_index("ix_item_revisions_blob_ref", "item_revisions", ["blob_ref"])


def downgrade() -> None:
    """Drop the reference column (files in the blob directory are left alone)."""
    op.drop_index("ix_item_revisions_blob_ref", "item_revisions")
    op.drop_column("item_revisions", "blob_ref")

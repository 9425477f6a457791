"""letter formats per family (large print, easy read) and GOV.UK Notify's id and status per letter

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy): SQLite adds these in place, so the letters that point at
    # waiting-list entries are left alone.
    for name in ("large_print", "easy_read"):
        op.add_column("waiting_list_entry",
                      sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("letter", sa.Column("notify_id", sa.String(length=36), nullable=True))
    op.add_column("letter", sa.Column("notify_status", sa.String(length=30), nullable=True))
    op.add_column("letter", sa.Column("notify_checked_at", sa.DateTime(), nullable=True))


def downgrade():
    for name in ("notify_checked_at", "notify_status", "notify_id"):
        op.drop_column("letter", name)
    for name in ("easy_read", "large_print"):
        op.drop_column("waiting_list_entry", name)

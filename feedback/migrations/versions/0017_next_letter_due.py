"""the day each family's next letter falls due, stored, so that the letters due are a query

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy), as in 0010. Both start empty: every family is worked out
    # afresh until the next import or letters recorded as sent store them (waitlist.tracker).
    op.add_column("waiting_list_entry", sa.Column("next_letter_due", sa.Date(), nullable=True))
    op.add_column("waiting_list_entry", sa.Column("letters_policy", sa.String(length=16), nullable=True))
    op.create_index(
        op.f("ix_waiting_list_entry_next_letter_due"), "waiting_list_entry", ["next_letter_due"], unique=False
    )


def downgrade():
    with op.batch_alter_table("waiting_list_entry") as batch_op:
        batch_op.drop_index(batch_op.f("ix_waiting_list_entry_next_letter_due"))
        batch_op.drop_column("letters_policy")
        batch_op.drop_column("next_letter_due")

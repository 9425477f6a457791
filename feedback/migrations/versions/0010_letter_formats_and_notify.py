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
    with op.batch_alter_table('waiting_list_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('large_print', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('easy_read', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('notify_status', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('notify_checked_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_column('notify_checked_at')
        batch_op.drop_column('notify_status')
        batch_op.drop_column('notify_id')
    with op.batch_alter_table('waiting_list_entry', schema=None) as batch_op:
        batch_op.drop_column('easy_read')
        batch_op.drop_column('large_print')

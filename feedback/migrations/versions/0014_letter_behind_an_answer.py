"""the waiting-list letter behind an answer: pathway and letter number from the letter's short link

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pathway', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('letter_number', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('letter_number')
        batch_op.drop_column('pathway')

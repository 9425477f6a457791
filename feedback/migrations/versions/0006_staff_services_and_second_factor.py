"""staff services and second factor

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_service',
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('service_slug', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['service_slug'], ['service.slug'], ),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_user_id', 'service_slug')
    )
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
    op.drop_table('staff_service')

"""job retries and the scheduler's heartbeat

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('failures', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('owner', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('retry_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_job_run_job_started', ['job_id', 'started_at'])
    with op.batch_alter_table('chat_conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('set_aside', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table('scheduler_heartbeat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('beat_at', sa.DateTime(), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    # Jobs are now run through feedback.jobs:scheduled; the scheduler registers them again at
    # start, and a run missed while the service was down is found from job_run, not the store.
    if sa.inspect(op.get_bind()).has_table('apscheduler_jobs'):
        op.execute("DELETE FROM apscheduler_jobs")


def downgrade():
    op.drop_table('scheduler_heartbeat')
    with op.batch_alter_table('chat_conversation', schema=None) as batch_op:
        batch_op.drop_column('set_aside')
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index('ix_job_run_job_started')
        batch_op.drop_column('retry_at')
        batch_op.drop_column('owner')
        batch_op.drop_column('failures')
        batch_op.drop_column('attempts')

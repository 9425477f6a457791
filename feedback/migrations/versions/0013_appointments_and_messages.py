"""appointments for invitations by text message or email, the messages sent, the do-not-contact list

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery', sa.String(length=12), nullable=True))
    op.create_table('appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_key', sa.String(length=64), nullable=False),
    sa.Column('service_slug', sa.String(length=40), nullable=False),
    sa.Column('district_slug', sa.String(length=40), nullable=True),
    sa.Column('instrument_slug', sa.String(length=60), nullable=False),
    sa.Column('respondent_type', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('appointment_at', sa.DateTime(), nullable=False),
    sa.Column('channel', sa.String(length=5), nullable=False),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('next_at', sa.DateTime(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('erased_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['district_slug'], ['district.slug'], ),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'], ),
    sa.ForeignKeyConstraint(['service_slug'], ['service.slug'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_key')
    )
    op.create_index('ix_appointment_stage_next', 'appointment', ['stage', 'next_at'], unique=False)
    op.create_table('invitation_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('channel', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('notify_id', sa.String(length=36), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.Column('retry_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('status_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('appointment_id', 'kind')
    )
    op.create_index('ix_invitation_message_status', 'invitation_message', ['status'], unique=False)
    op.create_index(op.f('ix_invitation_message_notify_id'), 'invitation_message', ['notify_id'], unique=False)
    op.create_table('do_not_contact',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key_hash')
    )


def downgrade():
    op.drop_table('do_not_contact')
    op.drop_index(op.f('ix_invitation_message_notify_id'), table_name='invitation_message')
    op.drop_index('ix_invitation_message_status', table_name='invitation_message')
    op.drop_table('invitation_message')
    op.drop_index('ix_appointment_stage_next', table_name='appointment')
    op.drop_table('appointment')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('delivery')

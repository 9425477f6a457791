"""comment themes and triage, "You said, we did" actions, delivery-group digests

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=12), nullable=False, server_default='new'))
        batch_op.add_column(sa.Column('owner_service_slug', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('codebook', sa.String(length=16), nullable=True))
        batch_op.create_foreign_key('fk_comment_owner_service', 'service', ['owner_service_slug'], ['slug'])
        batch_op.create_index(batch_op.f('ix_comment_state'), ['state'], unique=False)

    op.create_table('comment_theme',
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('added_by', sa.String(length=254), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_by', sa.String(length=254), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('comment_id', 'theme')
    )
    with op.batch_alter_table('comment_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_theme_theme'), ['theme'], unique=False)

    op.create_table('action_taken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_slug', sa.String(length=40), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('you_said', sa.Text(), nullable=False),
    sa.Column('comments_behind', sa.Integer(), nullable=False),
    sa.Column('we_did', sa.Text(), nullable=False),
    sa.Column('easy_you_said', sa.Text(), nullable=False),
    sa.Column('easy_we_did', sa.Text(), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('kpi_plan', sa.String(length=40), nullable=True),
    sa.Column('kpi_ref', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('recorded_by', sa.String(length=254), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.String(length=254), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_slug'], ['service.slug'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('action_taken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_taken_status'), ['status'], unique=False)

    op.create_table('group_digest',
    sa.Column('group_slug', sa.String(length=40), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('group_slug', 'month')
    )


def downgrade():
    op.drop_table('group_digest')
    with op.batch_alter_table('action_taken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_taken_status'))
    op.drop_table('action_taken')
    with op.batch_alter_table('comment_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_theme_theme'))
    op.drop_table('comment_theme')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_state'))
        batch_op.drop_constraint('fk_comment_owner_service', type_='foreignkey')
        batch_op.drop_column('codebook')
        batch_op.drop_column('owner_service_slug')
        batch_op.drop_column('state')

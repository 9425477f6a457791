"""revocable sessions, shared rate limits, sign-in failures, encrypted second factor

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_window',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('minute', sa.Integer(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key_hash', 'minute')
    )
    with op.batch_alter_table('rate_window', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_window_minute'), ['minute'], unique=False)
    op.create_table('sign_in_failure',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key_hash')
    )
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('totp_pending', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('totp_pending_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64),
                              type_=sa.String(length=300), existing_nullable=True)
    _encrypt_second_factor_secrets()


def _encrypt_second_factor_secrets():
    """Second-factor secrets were stored in plain text: encrypt them with the app's key, or (with
    no app to give a key, as when Alembic is run by hand) remove them so they are enrolled again."""
    from flask import current_app, has_app_context

    staff = sa.table('staff_user', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))
    connection = op.get_bind()
    found = connection.execute(sa.select(staff.c.id, staff.c.totp_secret)
                               .where(staff.c.totp_secret.is_not(None))).all()
    if not found:
        return
    seal = None
    if has_app_context():
        from feedback import second_factor

        seal = second_factor.sealer(current_app.config)
    for user_id, secret in found:
        sealed = second_factor.seal_secret(seal, secret) if seal else None
        connection.execute(staff.update().where(staff.c.id == user_id).values(totp_secret=sealed))


def downgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=300),
                              type_=sa.String(length=64), existing_nullable=True)
        batch_op.drop_column('totp_pending_at')
        batch_op.drop_column('totp_pending')
        batch_op.drop_column('session_version')
    op.drop_table('sign_in_failure')
    with op.batch_alter_table('rate_window', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_window_minute'))
    op.drop_table('rate_window')

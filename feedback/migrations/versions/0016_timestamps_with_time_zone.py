"""timestamps with time zone everywhere

Migrations 0008, 0010, 0011 and 0013 made these columns without a time zone, while the models
(and every earlier migration) declare aware UTC times. On PostgreSQL a naive column holds an
aware time converted to the session's time zone, so they become `timestamptz`, reading the
values already there as UTC. SQLite stores both the same way: nothing to do there.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

COLUMNS = {
    "api_token": ("created_at", "last_used_at", "revoked_at"),
    "appointment": ("appointment_at", "next_at", "created_at", "erased_at"),
    "do_not_contact": ("added_at",),
    "invitation_message": ("claimed_at", "retry_at", "sent_at", "status_at"),
    "job_run": ("retry_at",),
    "letter": ("notify_checked_at",),
    "scheduler_heartbeat": ("beat_at",),
}


def _alter(to_type):
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in COLUMNS.items():
        for column in columns:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {to_type} "
                       f"USING {column} AT TIME ZONE 'UTC'")


def upgrade():
    _alter("TIMESTAMP WITH TIME ZONE")


def downgrade():
    _alter("TIMESTAMP WITHOUT TIME ZONE")

"""each month's answers and responses grouped once and added to, so the KPI rebuild counts only
what is new

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy), as in 0010 and 0017. Every response starts uncounted: the
    # next rebuild of its month counts it in full, once, and only what is new after that.
    op.add_column("response", sa.Column("counted", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index(
        "ix_response_uncounted",
        "response",
        ["month", "id"],
        unique=False,
        sqlite_where=sa.text("NOT counted"),
        postgresql_where=sa.text("NOT counted"),
    )
    op.create_table(
        "month_tally",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month"),
    )
    op.create_table(
        "answer_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("instrument_slug", sa.String(length=60), nullable=False),
        sa.Column("question_key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        *_place(),
        sa.Column("letter_number", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_answer_tally_month"), "answer_tally", ["month"], unique=False)
    op.create_table(
        "response_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("instrument_slug", sa.String(length=60), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("invited", sa.Boolean(), nullable=False),
        *_place(),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_response_tally_month"), "response_tally", ["month"], unique=False)


def _place():
    return [
        sa.Column("service_slug", sa.String(length=40), nullable=False),
        sa.Column("provider_slug", sa.String(length=40), nullable=True),
        sa.Column("district_slug", sa.String(length=40), nullable=True),
    ]


def downgrade():
    op.drop_index(op.f("ix_response_tally_month"), table_name="response_tally")
    op.drop_table("response_tally")
    op.drop_index(op.f("ix_answer_tally_month"), table_name="answer_tally")
    op.drop_table("answer_tally")
    op.drop_table("month_tally")
    op.drop_index("ix_response_uncounted", table_name="response")
    with op.batch_alter_table("response") as batch_op:
        batch_op.drop_column("counted")

"""Alembic environment: runs on the connection that ``feedback init`` hands over."""

from alembic import context
from sqlmodel import SQLModel

import feedback.models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata


def include_object(_object, name, type_, _reflected, _compare_to):
    """Leave APScheduler's own job table to APScheduler."""
    return not (type_ == "table" and name == "apscheduler_jobs")


def run_migrations(connection):
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    from sqlalchemy import create_engine

    with create_engine(context.config.get_main_option("sqlalchemy.url")).connect() as conn:
        run_migrations(conn)
else:
    run_migrations(connection)

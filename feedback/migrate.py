"""Schema migrations through Alembic, run from ``feedback init``."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection=None, url=None):
    """Return an Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    config.attributes["connection"] = connection
    return config


def upgrade(engine):
    """Bring the database schema up to the newest migration."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def problem(engine):
    """Return what to run when the database is not set up or is behind the code, else None."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        return "The database is not set up yet: run `feedback init` first."
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if current != head:
        return (
            f"The database is at version {current} and this code needs {head}: "
            "run `feedback init` to bring it up to date."
        )
    return None

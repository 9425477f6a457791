"""Schema migrations through Alembic, run from ``feedback init``."""

from pathlib import Path

from alembic import command
from alembic.config import Config

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

"""What ``feedback init`` does: migrate the schema, then load reference data and instruments."""

from flask import current_app

from feedback import migrate, reference
from feedback.db import get_engine, transaction
from surveys import dao as survey_dao
from surveys import definitions


def initialise(echo=print):
    """Migrate and load everything; return the list of definition errors (empty when clean)."""
    migrate.upgrade(get_engine())
    with transaction() as session:
        counts = reference.load(session, current_app.config.get("REFERENCE_FILE") or reference.REFERENCE_FILE)
    echo(f"Reference data: {counts['services']} services, {counts['providers']} providers, "
         f"{counts['districts']} districts.")
    found, errors = definitions.load_directory(
        current_app.config.get("INSTRUMENTS_DIR") or definitions.INSTRUMENTS_DIR
    )
    with transaction() as session:
        for definition in found:
            row, created = survey_dao.save_instrument_version(session, definition)
            state = "new version" if created else "unchanged"
            echo(f"Instrument {row.slug}: version {row.version} ({state}).")
    for error in errors:
        echo(f"Not loaded: {error}")
    return errors

"""`feedback init`: migrations, reference data and instrument versions."""

import shutil
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from feedback.db import get_engine, transaction
from feedback.initialise import initialise
from feedback.models import Instrument, Response, Service
from surveys import definitions
from tests.conftest import form_fields, rows


def test_migrations_create_exactly_the_tables_the_models_declare(app):
    with get_engine().connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_init_is_idempotent(app):
    before = {(i.slug, i.version) for i in rows(Instrument)}
    assert initialise(echo=lambda _line: None) == []
    assert {(i.slug, i.version) for i in rows(Instrument)} == before
    assert len(rows(Service)) == 12


def _copy_instruments(tmp_path):
    target = tmp_path / "instruments"
    shutil.copytree(definitions.INSTRUMENTS_DIR, target)
    return target


def test_changed_wording_makes_a_new_version_and_old_answers_keep_theirs(app, client, tmp_path):
    url = "/s/local-offer"
    client.post(url, data={**form_fields(client.get(url)), "found_information": "yes"})
    instruments = _copy_instruments(tmp_path)
    path = instruments / "local-offer.toml"
    path.write_text(
        path.read_text().replace(
            "Could you find the information you needed?", "Did you find the information you needed?"
        )
    )
    app.config["INSTRUMENTS_DIR"] = str(instruments)
    assert initialise(echo=lambda _line: None) == []
    client.post(url, data={**form_fields(client.get(url)), "found_information": "no"})
    versions = sorted((r.instrument_version, r.instrument_id) for r in rows(Response))
    assert [v for v, _ in versions] == [1, 2]
    old = next(i for i in rows(Instrument, slug="local-offer", version=1))
    assert "Could you find the information you needed?" in old.definition
    page = client.get(url).get_data(as_text=True)
    assert "Did you find the information you needed?" in page


def test_malformed_instrument_file_is_named_and_nothing_from_it_is_loaded(app, tmp_path):
    instruments = _copy_instruments(tmp_path)
    path = instruments / "local-offer.toml"
    path.write_text(
        path.read_text()
        .replace('scale = "yes_partly_no"', 'scale = "maybe"', 1)
        .replace("Could you find", "Could you really find")
    )
    app.config["INSTRUMENTS_DIR"] = str(instruments)
    lines = []
    errors = initialise(echo=lines.append)
    assert [(e.source, e.field) for e in errors] == [("local-offer.toml", "questions[0].scale")]
    assert any(line.startswith("Not loaded: local-offer.toml") for line in lines)
    assert [i.version for i in rows(Instrument, slug="local-offer")] == [1]


def test_reference_data_is_editable_without_code_changes(app, tmp_path):
    reference = tmp_path / "reference.toml"
    text = Path(app.root_path, "reference.toml").read_text()
    reference.write_text(text.replace('name = "Physiotherapy"', 'name = "Children\'s physiotherapy"'))
    app.config["REFERENCE_FILE"] = str(reference)
    initialise(echo=lambda _line: None)
    with transaction() as session:
        assert session.get(Service, "physiotherapy").name == "Children's physiotherapy"

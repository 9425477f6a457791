"""Keys and files: no public signing key on the network, a key of its own per demo instance,
and the database and key files readable by their owner only."""

import stat
from pathlib import Path

import pytest
from flask.sessions import SecureCookieSessionInterface

from feedback import create_app, instance, server
from feedback.config import DEV_SECRET_KEY
from feedback.models import StaffUser
from feedback.waitlist import crypto
from tests.conftest import create_staff, rows
from tests.feedback.test_cli import run


def _mode(path):
    return stat.S_IMODE(Path(path).stat().st_mode)


@pytest.fixture
def development_app(app, tmp_path):
    """The same database as the test app, configured as `feedback serve` would be with no settings."""
    folder = tmp_path / "instance"
    dev = create_app(
        {
            "ENV_NAME": "development",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "INSTANCE_PATH": str(folder),
            "SECRET_KEY": DEV_SECRET_KEY,
            "SCHEDULER_ENABLED": False,
        }
    )
    yield dev
    dev.extensions["feedback.engine"].dispose()


@pytest.fixture
def served(monkeypatch):
    """Record the servers `feedback serve` would start, instead of starting them."""
    calls = []
    monkeypatch.setattr(server, "run", lambda *args: calls.append(args))
    return calls


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "feedback.example.org"])  # noqa: S104
def test_serve_refuses_the_development_key_on_an_address_others_can_reach(development_app, served, host):
    result = run(development_app, "serve", "--host", host)
    assert result.exit_code != 0
    assert "development signing key is public" in result.output
    assert served == []


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_serve_allows_the_development_key_on_loopback_only(development_app, served, host):
    result = run(development_app, "serve", "--host", host)
    assert result.exit_code == 0, result.output
    assert served and served[0][0] == host


def test_serve_on_any_address_is_fine_with_a_key_of_its_own(development_app, served):
    development_app.config["SECRET_KEY"] = "an instance key of its own, long and random enough"
    assert run(development_app, "serve", "--host", "0.0.0.0").exit_code == 0  # noqa: S104
    assert served


def test_production_still_refuses_to_start_without_its_own_key(development_app, served):
    development_app.config.update(ENV_NAME="production", DATA_KEY=crypto.new_key())
    result = run(development_app, "serve", "--host", "127.0.0.1")
    assert result.exit_code != 0 and "FEEDBACK_SECRET_KEY must be set" in result.output
    assert served == []


def test_demo_makes_a_random_key_for_its_instance_readable_by_the_owner_only(development_app, tmp_path):
    result = run(development_app, "demo", "--responses", "30")
    assert result.exit_code == 0, result.output
    key_file = Path(development_app.instance_path) / instance.SECRET_KEY_FILE
    assert _mode(key_file) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 60 and key != DEV_SECRET_KEY
    assert _mode(Path(development_app.instance_path) / crypto.KEY_FILE) == 0o600
    # The next app made for this instance (as `feedback serve` makes one) signs with that key.
    again = create_app(
        {
            "ENV_NAME": "development",
            "DATABASE_URL": development_app.config["DATABASE_URL"],
            "INSTANCE_PATH": development_app.instance_path,
            "SECRET_KEY": DEV_SECRET_KEY,
        }
    )
    assert again.config["SECRET_KEY"] == key
    again.extensions["feedback.engine"].dispose()
    # Another instance gets another key.
    other = tmp_path / "other"
    assert instance.write_secret_key(other).read_text().strip() != key


def _forged_cookie(secret_key, user_id):
    """A session cookie for ``user_id`` signed with ``secret_key``, as an attacker would make it."""
    forger = create_app({"ENV_NAME": "test", "DATABASE_URL": "sqlite://", "SECRET_KEY": secret_key})
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    return serializer.dumps({"user_id": user_id, "version": 0, "signed_in_at": 4e9, "seen_at": 4e9})


def test_a_session_forged_with_the_development_key_opens_nothing_on_a_demo_instance(
    development_app, tmp_path
):
    key_file = instance.write_secret_key(development_app.instance_path)
    demo = create_app(
        {
            "ENV_NAME": "development",
            "DATABASE_URL": development_app.config["DATABASE_URL"],
            "INSTANCE_PATH": development_app.instance_path,
            "SECRET_KEY": DEV_SECRET_KEY,
        }
    )
    assert demo.config["SECRET_KEY"] == key_file.read_text().strip()
    with demo.app_context():
        create_staff("asd@example.org", "asd_team")
        [user] = rows(StaffUser, email="asd@example.org")
    client = demo.test_client()
    client.set_cookie(demo.config["SESSION_COOKIE_NAME"], _forged_cookie(DEV_SECRET_KEY, user.id))
    response = client.get("/asd/")
    assert response.status_code == 302 and "/dashboard/login" in response.headers["Location"]
    demo.extensions["feedback.engine"].dispose()


def test_the_sqlite_database_and_its_journal_are_created_readable_by_the_owner_only(tmp_path):
    made = create_app({"ENV_NAME": "test", "INSTANCE_PATH": str(tmp_path / "fresh")})
    database = tmp_path / "fresh" / "feedback.sqlite3"
    assert _mode(database) == 0o600
    assert _mode(tmp_path / "fresh") == 0o700
    with made.app_context(), made.extensions["feedback.write_engine"].begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x)")
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
    assert _mode(database.with_name("feedback.sqlite3-wal")) == 0o600
    made.extensions["feedback.engine"].dispose()


def test_a_database_left_readable_by_others_is_made_private_at_start(tmp_path):
    database = tmp_path / "feedback.sqlite3"
    database.touch(mode=0o644)
    database.chmod(0o644)
    made = create_app({"ENV_NAME": "test", "DATABASE_URL": f"sqlite:///{database}"})
    assert _mode(database) == 0o600
    made.extensions["feedback.engine"].dispose()


def test_key_files_are_never_created_readable_by_others(tmp_path):
    path = instance.write_private(tmp_path / "some.key", "secret")
    assert _mode(path) == 0o600
    with pytest.raises(FileExistsError):
        instance.write_private(path, "another")  # never overwritten
    assert _mode(crypto.write_local_key(tmp_path / "instance")) == 0o600

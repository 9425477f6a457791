"""The instance folder's private files: the signing key made for a demo, and the SQLite database.

Both are created readable and writable by their owner only (0600), never briefly world-readable:
the database holds account hashes and comments, and anyone with the key can forge a staff session.
"""

import ipaddress
import os
import stat
from pathlib import Path

from sqlalchemy import make_url

from feedback.config import DEV_SECRET_KEY

SECRET_KEY_FILE = "secret.key"  # noqa: S105 (a file name)
LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def write_private(path, text):
    """Create ``path`` holding ``text``, readable by its owner only; refuse to overwrite a file."""
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    return path


def write_secret_key(instance_path):
    """Make this instance's own random signing key (unless it has one); return its path."""
    import secrets

    path = Path(instance_path) / SECRET_KEY_FILE
    if not path.exists():
        write_private(path, secrets.token_urlsafe(48))
    return path


def _keep_private(path):
    """Create the file (empty) if it is missing, and take away everyone else's access to it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if each.exists() and stat.S_IMODE(each.stat().st_mode) & 0o077:
            each.chmod(0o600)


def sqlite_file(app):
    """Return the path of the app's SQLite file, or None when the database is not a SQLite file."""
    url = app.config.get("DATABASE_URL")
    if not url:
        return Path(app.instance_path) / "feedback.sqlite3"
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def init_app(app):
    """Use the instance's key file outside production, and keep the SQLite database private.

    Call before the database is opened: SQLite then creates its -wal and -shm files with the
    database file's own permissions.
    """
    key_file = Path(app.instance_path) / SECRET_KEY_FILE
    if (
        app.config["ENV_NAME"] != "production"
        and app.config["SECRET_KEY"] == DEV_SECRET_KEY
        and key_file.exists()
    ):
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    database = sqlite_file(app)
    if database is not None:
        _keep_private(database)


def is_loopback(host):
    """Return whether a listening address is reachable from this machine only."""
    if host.strip("[]").lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def key_problem(config, host):
    """Return why ``feedback serve`` must not listen on ``host`` with this signing key, or None."""
    if config.get("SECRET_KEY") != DEV_SECRET_KEY or is_loopback(host):
        return None
    return (
        f"the development signing key is public (it is in the source), so serving on {host} would "
        "let anyone forge a staff session. Run `feedback demo` (it makes a key for this instance), "
        "set FEEDBACK_SECRET_KEY, or serve on 127.0.0.1 only"
    )

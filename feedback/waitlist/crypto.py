"""Encryption of waiting-list personal data at rest, with the key from FEEDBACK_DATA_KEY.

Fernet (from the `cryptography` package: AES-128-CBC with an HMAC) encrypts each family's
personal details as one token. Without the right key the waiting-list features refuse to run;
nothing personal is ever written unencrypted.
"""

import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

KEY_FILE = "data.key"


class DataKeyError(RuntimeError):
    """The data key is missing or does not open the stored data."""


def new_key():
    """Return a fresh key, as `feedback demo` makes for a local demo."""
    return Fernet.generate_key().decode()


def write_local_key(instance_path):
    """Create a key file in the instance folder for the demo, readable only by its owner."""
    from feedback.instance import write_private

    path = Path(instance_path) / KEY_FILE
    if not path.exists():
        write_private(path, new_key())  # created 0600, never readable by others even for a moment
    return path


def key_text(app=None):
    """Return the data key as configured (FEEDBACK_DATA_KEY, or the demo's key file), or None."""
    app = app or current_app
    key = app.config.get("DATA_KEY") or os.environ.get("FEEDBACK_DATA_KEY")
    if not key and app.config["ENV_NAME"] != "production":
        path = Path(app.instance_path) / KEY_FILE
        key = path.read_text().strip() if path.exists() else None
    return key


def configured_key(app=None):
    """Return the key from FEEDBACK_DATA_KEY, or (outside production) the demo's key file."""
    key = key_text(app)
    if not key:
        raise DataKeyError(
            "FEEDBACK_DATA_KEY is not set, so the waiting list is not available. "
            "Set it to the key the data was encrypted with."
        )
    try:
        return Fernet(key.encode() if isinstance(key, str) else key)
    except (ValueError, TypeError):
        raise DataKeyError("FEEDBACK_DATA_KEY is not a valid key (44 URL-safe base64 characters).") from None


def seal(fernet, personal):
    """Encrypt a dict of personal details."""
    return fernet.encrypt(json.dumps(personal, sort_keys=True).encode()).decode()


def unseal(fernet, token):
    """Decrypt personal details, or raise DataKeyError if the key does not fit."""
    try:
        return json.loads(fernet.decrypt(token.encode()))
    except InvalidToken:
        raise DataKeyError(
            "FEEDBACK_DATA_KEY does not match the key the waiting list was encrypted with."
        ) from None

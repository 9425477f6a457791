"""Contact details held only to send: encrypted with the data key (FEEDBACK_DATA_KEY), and a keyed
hash of a number or address for the do-not-contact list, so the list itself holds none.

The blob holds the one contact detail used and, once an invitation is made, its link's token,
so that a reminder can carry the same single-use link; it is erased with the contact.
"""

import hashlib
import hmac
from dataclasses import dataclass

from cryptography.fernet import Fernet

from feedback.waitlist import crypto
from surveys.appointments import normalise_email, normalise_mobile

DataKeyError = crypto.DataKeyError


@dataclass(frozen=True)
class ContactKeys:
    """The data key (to encrypt) and the key for keyed hashes derived from it."""

    fernet: Fernet
    hash_key: bytes


def keys_from_text(key):
    """Return ContactKeys for a data key given as text."""
    try:
        fernet = Fernet(key.encode() if isinstance(key, str) else key)
    except (ValueError, TypeError):
        raise DataKeyError("FEEDBACK_DATA_KEY is not a valid key (44 URL-safe base64 characters).") from None
    raw = key.encode() if isinstance(key, str) else key
    return ContactKeys(fernet, hmac.new(raw, b"send-feedback do-not-contact", hashlib.sha256).digest())


def configured_keys(app=None):
    """Return ContactKeys from the configured data key, or raise DataKeyError saying what to set."""
    key = crypto.key_text(app)
    if not key:
        raise DataKeyError(
            "FEEDBACK_DATA_KEY is not set, so contact details cannot be stored or "
            "used. Set it to the key they are encrypted with."
        )
    return keys_from_text(key)


def canonical(contact):
    """Return the one written form of a number or address (so the same one always hashes alike)."""
    return normalise_mobile(contact) or normalise_email(contact) or contact.strip().lower()


def contact_hash(keys, contact):
    """Return the keyed hash of a number or address, as the do-not-contact list holds it."""
    return hmac.new(keys.hash_key, canonical(contact).encode(), hashlib.sha256).hexdigest()


def seal(keys, channel, contact, token=None):
    """Encrypt the contact detail used (and the invitation's token, once there is one)."""
    details = {"mobile" if channel == "sms" else "email": contact}
    if token:
        details["token"] = token
    return crypto.seal(keys.fernet, details)


def unseal(keys, blob):
    """Return {"to": number or address, "token": the link's token or None}."""
    details = crypto.unseal(keys.fernet, blob)
    return {"to": details.get("mobile") or details.get("email"), "token": details.get("token")}

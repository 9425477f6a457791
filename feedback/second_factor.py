"""The second factor (TOTP): secrets encrypted at rest, enrolment kept server-side, codes used once.

A secret is encrypted with Fernet under a key derived (HKDF-SHA256) from ``FEEDBACK_SECRET_KEY``,
so a copy of the database alone does not give anyone codes. Keys listed in
``FEEDBACK_SECRET_KEY_FALLBACKS`` still open secrets sealed before a key change.
"""

import base64
import binascii
import hmac
from datetime import timedelta

import pyotp
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from feedback import clock

# Roles offered a second factor: those who see personal data or manage accounts.
ROLES = {"admin", "asd_team"}
# How long a new secret waits for the code that confirms it.
ENROL_TIMEOUT = timedelta(minutes=10)
_INFO = b"send-feedback second factor v1"


def _fernet_key(secret_key):
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(key)
    return Fernet(base64.urlsafe_b64encode(derived))


def sealer(config):
    """Return the Fernet that seals secrets with the app's key (and opens old keys' secrets too)."""
    keys = [config["SECRET_KEY"], *config.get("SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_key(key) for key in keys])


def seal_secret(fernet, secret):
    """Return a secret encrypted for storing."""
    return fernet.encrypt(secret.encode()).decode()


def open_secret(fernet, sealed):
    """Return the plain secret, or None if it is missing or the key does not open it."""
    if not sealed:
        return None
    try:
        return fernet.decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def new_secret():
    """Return a fresh 160-bit secret, base32 as authenticator apps expect."""
    return pyotp.random_base32(32)


def uri(secret, email):
    """Return the otpauth:// address an authenticator app reads from a QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="SEND feedback")


def step_of(secret, code, last_step=None, now=None):
    """Return the time step a six-digit code belongs to (one step either side is allowed for clock
    drift), or None if it is wrong, already used (at or before ``last_step``) or the secret is bad."""
    code = "".join((code or "").split())
    if not (len(code) == 6 and code.isdigit()) or not secret:
        return None
    try:
        totp = pyotp.TOTP(secret)
        now = now or clock.now()
        step_now = totp.timecode(now)
        for step in (step_now - 1, step_now, step_now + 1):
            if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step), code):
                return step
    except (binascii.Error, ValueError):
        return None  # a secret that is not base32 never matches
    return None


def pending_secret(fernet, user, now=None):
    """Return the enrolment secret waiting for its confirming code, or None if none or too old."""
    if not user.totp_pending or user.totp_pending_at is None:
        return None
    started = user.totp_pending_at
    if started.tzinfo is None:  # SQLite gives back naive UTC
        started = started.replace(tzinfo=clock.now().tzinfo)
    if (now or clock.now()) - started > ENROL_TIMEOUT:
        return None
    return open_secret(fernet, user.totp_pending)

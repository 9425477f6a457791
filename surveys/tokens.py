"""Single-use invitation tokens: random, stored only as a hash, with an expiry.

Pure code. A token carries 144 random bits, so guessing one is hopeless; it is stored as a
SHA-256 digest (a slow hash adds nothing for a secret this long), so a copy of the database
holds no working links.
"""

import hashlib
import re
import secrets
from datetime import timedelta

TOKEN_BYTES = 18  # 144 bits, 24 URL-safe characters: short enough for a text message
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{24}$")


def new_token():
    """Return a fresh (token, token_hash) pair."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token):
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token):
    """Return whether a string could be a token at all (cheap check before any query)."""
    return bool(TOKEN_SHAPE.match(token or ""))


def expiry(issued_at, days):
    """Return when a token issued at ``issued_at`` stops working."""
    return issued_at + timedelta(days=days)


def state(invitation, now):
    """Return 'open', 'used' or 'expired' for an invitation at ``now``."""
    if invitation.used:
        return "used"
    expires_at = invitation.expires_at
    if expires_at.tzinfo is None:  # SQLite hands back naive UTC
        expires_at = expires_at.replace(tzinfo=now.tzinfo)
    return "expired" if now >= expires_at else "open"

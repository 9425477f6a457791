"""Read-only API tokens for BI tools: made once, stored as a hash, listed, revoked, checked.

A token acts with a staff role and the same scope rules as a signed-in person of that role
(service staff: only their services). The token itself is shown once, when it is made; only
its SHA-256 is stored (a token is 256 random bits, so a plain hash is enough to look it up and
useless to a thief of the database).
"""

import hashlib
import secrets
from dataclasses import dataclass

from feedback import api_token_dao, clock, dao

PREFIX = "sfb_"  # "SEND feedback": lets secret scanners and people recognise one
ROLES = ("admin", "commissioner", "service_staff", "asd_team", "safeguarding_lead")


class TokenError(ValueError):
    """A token that cannot be made as asked; the message says why in plain words."""


@dataclass(frozen=True)
class TokenHolder:
    """Who an API request acts as: the token's name, role and services (None: every one)."""

    id: int
    name: str
    role: str
    services: frozenset | None

    @property
    def email(self):  # the audit log and the comment rules read this, as for a person
        return f"api-token:{self.name}"


def hash_token(token):
    """Return the SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _services(session, role, services):
    services = sorted({s.strip() for s in services if s and s.strip()})
    if role == "service_staff" and not services:
        raise TokenError("a service staff token needs one or more services")
    if role != "service_staff" and services:
        raise TokenError(f"a {role} token sees every service; services are for service staff tokens")
    known = dao.service_slugs(session)
    unknown = [s for s in services if s not in known]
    if unknown:
        raise TokenError(f"no service called {unknown[0]!r}")
    return ",".join(services) or None


def create(session, name, role, services, created_by):
    """Store a new token; return (row, token). The token is not kept anywhere."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise TokenError("give the token a name of 1 to 100 characters (e.g. the BI tool's)")
    if role not in ROLES:
        raise TokenError(f"the role must be one of {', '.join(ROLES)}")
    token = PREFIX + secrets.token_urlsafe(32)
    row = api_token_dao.add_token(
        session, name, role, _services(session, role, services), hash_token(token), created_by
    )
    return row, token


def holder(session, token):
    """Return the TokenHolder of a live token (and note its use), or None."""
    if not token or not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = api_token_dao.token_by_hash(session, hash_token(token))
    if row is None or row.revoked_at is not None:
        return None
    row.last_used_at = clock.now()
    services = frozenset(row.services.split(",")) if row.services else None
    return TokenHolder(row.id, row.name, row.role, services)


def listing(session):
    """Return every token, newest first (hashes only: the tokens were never kept)."""
    return api_token_dao.tokens_newest_first(session)


def revoke(session, token_id):
    """Revoke a token by id; return it, or None if there is no such token."""
    row = api_token_dao.token(session, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = clock.now()
    return row

"""Rate limits for public endpoints (survey posts, chat, invitation links) and sign-in, shared by
every worker process and every machine through the database.

Fixed one-minute windows per (bucket, client address or account). The key stored is an HMAC of
the bucket and the address, never the address itself, and windows are deleted a few minutes
after they end, so the table holds no record of who answered. Behind a reverse proxy the client
address is the one the proxy reports, if the proxy is listed in FEEDBACK_TRUSTED_PROXIES
(see feedback.proxies); otherwise it is the proxy's own.
"""

import hashlib
import hmac

from flask import current_app, request

from feedback import clock, ratelimit_dao
from feedback.db import reading, transaction
from feedback.errors import render_error
from feedback.ratelimit_dao import insert_ignoring_duplicates  # noqa: F401 (feedback.lockout's)

WINDOW = 60  # seconds
KEEP_WINDOWS = 5  # finished windows kept before they are deleted


def _key_hash(bucket, key):
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"{bucket}\0{key}".encode(), hashlib.sha256).hexdigest()


def _minute(now):
    return int((now or clock.now()).timestamp()) // WINDOW


def hit(bucket, key, limit, count=True, now=None):
    """Count one request for (bucket, key) (unless ``count`` is False, to only look); return whether
    it is within ``limit`` per window."""
    if not count:
        with reading() as session:
            return ratelimit_dao.hits(session, _key_hash(bucket, key), _minute(now)) < limit
    with transaction() as session:
        return hit_in(session, bucket, key, limit, now)


def hit_in(session, bucket, key, limit, now=None):
    """Count one request for (bucket, key) in the caller's write transaction, so a request that
    writes anyway (a survey answer) takes one turn at the database's writer, not two; return
    whether it is within ``limit`` per window. Rolled back with the caller's transaction."""
    return ratelimit_dao.add_hit(session, _key_hash(bucket, key), _minute(now), KEEP_WINDOWS) <= limit


def client_address():
    """Return the client's address (the trusted proxy's report of it, when there is one)."""
    return request.remote_addr or "unknown"


def over_limit(bucket, config_key, key=None, count=True):
    """Return whether this client (or ``key``) is over the configured per-minute limit."""
    limit = current_app.config[config_key]
    return not hit(bucket, key or client_address(), limit, count=count)


def within_limit_in(session, bucket, config_key, key=None):
    """Count this client (or ``key``) in the caller's write transaction; return whether it is
    within the configured per-minute limit (see hit_in)."""
    return hit_in(session, bucket, key or client_address(), current_app.config[config_key])


def limit_page(bucket, config_key):
    """Return a 429 page when over the limit (for use in before_request), else None."""
    if over_limit(bucket, config_key):
        return render_error(429)
    return None

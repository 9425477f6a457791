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
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from feedback import clock
from feedback.db import reading, transaction
from feedback.errors import render_error
from feedback.models import RateWindow

WINDOW = 60  # seconds
KEEP_WINDOWS = 5  # finished windows kept before they are deleted


def _insert(session, model):
    """Return an INSERT for ``model`` that can say what to do on a conflict (SQLite or PostgreSQL)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def insert_ignoring_duplicates(session, model):
    """Return an INSERT for ``model`` that does nothing when the row exists."""
    return _insert(session, model).on_conflict_do_nothing()


def _key_hash(bucket, key):
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"{bucket}\0{key}".encode(), hashlib.sha256).hexdigest()


def hit(bucket, key, limit, count=True, now=None):
    """Count one request for (bucket, key) (unless ``count`` is False, to only look); return whether
    it is within ``limit`` per window."""
    key_hash = _key_hash(bucket, key)
    minute = int((now or clock.now()).timestamp()) // WINDOW
    if not count:
        with reading() as session:
            seen = session.execute(
                select(func.coalesce(func.sum(RateWindow.hits), 0)).where(
                    RateWindow.key_hash == key_hash, RateWindow.minute == minute
                )
            ).scalar_one()
        return seen < limit
    with transaction() as session:
        statement = _insert(session, RateWindow).values(key_hash=key_hash, minute=minute, hits=1)
        statement = statement.on_conflict_do_update(
            index_elements=[RateWindow.key_hash, RateWindow.minute], set_={"hits": RateWindow.hits + 1}
        ).returning(RateWindow.hits)
        seen = session.execute(statement).scalar_one()
        if seen == 1:  # the first request of a window: tidy away finished ones
            session.execute(delete(RateWindow).where(RateWindow.minute < minute - KEEP_WINDOWS))
    return seen <= limit


def client_address():
    """Return the client's address (the trusted proxy's report of it, when there is one)."""
    return request.remote_addr or "unknown"


def over_limit(bucket, config_key, key=None, count=True):
    """Return whether this client (or ``key``) is over the configured per-minute limit."""
    limit = current_app.config[config_key]
    return not hit(bucket, key or client_address(), limit, count=count)


def limit_page(bucket, config_key):
    """Return a 429 page when over the limit (for use in before_request), else None."""
    if over_limit(bucket, config_key):
        return render_error(429)
    return None

"""Queries for read-only API tokens: store one (its hash only), find one by hash, list, revoke."""

from sqlmodel import select

from feedback.models import ApiToken


def add_token(session, name, role, services, token_hash, created_by):
    """Store a new token's row; return it (flushed, so it has its id)."""
    row = ApiToken(name=name, role=role, services=services, token_hash=token_hash, created_by=created_by)
    session.add(row)
    session.flush()
    return row


def token_by_hash(session, token_hash):
    """Return the token stored with this hash, or None."""
    return session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()


def token(session, token_id):
    """Return the token with this id, or None."""
    return session.get(ApiToken, token_id)


def tokens_newest_first(session):
    """Return every token, newest first."""
    return list(session.exec(select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))

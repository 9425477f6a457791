"""Invitation tokens: random, hashed, single use, expiring."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from surveys import tokens

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def test_tokens_carry_at_least_128_random_bits_and_differ():
    issued = {tokens.new_token()[0] for _ in range(200)}
    assert len(issued) == 200
    assert all(len(t) * 6 >= 128 and tokens.well_formed(t) for t in issued)


def test_only_the_hash_is_kept_and_it_matches_the_token():
    token, token_hash = tokens.new_token()
    assert token not in token_hash
    assert tokens.hash_token(token) == token_hash


def test_malformed_tokens_are_refused_before_any_lookup():
    assert not tokens.well_formed("short")
    assert not tokens.well_formed("x" * 23 + "<")
    assert not tokens.well_formed(None)


def _invitation(used=False, days_left=14):
    return SimpleNamespace(used=used, expires_at=NOW + timedelta(days=days_left))


def test_new_invitation_is_open():
    assert tokens.state(_invitation(), NOW) == "open"


def test_used_invitation_is_used_even_before_expiry():
    assert tokens.state(_invitation(used=True), NOW) == "used"


def test_invitation_expires_at_its_expiry_time():
    invitation = _invitation(days_left=0)
    assert tokens.state(invitation, NOW) == "expired"
    assert tokens.state(invitation, NOW - timedelta(seconds=1)) == "open"


def test_default_expiry_is_fourteen_days_after_issue():
    assert tokens.expiry(NOW, 14) == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def test_naive_expiry_from_sqlite_is_read_as_utc():
    invitation = SimpleNamespace(used=False, expires_at=datetime(2026, 11, 20, 9, 0))
    assert tokens.state(invitation, NOW) == "expired"

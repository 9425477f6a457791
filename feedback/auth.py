"""Staff sign-in: accounts, password hashing and the guard on every staff page.

Passwords are hashed with Argon2id. Unknown and known accounts get the same answer and take
about the same time (a dummy hash is verified for unknown emails), so sign-in does not say
which emails have accounts. A new session starts at sign-in.
"""

import functools
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, g, redirect, request, session, url_for
from sqlmodel import select

from feedback.db import reading
from feedback.models import StaffUser

ROLES = {
    "admin": "Administrator",
    "commissioner": "Commissioner",
    "service_staff": "Service staff",
    "asd_team": "ASD team",
    "safeguarding_lead": "Safeguarding lead",
}
MIN_PASSWORD_LENGTH = 12
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")


def hash_password(password):
    """Return an Argon2id hash of a password."""
    return _hasher.hash(password)


# The most common passwords of 12 characters or more in public breach corpora (a short list,
# checked offline; it is no substitute for a full breached-password service).
COMMON = {"123456789012", "qwertyuiopas", "password1234", "passwordpassword", "iloveyou1234",
          "1234567890qwe", "qwerty123456", "123456123456", "abcdefghijkl", "welcome12345",
          "football1234", "letmein12345", "changeme1234", "administrator", "password123!",
          "1q2w3e4r5t6y", "qazwsxedcrfv", "a1b2c3d4e5f6", "monkey123456", "sunshine1234"}


def password_problem(password):
    """Return why a password is refused, or None if it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(set(password)) < 4:
        return "Use a less repetitive password."
    if password.lower() in COMMON:
        return "That password is one of the most common and is easily guessed."
    return None


def check_password(user, password):
    """Return whether the password is the user's; always does the work of one verification."""
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def find_user(session_, email):
    """Return the active account with this email (case-insensitive), or None."""
    query = select(StaffUser).where(StaffUser.email == email.strip().lower(), StaffUser.active.is_(True))
    return session_.exec(query).first()


def sign_in(user):
    """Start a fresh session for the user."""
    session.clear()
    now = datetime.now(UTC).timestamp()
    session.update(user_id=user.id, signed_in_at=now, seen_at=now)
    session.permanent = False


def sign_out():
    session.clear()


def current_user():
    """Return the signed-in user for this request, or None (ends stale sessions)."""
    if "user" in g:
        return g.user
    g.user = None
    user_id = session.get("user_id")
    if user_id is None:
        return None
    now = datetime.now(UTC).timestamp()
    if (now - session.get("seen_at", 0) > IDLE_TIMEOUT.total_seconds()
            or now - session.get("signed_in_at", 0) > ABSOLUTE_TIMEOUT.total_seconds()):
        session.clear()
        return None
    with reading() as db_session:
        user = db_session.get(StaffUser, user_id)
    if user is None or not user.active:
        session.clear()
        return None
    session["seen_at"] = now
    g.user = user
    return user


def guard_blueprint(blueprint, roles=None, open_endpoints=()):
    """Require a signed-in user (with one of ``roles``, if given) for every route of a blueprint."""

    @blueprint.before_request
    def require_staff():
        if request.endpoint in open_endpoints:
            return None
        user = current_user()
        if user is None:
            return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))
        if roles and user.role not in roles:
            abort(403)
        return None


def requires_role(*roles):
    """Refuse a view to users without one of the roles."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None or user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def safe_next(target):
    """Return a local path to go to after sign-in, never another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("dashboard.scorecard")




"""Staff sign-in: accounts, password hashing and the guard on every staff page.

Passwords are hashed with Argon2id. Unknown and known accounts get the same answer and take
about the same time (a dummy hash is verified for unknown emails), so sign-in does not say
which emails have accounts. A new session starts at sign-in.
"""

import functools
import hmac
import re
from datetime import UTC, datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, g, redirect, request, session, url_for
from sqlmodel import select
from zxcvbn import zxcvbn

from feedback.db import reading
from feedback.models import StaffService, StaffUser

ROLES = {
    "admin": "Administrator",
    "commissioner": "Commissioner",
    "service_staff": "Service staff",
    "asd_team": "ASD team",
    "safeguarding_lead": "Safeguarding lead",
}
# Roles offered a second factor (TOTP): those who see personal data or manage accounts.
SECOND_FACTOR_ROLES = {"admin", "asd_team"}
# How long a password-checked sign-in may wait for its six-digit code.
CODE_TIMEOUT = timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 12
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")


def hash_password(password):
    """Return an Argon2id hash of a password."""
    return _hasher.hash(password)


def password_problem(password, user_inputs=()):
    """Return why a password is refused, or None if it is acceptable.

    zxcvbn (offline) matches the password against its bundled lists of breached passwords,
    common words and names, keyboard patterns, repeats and dates, and estimates the guesses an
    attacker would need; anything below its "safely unguessable" band (score 3) is refused.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(set(password)) < 4:
        return "Use a less repetitive password."
    inputs = [part for text in user_inputs for part in re.split(r"[@._+-]", text.lower()) if part]
    inputs += [re.sub(r"[^a-z0-9]", "", text.lower().split("@")[0]) for text in user_inputs]
    result = zxcvbn(password[:100], user_inputs=inputs)
    matched = {"passwords": 0, "user_inputs": 0}
    for match in result["sequence"]:
        if match.get("dictionary_name") in matched:
            matched[match["dictionary_name"]] += len(match["token"])
    if matched["user_inputs"] * 2 >= len(password):
        return "That password is mostly your name or email address. Try three or four unrelated words."
    if result["score"] >= 3:
        return None
    if matched["passwords"] * 2 >= len(password):
        return "That password is one of the most common in breached-password lists and is easily guessed."
    return "That password would be easy to guess. Try three or four unrelated words."


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


def await_code(user):
    """The password was right and the account has a second factor: wait for its code."""
    session.clear()
    session.update(pending_user_id=user.id, pending_at=datetime.now(UTC).timestamp())


def pending_user():
    """Return the account waiting for its second-factor code, or None if there is none (or it is stale)."""
    user_id = session.get("pending_user_id")
    if user_id is None:
        return None
    if datetime.now(UTC).timestamp() - session.get("pending_at", 0) > CODE_TIMEOUT.total_seconds():
        session.clear()
        return None
    with reading() as db_session:
        user = db_session.get(StaffUser, user_id)
    return user if user is not None and user.active and user.totp_secret else None


def new_totp_secret():
    return pyotp.random_base32()


def totp_uri(secret, email):
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="SEND feedback")


def totp_step(secret, code, last_step=None, now=None):
    """Return the time step a six-digit code belongs to (one step either side is allowed for clock
    drift), or None if it is wrong or was already used (a step at or before ``last_step``)."""
    code = "".join(code.split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = now or datetime.now(UTC)
    step_now = totp.timecode(now)
    for step in (step_now - 1, step_now, step_now + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def services_of(user):
    """Return the services whose results a user may see: None for every service, else a set of slugs.

    Service staff see only the services they are linked to (none if they have no links yet).
    """
    if user is None or user.role != "service_staff":
        return None
    with reading() as db_session:
        query = select(StaffService.service_slug).where(StaffService.staff_user_id == user.id)
        return set(db_session.exec(query))


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
    """Set up a blueprint of staff pages: every route needs a signed-in user (with one of
    ``roles``, if given), no response is cached, and templates see the user and role names."""

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

    @blueprint.after_request
    def no_store(response):
        response.headers["Cache-Control"] = "no-store"  # staff pages may hold personal data
        return response

    @blueprint.context_processor
    def staff_context():
        return {"user": current_user(), "roles": ROLES}


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




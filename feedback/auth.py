"""Staff sign-in: accounts, password hashing, revocable sessions and the guard on every staff page.

Passwords are hashed with Argon2id. Unknown and known accounts get the same answer and take
about the same time (a dummy hash is verified for unknown emails), so sign-in does not say
which emails have accounts. A new session starts at sign-in.

The session is a signed cookie, so it cannot be deleted on the server; instead it carries the
account's ``session_version``, checked on every request. Raising the version (sign-out,
password reset, a change of role, services or second factor, disabling, "sign out everywhere")
ends every session the account has, wherever its cookie was copied to.
"""

import functools
import re
import unicodedata
from datetime import timedelta
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, g, jsonify, redirect, request, url_for
from flask import session as cookie  # the signed session cookie (database sessions are db_session)
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
from zxcvbn import zxcvbn

from feedback import api_tokens, clock, ratelimit, second_factor, staff_dao
from feedback.db import reading, transaction

ROLES = {
    "admin": "Administrator",
    "commissioner": "Commissioner",
    "service_staff": "Service staff",
    "asd_team": "ASD team",
    "safeguarding_lead": "Safeguarding lead",
}
SECOND_FACTOR_ROLES = second_factor.ROLES
# Who reads comments flagged for safeguarding (service staff only their own services'); the
# others see how many were withheld.
SAFEGUARDING_READERS = {"safeguarding_lead", "admin", "service_staff"}
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


def sign_in(user):
    """Start a fresh session for the user."""
    cookie.clear()
    now = clock.now().timestamp()
    cookie.update(user_id=user.id, version=user.session_version, signed_in_at=now, seen_at=now)
    cookie.permanent = False


def await_code(user):
    """The password was right and the account has a second factor: wait for its code."""
    cookie.clear()
    cookie.update(pending_user_id=user.id, version=user.session_version, pending_at=clock.now().timestamp())


def pending_user():
    """Return the account waiting for its second-factor code, or None if there is none (or it is stale)."""
    user_id = cookie.get("pending_user_id")
    if user_id is None:
        return None
    if clock.now().timestamp() - cookie.get("pending_at", 0) > CODE_TIMEOUT.total_seconds():
        cookie.clear()
        return None
    with reading() as db_session:
        user = staff_dao.user(db_session, user_id)
    if user is None or not user.active or not user.totp_secret:
        return None
    return user if cookie.get("version") == user.session_version else None


def end_sessions(stored):
    """End every session of an account (a stored row, inside the caller's transaction)."""
    stored.session_version = (stored.session_version or 0) + 1


def end_sessions_of(user_id, keep_this_one=False):
    """End every session of an account; with ``keep_this_one``, carry this session on."""
    with transaction() as db_session:
        stored = staff_dao.user(db_session, user_id)
        end_sessions(stored)
        staff_dao.save_user(db_session, stored)
        version = stored.session_version
    if keep_this_one and cookie.get("user_id") == user_id:
        cookie["version"] = version


def services_of(user):
    """Return the services whose results a user may see: None for every service, else a set of slugs.

    Service staff see only the services they are linked to (none if they have no links yet).
    """
    if user is None or user.role != "service_staff":
        return None
    with reading() as db_session:
        return set(staff_dao.service_slugs_of(db_session, user.id))


def sign_out():
    """End this session and every other session of the same account (a copied cookie too)."""
    user = current_user()
    if user is not None:
        end_sessions_of(user.id)
    cookie.clear()


def current_user():
    """Return the signed-in user for this request, or None (ends stale and revoked sessions)."""
    if "user" in g:
        return g.user
    g.user = None
    user_id = cookie.get("user_id")
    if user_id is None:
        return None
    now = clock.now().timestamp()
    if (
        now - cookie.get("seen_at", 0) > IDLE_TIMEOUT.total_seconds()
        or now - cookie.get("signed_in_at", 0) > ABSOLUTE_TIMEOUT.total_seconds()
    ):
        cookie.clear()
        return None
    with reading() as db_session:
        user = staff_dao.user(db_session, user_id)
    if user is None or not user.active or cookie.get("version") != user.session_version:
        cookie.clear()
        return None
    cookie["seen_at"] = now
    g.user = user
    return user


def guard(app, blueprint, roles=None, open_endpoints=()):
    """Put a registered blueprint's pages behind sign-in, on this app: every route needs a
    signed-in user (with one of ``roles``, if given), no response is cached, and templates see the
    user and role names.

    Called in create_app, where blueprints are registered, so the rules for every staff page are
    read in one place. They are attached to the app rather than the blueprint: a blueprint is a
    module-level object registered by each app, and Flask refuses new hooks on one once it has
    been registered. The check runs before the blueprint's own hooks, so nothing of a staff page
    runs for a visitor who may not see it.
    """
    if blueprint.name not in app.blueprints:
        raise ValueError(f"register the blueprint {blueprint.name!r} before guarding it")

    def require_staff():
        if request.endpoint in open_endpoints:
            return None
        user = current_user()
        if user is None:
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        if roles and user.role not in roles:
            abort(403)
        return None

    def no_store(response):
        response.headers["Cache-Control"] = "no-store"  # staff pages may hold personal data
        return response

    def staff_context():
        return {"user": current_user(), "roles": ROLES}

    app.before_request_funcs.setdefault(blueprint.name, []).insert(0, require_staff)
    app.after_request_funcs.setdefault(blueprint.name, []).append(no_store)
    app.template_context_processors.setdefault(blueprint.name, []).append(staff_context)
    app.extensions.setdefault("staff_guards", {})[blueprint.name] = {
        "roles": set(roles or ()),
        "open_endpoints": set(open_endpoints),
    }


def guard_api(app, blueprint, open_endpoints=()):
    """Let a registered blueprint's requests through only with a live API token
    (``Authorization: Bearer <token>``), on this app; the holder is ``g.api_token``. Refused
    with a JSON problem: 401 without a live token, 429 once a client has sent too many unknown
    ones. Called in create_app beside ``guard``, before the blueprint's own hooks."""
    if blueprint.name not in app.blueprints:
        raise ValueError(f"register the blueprint {blueprint.name!r} before guarding it")

    def require_token():
        if request.endpoint in open_endpoints:
            return None
        if ratelimit.over_limit("api-token-miss", "RATE_LIMIT_TOKEN_MISSES", count=False):
            return _api_problem(429, "Too many requests with unknown tokens; wait a minute.")
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        with transaction() as session:
            found = api_tokens.holder(session, token.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            ratelimit.over_limit("api-token-miss", "RATE_LIMIT_TOKEN_MISSES")  # count the miss
            return _api_problem(
                401,
                "Send a live API token: Authorization: Bearer <token>.",
                **{"WWW-Authenticate": 'Bearer realm="api"'},
            )
        g.api_token = found
        return None

    app.before_request_funcs.setdefault(blueprint.name, []).insert(0, require_token)
    app.extensions.setdefault("api_guards", {})[blueprint.name] = {"open_endpoints": set(open_endpoints)}


def _api_problem(status, message, **headers):
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    response.headers.update(headers)
    return response


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
    """Return ``target`` if it is a page of this app to go to after sign-in, else the scorecard.

    Only a plain path is accepted: no scheme, no host, no ``//`` or backslash, and no control
    or space characters (a browser drops a tab, so ``/%09/evil.example`` would become
    ``//evil.example``), and it must be a page the app serves.
    """
    fallback = url_for("dashboard.scorecard")
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(unicodedata.category(c)[0] in "CZ" for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path.startswith("//"):
        return fallback
    try:
        current_app.url_map.bind("localhost").match(parts.path, method="GET")
    except RequestRedirect:
        pass  # a page that exists with a trailing slash
    except (NotFound, MethodNotAllowed):
        return fallback
    return target

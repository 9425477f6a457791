"""The staff blueprint: signing in and out (the password and code steps, with their waits and
locks), your own account ("sign out everywhere", the second factor) and, in feedback.user_admin,
the admin's pages for accounts. Who may open each page is set in create_app."""

import segno
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup

from feedback import audit, auth, clock, lockout, ratelimit, staff_dao
from feedback import second_factor as totp
from feedback.db import reading, transaction
from feedback.errors import render_error
from feedback.forms import CodeForm, LoginForm, PasswordCheckForm, RemoveSecondFactorForm
from feedback.staff_blueprint import bp

LOCKED = "This account is locked after too many failed sign-ins. Ask an administrator to unlock it."


def _refusal(verdict):
    """The words and headers for an attempt refused by the wait or the lock."""
    if verdict.locked:
        return LOCKED, {}
    wait = f"{verdict.wait} seconds" if verdict.wait < 120 else f"{(verdict.wait + 59) // 60} minutes"
    return f"Too many failed sign-ins. Wait {wait}, then try again.", {"Retry-After": str(verdict.wait)}


def _count_failure(email, user, what):
    """Record a failed password or code; lock the address if that was one too many."""
    audit.record(
        "sign_in_failed",
        actor=user.email if what == "code" else "anonymous",
        detail="wrong or reused code" if what == "code" else "unknown account or wrong password",
    )
    if lockout.failed(email):
        audit.record(
            "sign_in_locked",
            actor="anonymous",
            subject=user.email if user else None,
            detail=f"locked after {current_app.config['LOCKOUT_AFTER']} failures in a row",
        )


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password (waits and locks are kept by feedback.lockout)."""
    form = LoginForm()
    error, headers = None, {}
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if ratelimit.over_limit("sign-in", "RATE_LIMIT_SIGN_IN"):
            audit.record("sign_in_throttled", detail="too many attempts from one address")
            return render_error(429)
        # Counted before the password is checked; unknown addresses are counted the same way.
        verdict = lockout.claim_attempt(email)
        if not verdict.allowed:
            error, headers = _refusal(verdict)
            return render_template("dashboard/login.html", form=form, error=error), 429, headers
        with reading() as db_session:
            user = staff_dao.active_user_by_email(db_session, email)
        if auth.check_password(user, form.password.data):
            if user.totp_secret:
                lockout.password_right(email)
                auth.await_code(user)
                return redirect(url_for("accounts.login_code", next=request.args.get("next")))
            lockout.succeeded(email)
            auth.sign_in(user)
            audit.record("sign_in", user=user)
            return redirect(auth.safe_next(request.args.get("next")))
        _count_failure(email, user, "password")
        error = "The email address or password is not right."
    return render_template("dashboard/login.html", form=form, error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    """Sign out here and on every other device (the account's sessions all end)."""
    audit.record("sign_out")
    auth.sign_out()
    return redirect(url_for("accounts.login"))


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of sign-in for accounts with a second factor: the six-digit code."""
    user = auth.pending_user()
    if user is None:
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        verdict = lockout.claim_attempt(user.email)
        if not verdict.allowed:
            error, headers = _refusal(verdict)
            return render_template("dashboard/login_code.html", form=form, error=error), 429, headers
        step = _use_code(user.id, form.code.data)
        if step is not None:
            lockout.succeeded(user.email)
            auth.sign_in(user)
            audit.record("sign_in", user=user, detail="with second factor")
            return redirect(auth.safe_next(request.args.get("next")))
        _count_failure(user.email, user, "code")
        error, status = "The code is not right. Codes change every 30 seconds and each works once.", 401
    return render_template("dashboard/login_code.html", form=form, error=error), status


def _sealer():
    return totp.sealer(current_app.config)


def _use_code(user_id, code):
    """Check a code against the account's secret and spend it; return its time step or None."""
    with transaction() as db_session:
        stored = staff_dao.user(db_session, user_id)
        secret = totp.open_secret(_sealer(), stored.totp_secret)
        step = totp.step_of(secret, code, stored.totp_last_step)
        if step is not None:
            stored.totp_last_step = step
            staff_dao.save_user(db_session, stored)
    return step


@bp.get("/account")
def account():
    """Your account: how you sign in, and signing out on every other device."""
    return render_template(
        "dashboard/account.html",
        form=FlaskForm(),
        second_factor_offered=auth.current_user().role in totp.ROLES,
    )


@bp.post("/account/sign-out-everywhere")
def sign_out_everywhere():
    """End every other session of your account (a lost laptop, a shared computer)."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    user = auth.current_user()
    auth.end_sessions_of(user.id, keep_this_one=True)
    audit.record("sessions_ended", subject=user.email, detail="by the account holder, except this one")
    flash("Signed out on every other device.", "success")
    return redirect(url_for("accounts.account"))


def _qr_svg(text):
    """An inline SVG QR code; only the app's own text goes in, so it is safe to mark up."""
    code = segno.make(text, error="m")
    return Markup(code.svg_inline(scale=5, title="QR code for your authenticator app"))  # noqa: S704


@bp.route("/account/two-factor", methods=["GET", "POST"])
def two_factor():
    """Turn the second factor on (password, then scan the code and confirm one) or off (password
    and a code). The new secret stays on the server until a code confirms it."""
    user = auth.current_user()
    if user.role not in totp.ROLES:
        abort(403)
    if request.method == "POST":
        action = request.form.get("action")
        handlers = {"start": _start_enrolment, "confirm": _confirm_enrolment, "remove": _remove}
        if action not in handlers:
            return render_error(400)
        return handlers[action](user)
    return _two_factor_page(user)


def _two_factor_page(user, error=None, status=200, form=None):
    with reading() as db_session:
        stored = staff_dao.user(db_session, user.id)
    pending = None if stored.totp_secret else totp.pending_secret(_sealer(), stored)
    state = "enabled" if stored.totp_secret else "pending" if pending else "start"
    if form is None:
        form = {"enabled": RemoveSecondFactorForm, "pending": CodeForm, "start": PasswordCheckForm}[state]()
    qr = _qr_svg(totp.uri(pending, user.email)) if pending else None
    return render_template(
        "dashboard/two_factor.html", state=state, form=form, secret=pending, qr=qr, error=error
    ), status


def _password_right(user, password):
    """Check the password of a signed-in user, counting a wrong one towards the lock."""
    verdict = lockout.claim_attempt(user.email)
    if not verdict.allowed:
        return False, _refusal(verdict)[0]
    with reading() as db_session:
        stored = staff_dao.user(db_session, user.id)
    if auth.check_password(stored, password):
        lockout.succeeded(user.email)
        return True, None
    _count_failure(user.email, user, "password")
    return False, "Your password is not right."


def _start_enrolment(user):
    form = PasswordCheckForm()
    if not form.validate_on_submit():
        return _two_factor_page(user, "Enter your password.", 400, form)
    right, error = _password_right(user, form.password.data)
    if not right:
        return _two_factor_page(user, error, 400, form)
    with transaction() as db_session:
        stored = staff_dao.user(db_session, user.id)
        if stored.totp_secret:
            abort(400)
        stored.totp_pending = totp.seal_secret(_sealer(), totp.new_secret())
        stored.totp_pending_at = clock.now()
        staff_dao.save_user(db_session, stored)
    return redirect(url_for("accounts.two_factor"))


def _confirm_enrolment(user):
    form = CodeForm()
    with reading() as db_session:
        stored = staff_dao.user(db_session, user.id)
    pending = None if stored.totp_secret else totp.pending_secret(_sealer(), stored)
    if pending is None:
        return _two_factor_page(user, "That took too long. Enter your password to start again.", 400)
    step = totp.step_of(pending, form.code.data) if form.validate_on_submit() else None
    if step is None:
        return _two_factor_page(
            user, "The code is not right. Check the time on your phone and try the newest code.", 400, form
        )
    with transaction() as db_session:
        stored = staff_dao.user(db_session, user.id)
        stored.totp_secret, stored.totp_last_step = stored.totp_pending, step
        stored.totp_pending = stored.totp_pending_at = None
        auth.end_sessions(stored)
        staff_dao.save_user(db_session, stored)
        version = stored.session_version
    session["version"] = version  # this session carries on; any other one ends
    audit.record("second_factor_on", user=user)
    flash("Second factor turned on. You will be asked for a code each time you sign in.", "success")
    return redirect(url_for("accounts.two_factor"))


def _remove(user):
    form = RemoveSecondFactorForm()
    if not form.validate_on_submit():
        return _two_factor_page(user, "Enter your password and a current code.", 400, form)
    right, error = _password_right(user, form.password.data)
    if right and _use_code(user.id, form.code.data) is None:
        right, error = False, "The code is not right. Enter the newest code from your authenticator app."
    if not right:
        return _two_factor_page(user, error, 400, form)
    with transaction() as db_session:
        stored = staff_dao.user(db_session, user.id)
        stored.totp_secret = stored.totp_last_step = None
        auth.end_sessions(stored)
        staff_dao.save_user(db_session, stored)
        version = stored.session_version
    session["version"] = version
    audit.record("second_factor_off", user=user)
    flash("Second factor turned off.", "success")
    return redirect(url_for("accounts.two_factor"))

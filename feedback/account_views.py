"""Staff accounts on the web: the admin's user pages, the second factor, and its sign-in step."""

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlmodel import select

from feedback import accounts, audit, auth, ratelimit
from feedback.db import reading, transaction
from feedback.errors import render_error
from feedback.forms import CodeForm, EnrolForm, UserForm, choices
from feedback.models import Service, StaffUser

bp = Blueprint("accounts", __name__, url_prefix="/dashboard")
auth.guard_blueprint(bp, open_endpoints={"accounts.login_code"})


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of sign-in for accounts with a second factor: the six-digit code."""
    user = auth.pending_user()
    if user is None:
        return redirect(url_for("dashboard.login"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        if ratelimit.over_limit("sign-in-code", "RATE_LIMIT_SIGN_IN", key=str(user.id)):
            audit.record("sign_in_throttled", actor=user.email, detail="too many codes")
            return render_error(429)
        with transaction() as session:
            stored = session.get(StaffUser, user.id)
            step = auth.totp_step(stored.totp_secret, form.code.data, stored.totp_last_step)
            if step is not None:
                stored.totp_last_step = step
                session.add(stored)
        if step is not None:
            auth.sign_in(user)
            audit.record("sign_in", user=user, detail="with second factor")
            return redirect(auth.safe_next(request.args.get("next")))
        audit.record("sign_in_failed", actor=user.email, detail="wrong or reused code")
        error = "The code is not right. Codes change every 30 seconds and each works once."
    return render_template("dashboard/login_code.html", form=form, error=error), 401 if error else 200


def _qr_svg(text):
    """An inline SVG QR code; only the app's own text goes in, so it is safe to mark up."""
    code = segno.make(text, error="m")
    return Markup(code.svg_inline(scale=5, title="QR code for your authenticator app"))  # noqa: S704


@bp.route("/account/two-factor", methods=["GET", "POST"])
def two_factor():
    """Turn on the second factor: scan the code (or type the key) and confirm with a code."""
    user = auth.current_user()
    if user.role not in auth.SECOND_FACTOR_ROLES:
        abort(403)
    form = EnrolForm()
    error = None
    if request.method == "POST" and request.form.get("action") == "remove":
        return _remove_second_factor(user)
    if form.validate_on_submit():
        step = auth.totp_step(form.secret.data, form.code.data)
        if step is not None:
            with transaction() as session:
                stored = session.get(StaffUser, user.id)
                stored.totp_secret, stored.totp_last_step = form.secret.data, step
                session.add(stored)
            audit.record("second_factor_on", user=user)
            flash("Second factor turned on. You will be asked for a code each time you sign in.", "success")
            return redirect(url_for("accounts.two_factor"))
        error = "The code is not right. Check the time on your phone and try the newest code."
    secret = form.secret.data if error else auth.new_totp_secret()
    uri = auth.totp_uri(secret, user.email)
    return render_template("dashboard/two_factor.html", form=form, secret=secret, qr=_qr_svg(uri),
                           error=error, enabled=bool(user.totp_secret)), 400 if error else 200


def _remove_second_factor(user):
    form = CodeForm()
    with transaction() as session:
        stored = session.get(StaffUser, user.id)
        step = (auth.totp_step(stored.totp_secret, form.code.data or "", stored.totp_last_step)
                if form.validate_on_submit() and stored.totp_secret else None)
        if step is not None:
            stored.totp_secret, stored.totp_last_step = None, None
            session.add(stored)
    if step is None:
        flash("Not turned off: enter a current code from your authenticator app.", "error")
    else:
        audit.record("second_factor_off", user=user)
        flash("Second factor turned off.", "success")
    return redirect(url_for("accounts.two_factor"))


# The admin's pages.

def _user_form(user=None, services=()):
    form = UserForm(obj=None) if user is None else UserForm(
        data={"email": user.email, "role": user.role, "services": list(services), "active": user.active})
    form.role.choices = choices(auth.ROLES.items())
    if user is None and not form.role.data:
        form.role.data = "service_staff"  # the least a new account usually needs, not administrator
    with reading() as session:
        services = session.exec(select(Service).order_by(Service.name))
        form.services.choices = choices((s.slug, s.name) for s in services)
    return form


@bp.get("/users")
@auth.requires_role("admin")
def users():
    with reading() as session:
        found = accounts.all_users(session)
    return render_template("dashboard/users.html", users=found)


@bp.route("/users/new", methods=["GET", "POST"])
@auth.requires_role("admin")
def add_user():
    """Add an account. Its password is made here and shown once, to be passed on by the admin."""
    form = _user_form()
    error = None
    if form.validate_on_submit():
        password = accounts.generated_password()
        try:
            with transaction() as session:
                added = accounts.add(session, form.email.data, form.role.data, password, form.services.data)
                email, role = added.email, added.role
        except accounts.AccountError as problem:
            error = str(problem)
        else:
            audit.record("role_change", subject=email, detail=f"account added as {role}")
            return render_template("dashboard/user_password.html", email=email, password=password,
                                   added=True)
    return render_template("dashboard/user_form.html", form=form, error=error, editing=None), \
        400 if error or form.errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@auth.requires_role("admin")
def edit_user(user_id):
    """Change an account's role, services and whether it can sign in; or reset its password."""
    with reading() as session:
        user = session.get(StaffUser, user_id)
        if user is None:
            abort(404)
        services = accounts.services_of(session, user_id)
    form = _user_form(user, services) if request.method == "GET" else _user_form()
    error = None
    if form.validate_on_submit():
        try:
            with transaction() as session:
                stored = session.get(StaffUser, user_id)
                changed = accounts.change(session, stored, form.role.data, form.services.data,
                                          form.active.data, changed_by=auth.current_user())
        except accounts.AccountError as problem:
            error = str(problem)
        else:
            if changed:
                audit.record("role_change", subject=user.email, detail=changed)
            flash(f"Saved {user.email}: {changed or 'nothing changed'}.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("dashboard/user_form.html", form=form, error=error, editing=user,
                           reset_form=FlaskForm()), 400 if error or form.errors else 200


@bp.post("/users/<int:user_id>/reset")
@auth.requires_role("admin")
def reset_password(user_id):
    """Give an account a new password, shown once, and remove its second factor (a lost phone)."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    with transaction() as session:
        user = session.get(StaffUser, user_id)
        if user is None:
            abort(404)
        password = accounts.reset_password(session, user)
        email = user.email
    audit.record("password_reset", subject=email, detail="by an administrator; second factor removed")
    return render_template("dashboard/user_password.html", email=email, password=password, added=False)

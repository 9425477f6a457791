"""The admin's pages for staff accounts: add, change, disable, reset, sign out everywhere, unlock.

Each change is audited, and each that changes what an account may do ends its sessions.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask import session as browser_session
from flask_wtf import FlaskForm

from feedback import accounts, audit, auth, dao, staff_dao
from feedback.db import reading, transaction
from feedback.forms import UserForm, choices
from feedback.staff_blueprint import bp


def _user_form(user=None, services=()):
    form = (
        UserForm(obj=None)
        if user is None
        else UserForm(
            data={"email": user.email, "role": user.role, "services": list(services), "active": user.active}
        )
    )
    form.role.choices = choices(auth.ROLES.items())
    if user is None and not form.role.data:
        form.role.data = "service_staff"  # the least a new account usually needs, not administrator
    with reading() as session:
        form.services.choices = choices(dao.services_by_name(session))
    return form


@bp.get("/users")
@auth.requires_role("admin")
def users():
    with reading() as session:
        found = staff_dao.users_with_services(session)
        locked = accounts.locked(session, [user for user, _ in found])
    return render_template("dashboard/users.html", users=found, locked=locked)


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
            return render_template("dashboard/user_password.html", email=email, password=password, added=True)
    return render_template(
        "dashboard/user_form.html", form=form, error=error, editing=None
    ), 400 if error or form.errors else 200


def _account(user_id):
    with reading() as session:
        user = staff_dao.user(session, user_id)
        if user is None:
            abort(404)
        return user, staff_dao.service_slugs_of(session, user_id), bool(accounts.locked(session, [user]))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@auth.requires_role("admin")
def edit_user(user_id):
    """Change an account's role, services and whether it can sign in; or reset its password."""
    user, services, locked = _account(user_id)
    form = _user_form(user, services) if request.method == "GET" else _user_form()
    error = None
    if form.validate_on_submit():
        try:
            with transaction() as session:
                stored = staff_dao.user(session, user_id)
                changed = accounts.change(
                    session,
                    stored,
                    form.role.data,
                    form.services.data,
                    form.active.data,
                    changed_by=auth.current_user(),
                )
        except accounts.AccountError as problem:
            error = str(problem)
        else:
            if changed:
                audit.record("role_change", subject=user.email, detail=changed + "; sessions ended")
            flash(f"Saved {user.email}: {changed or 'nothing changed'}.", "success")
            return redirect(url_for("accounts.users"))
    return render_template(
        "dashboard/user_form.html",
        form=form,
        error=error,
        editing=user,
        locked=locked,
        action_form=FlaskForm(),
    ), 400 if error or form.errors else 200


def _admin_action(user_id, act):
    """Run ``act(session, stored_user)`` for a checked POST; return the account's email."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    with transaction() as session:
        stored = staff_dao.user(session, user_id)
        if stored is None:
            abort(404)
        result = act(session, stored)
        return stored.email, result


@bp.post("/users/<int:user_id>/reset")
@auth.requires_role("admin")
def reset_password(user_id):
    """Give an account a new password, shown once, remove its second factor (a lost phone), end its
    sessions and lift any sign-in lock."""

    def reset(session, stored):
        return accounts.reset_password(session, stored), accounts.unlock(session, stored)

    email, (password, was_locked) = _admin_action(user_id, reset)
    detail = "by an administrator; second factor removed; sessions ended" + (
        "; sign-in lock lifted" if was_locked else ""
    )
    audit.record("password_reset", subject=email, detail=detail)
    return render_template("dashboard/user_password.html", email=email, password=password, added=False)


@bp.post("/users/<int:user_id>/sign-out")
@auth.requires_role("admin")
def end_user_sessions(user_id):
    """End every session of an account, wherever it is signed in (the admin's own: all but this one)."""

    def end(_session, stored):
        auth.end_sessions(stored)
        return stored.session_version

    email, version = _admin_action(user_id, end)
    if user_id == auth.current_user().id:
        browser_session["version"] = version  # an admin signing themselves out elsewhere stays signed in here
    audit.record("sessions_ended", subject=email, detail="by an administrator")
    flash(f"Signed {email} out everywhere.", "success")
    return redirect(url_for("accounts.edit_user", user_id=user_id))


@bp.post("/users/<int:user_id>/unlock")
@auth.requires_role("admin")
def unlock_user(user_id):
    """Lift the lock that failed sign-ins put on an account (no email needed), audited."""
    email, was_locked = _admin_action(user_id, accounts.unlock)
    if was_locked:
        audit.record("account_unlocked", subject=email, detail="by an administrator")
    flash(f"{email} can sign in again." if was_locked else f"{email} was not locked.", "success")
    return redirect(url_for("accounts.edit_user", user_id=user_id))

"""Admins' pages for API tokens: list them, make one (shown once), revoke one."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from feedback import api_tokens, audit, auth, dao
from feedback.db import reading, transaction

bp = Blueprint("api_tokens_admin", __name__, url_prefix="/dashboard/api-tokens")


class TokenForm(FlaskForm):
    """What a new API token is called, the role it acts as and (service staff) its services."""

    name = StringField(
        "What will use it", validators=[InputRequired("Give the token a name."), Length(max=100)]
    )
    role = SelectField(
        "Role (the token sees what this role sees)",
        choices=[SelectChoice(r, auth.ROLES[r]) for r in api_tokens.ROLES],
    )
    services = SelectMultipleField("Services (service staff only)", choices=[])


class RevokeForm(FlaskForm):
    """Only the CSRF token: revoking takes no other input."""


def _form():
    form = TokenForm()
    with reading() as session:
        form.services.choices = [SelectChoice(slug, name) for slug, name in dao.services_by_name(session)]
    return form


def _page(form, made=None, status=200):
    with reading() as session:
        tokens = api_tokens.listing(session)
    return render_template(
        "dashboard/api_tokens.html", tokens=tokens, form=form, made=made, revoke_form=RevokeForm()
    ), status


@bp.get("/")
def tokens():
    """Every API token: name, role, services, last use, state (never the token itself)."""
    return _page(_form())


@bp.post("/")
def make():
    """Make a token and show it once, on this response only."""
    form = _form()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        with transaction() as session:
            row, token = api_tokens.create(
                session, form.name.data, form.role.data, form.services.data, auth.current_user().email
            )
            token_id, name = row.id, row.name
    except api_tokens.TokenError as error:
        form.name.errors = [f"{str(error)[:1].upper()}{str(error)[1:]}."]
        return _page(form, status=400)
    audit.record("api_token_made", subject=f"api token {token_id}", detail=f"{name} ({form.role.data})")
    return _page(_form(), made={"id": token_id, "name": name, "token": token})


@bp.post("/<int:token_id>/revoke")
def revoke(token_id):
    """Revoke a token; it stops working at once."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    with transaction() as session:
        row = api_tokens.revoke(session, token_id)
        name = row.name if row else None
    if name is None:
        abort(404)
    audit.record("api_token_revoked", subject=f"api token {token_id}", detail=name)
    flash(f"Revoked the API token for {name}.", "success")
    return redirect(url_for("api_tokens_admin.tokens"))

"""Staff make single-use invitation links for their own services: QR cards to print, or a CSV."""

import io

from flask import Blueprint, abort, current_app, render_template, send_file
from sqlmodel import select

from feedback import audit, auth, clock
from feedback.db import reading, transaction
from feedback.forms import InvitationForm, choices
from feedback.models import District, Service
from surveys import dao, invitations

bp = Blueprint("invitations", __name__, url_prefix="/dashboard/invitations")
auth.guard_blueprint(bp, roles={"admin", "service_staff"})


def _form():
    visible = auth.services_of(auth.current_user())
    form = InvitationForm()
    with reading() as session:
        form.survey.choices = choices((d.slug, d.title) for d in dao.latest_definitions(session)
                                      if not d.scored)
        form.service.choices = choices((s.slug, s.name) for s in session.exec(
            select(Service).order_by(Service.name)) if visible is None or s.slug in visible)
        form.district.choices = choices([("", "Not recorded")] + [
            (d.slug, d.name) for d in session.exec(select(District).order_by(District.name))])
    return form


@bp.route("/", methods=["GET", "POST"])
def make():
    """Choose a survey, a service and how many; download the links."""
    form = _form()
    if not form.service.choices:
        return render_template("dashboard/invitations.html", form=form, no_services=True)
    if not form.validate_on_submit():
        return render_template("dashboard/invitations.html", form=form), 400 if form.errors else 200
    district = form.district.data or None
    if district and district not in {choice.value for choice in form.district.choices}:
        abort(400)
    with transaction() as session:
        links = invitations.issue(
            session, instrument_slug=form.survey.data, service=dao.service(session, form.service.data),
            district_slug=district, appointment_date=form.appointment_date.data, count=form.count.data,
            base_url=current_app.config["BASE_URL"], now=clock.now(),
            days=current_app.config["INVITATION_DAYS"])
    audit.record("invitations", subject=form.service.data,
                 detail=f"{len(links)} {form.survey.data} links as {form.output.data}")
    name = f"invitations-{form.service.data}-{clock.today():%Y-%m-%d}.{form.output.data}"
    buffer = io.BytesIO()
    if form.output.data == "pdf":
        invitations.write_pdf(links, buffer)
        mimetype = "application/pdf"
    else:
        text = io.StringIO()
        invitations.write_csv(links, text)
        buffer.write(text.getvalue().encode())
        mimetype = "text/csv"
    buffer.seek(0)
    return send_file(buffer, mimetype=mimetype, as_attachment=True, download_name=name)

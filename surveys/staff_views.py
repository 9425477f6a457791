"""Staff make single-use invitation links for their own services (QR cards to print, or a CSV), send
them by text message to a pasted list of appointments, and see what was sent, delivered and answered."""

import io
from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for

from feedback import audit, auth, clock
from feedback.db import reading, transaction
from feedback.forms import InvitationForm, choices
from surveys import appointments, contact, dao, intake, invitations, sending_dao, sending_report
from surveys.sending_forms import PastedAppointmentsForm

bp = Blueprint("invitations", __name__, url_prefix="/dashboard/invitations")
WEEKS_SHOWN = 26


def _form():
    visible = auth.services_of(auth.current_user())
    form = InvitationForm()
    with reading() as session:
        form.survey.choices = choices(
            (d.slug, d.title) for d in dao.latest_definitions(session) if not d.scored
        )
        form.service.choices = choices(
            (s.slug, s.name) for s in dao.services_by_name(session) if visible is None or s.slug in visible
        )
        form.district.choices = choices(
            [("", "Not recorded")] + [(d.slug, d.name) for d in dao.districts_by_name(session)]
        )
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
            session,
            instrument_slug=form.survey.data,
            service=dao.service(session, form.service.data),
            district_slug=district,
            appointment_date=form.appointment_date.data,
            count=form.count.data,
            base_url=current_app.config["BASE_URL"],
            now=clock.now(),
            days=current_app.config["INVITATION_DAYS"],
        )
    audit.record(
        "invitations",
        subject=form.service.data,
        detail=f"{len(links)} {form.survey.data} links as {form.output.data}",
    )
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


def _visible_services(session):
    visible = auth.services_of(auth.current_user())
    return [(s.slug, s.name) for s in dao.services_by_name(session) if visible is None or s.slug in visible]


def _paste_form():
    form = PastedAppointmentsForm()
    with reading() as session:
        form.service.choices = choices(_visible_services(session))
        form.district.choices = choices(
            [("", "Not recorded")] + [(d.slug, d.name) for d in dao.districts_by_name(session)]
        )
    form.language.choices = choices(intake.policy().languages.items())
    return form


def _paste_page(form, problems=(), status=200, no_services=False):
    response = current_app.make_response(
        (
            render_template(
                "dashboard/invitations_paste.html",
                form=form,
                problems=problems,
                no_services=no_services,
                hours=current_app.config["SEND_HOURS"],
            ),
            status,
        )
    )
    response.headers["Cache-Control"] = "no-store"  # the page may hold the numbers pasted
    return response


@bp.route("/send", methods=["GET", "POST"])
def send_by_text():
    """Paste appointments for a service without a feed; each family gets a text after it."""
    form = _paste_form()
    if not form.service.choices:
        return _paste_page(form, no_services=True)
    if not form.validate_on_submit():
        return _paste_page(form, status=400 if form.errors else 200)
    if form.district.data and form.district.data not in {c.value for c in form.district.choices}:
        abort(400)
    try:
        keys = contact.configured_keys()
        lines, records = appointments.read_pasted(
            form.appointments.data,
            form.service.data,
            form.district.data,
            form.respondent.data,
            form.language.data,
        )
    except (contact.DataKeyError, appointments.AppointmentFileError) as error:
        return _paste_page(form, [str(error)], 400)
    rows, rejected = intake.check(records, intake.known(), clock.now(), lines=lines)
    if rejected:
        return _paste_page(form, [f"Line {r.line}: {r.reason}" for r in rejected], 400)
    summary = intake.summary(intake.save(rows, keys), rejected)
    audit.record("appointments_pasted", subject=form.service.data, detail=summary[:300])
    flash(f"{summary} Each is sent a text message or email after the appointment, within sending hours.")
    return redirect(url_for(".sent", service=form.service.data), 303)


@bp.get("/sent")
def sent():
    """Invitations sent by text message or email for a service, by week: sent, delivered, answered."""
    with reading() as session:
        services = _visible_services(session)
        slug = request.args.get("service") or (services[0][0] if services else None)
        if slug not in dict(services):
            abort(404)
        today = clock.today()
        first = today - timedelta(weeks=WEEKS_SHOWN - 1)
        counts = sending_dao.weekly_counts(
            session, slug, datetime.combine(first, time(), tzinfo=UTC) - timedelta(days=first.weekday())
        )
    weeks = sending_report.weeks(counts, first, today)
    name = dict(services)[slug]
    return render_template(
        "dashboard/invitations_sent.html",
        services=services,
        service=slug,
        name=name,
        weeks=weeks,
        chart=sending_report.bar_chart(weeks, f"Invitations sent, delivered and answered by week: {name}"),
    )

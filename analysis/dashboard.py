"""The staff dashboard: scorecard, exceptions, a KPI's chart and breakdowns, comments, exports."""

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from analysis import charts, dao, exports, scorecard_reads
from analysis.scorecard_reads import MonthError
from analysis.sentiment import label as sentiment_label
from feedback import audit, auth, clock
from feedback.db import reading, transaction
from feedback.forms import ManualValueForm
from feedback.waitlist import links as letter_links

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.context_processor
def dashboard_context():
    return {"kpi_url": kpi_url}


def kpi_url(figure, month):
    """Return the address of a KPI's page for a month."""
    return url_for("dashboard.kpi", plan=figure.plan.slug, ref=figure.kpi.ref, month=month.strftime("%Y-%m"))


def _month_from_request():
    """Return the requested month (default: the newest with answers), or abort with 404."""
    text = request.args.get("month")
    if not text:
        latest = scorecard_reads.latest_month()
        return latest or clock.today().replace(day=1)
    try:
        return scorecard_reads.parse_month(text)
    except MonthError:
        abort(400)  # a month that is malformed, in the future or before the service existed


def _view(month):
    try:
        return scorecard_reads.month_view(month, require_data=False)
    except MonthError:
        abort(404)


@bp.get("/")
def scorecard():
    """The month's scorecard, every KPI of every plan, with trends."""
    month = _month_from_request()
    view = _view(month)
    sparks = {(f.plan.slug, f.kpi.ref): _sparkline(view.trend(f)) for _, fs in view.card for f in fs}
    return render_template("dashboard/scorecard.html", view=view, sparks=sparks, months=_month_choices())


def _sparkline(trend):
    return charts.sparkline([f.value for f in trend], [f.target for f in trend])


def _month_choices():
    # Snapshot months, not a scan of every response: the dashboard reads figures only.
    with reading() as session:
        return dao.months_with_figures(session) or dao.months_with_responses(session)


@bp.post("/refresh")
@auth.requires_role("admin")
def refresh_figures():
    """Work out a month's figures now, rather than at the next 15-minute refresh (admins)."""
    from analysis import freshness

    month = _month_from_request()
    written = freshness.refresh_month(month)
    audit.record("refresh_figures", subject=f"{month:%Y-%m}", detail=f"{written} snapshot rows")
    flash(f"The figures for {month:%B %Y} have been worked out again.", "success")
    return redirect(url_for("dashboard.scorecard", month=month.strftime("%Y-%m")))


@bp.get("/exceptions")
def exceptions():
    """Only the KPIs that are Red or Amber, as the boards' exception reports show them."""
    view = _view(_month_from_request())
    return render_template(
        "dashboard/exceptions.html",
        view=view,
        months=_month_choices(),
        figures=view.exceptions(),
    )


@bp.get("/kpi/<plan>/<ref>")
def kpi(plan, ref):
    """One KPI: a chart against its trajectory, the figures, and breakdowns."""
    view = _view(_month_from_request())
    plan_def, kpi_def = view.find(plan, ref)
    if kpi_def is None:
        abort(404)
    trend = view.series(plan_def, kpi_def)
    chart = charts.line_chart(
        [f"{f.month:%b %y}" for f in trend],
        [f.value for f in trend],
        [f.target for f in trend],
        title=f"{kpi_def.ref}: monthly value against the plan's target",
        description=f"{kpi_def.wording}. Twelve months to {view.month:%B %Y}; the figures are "
        "in the table below the chart.",
    )
    breakdowns = (
        {
            scope: _own(scorecard_reads.breakdowns(view, plan_def, kpi_def, scope))
            for scope in _breakdown_scopes(kpi_def)
        }
        if kpi_def.surveyed
        else {}
    )
    return render_template(
        "dashboard/kpi.html",
        view=view,
        plan=plan_def,
        kpi=kpi_def,
        trend=trend,
        chart=chart,
        breakdowns=breakdowns,
        names=_scope_names(),
        form=ManualValueForm(),
        months=_month_choices(),
    )


def _visible_services():
    """The services the signed-in user may see results and comments of: None means every one
    (read once per request)."""
    if "visible_services" not in g:
        g.visible_services = auth.services_of(auth.current_user())
    return g.visible_services


def _breakdown_scopes(kpi=None):
    # Service staff see their own services' results; providers and districts mix in other services'.
    if _visible_services() is not None:
        return ("service",)
    # Only answers that came from a waiting-list letter's short link carry the letter's number.
    if kpi is None or kpi.instrument == letter_links.SURVEY:
        return ("service", "provider", "district", "letter")
    return ("service", "provider", "district")


def _own(figures):
    """Keep only the breakdown rows of services the user may see (after suppression, so that
    the hidden rows still protect small counts)."""
    visible = _visible_services()
    if visible is None:
        return figures
    return [f for f in figures if f.scope.split(":", 1)[1] in visible]


def _scope_names():
    with reading() as session:
        return dao.scope_names(session)


@bp.post("/kpi/<plan>/<ref>/value")
@auth.requires_role("admin", "commissioner")
def enter_value(plan, ref):
    """Enter a month's value by hand for a KPI not answered through surveys."""
    month = _month_from_request()
    form = ManualValueForm()
    target = url_for("dashboard.kpi", plan=plan, ref=ref, month=month.strftime("%Y-%m"))
    if not form.validate_on_submit():
        flash("Enter a percentage from 0 to 100.", "error")
        return redirect(target)
    try:
        value = scorecard_reads.parse_value(form.value.data)
        with transaction() as session:
            plan_def = next((p for p in dao.plans(session) if p.slug == plan), None)
            kpi_def = plan_def.kpi(ref) if plan_def else None
            if kpi_def is None or kpi_def.surveyed:
                abort(404)
            dao.save_manual_value(
                session, plan, ref, month, value, auth.current_user().email, form.note.data or None
            )
    except ValueError as error:
        flash(f"Not saved: {error}.", "error")
        return redirect(target)
    flash(f"Saved {value:g}% for {month:%B %Y}.", "success")
    return redirect(target)


@bp.get("/comments")
def comments():
    """What families said, newest first, by service and month, searchable."""
    month = None
    if request.args.get("month"):
        month = _month_from_request()
    service_slug = request.args.get("service") or None
    search = (request.args.get("q") or "").strip()[:100]
    visible = _visible_services()
    if visible is not None and service_slug is not None and service_slug not in visible:
        abort(403)  # another service's comments, asked for by changing the address
    with reading() as session:
        found = dao.comments(session, service_slug, month, search, services=visible)
        services = [s for s in dao.services(session) if visible is None or s.slug in visible]
    # Flagged comments may describe a child at risk: only the safeguarding lead, admins and the
    # service's own staff read them; everyone else sees how many there were.
    withheld = 0
    if auth.current_user().role not in auth.SAFEGUARDING_READERS:
        withheld = sum(1 for comment, _ in found if comment.flagged)
        found = [(c, r) for c, r in found if not c.flagged]
    return render_template(
        "dashboard/comments.html",
        comments=found,
        services=services,
        names={s.slug: s.name for s in services},
        month=month,
        service_slug=service_slug,
        search=search,
        months=_month_choices(),
        sentiment=sentiment_label,
        withheld=withheld,
    )


def _download(body, filename, mimetype):
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@bp.get("/export/scorecard.<fmt>")
def export_scorecard(fmt):
    """The scorecard (or a breakdown, with ?by=) as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    view = _view(_month_from_request())
    by = request.args.get("by")
    if by not in (None, "service", "provider", "district", "letter"):
        abort(404)
    if by is not None and by not in _breakdown_scopes():
        abort(403)
    figures = (
        [f for _, fs in view.card for f in fs]
        if by is None
        else [
            b
            for plan, fs in view.card
            for f in fs
            if f.kpi.surveyed
            for b in _own(scorecard_reads.breakdowns(view, plan, f.kpi, by))
        ]
    )
    header, rows = exports.figure_rows(figures)
    name = f"scorecard-{view.month:%Y-%m}{'-by-' + by if by else ''}.{fmt}"
    audit.record("export", subject=name)
    if fmt == "csv":
        return _download(exports.to_csv(header, rows), name, "text/csv")
    return _download(
        exports.to_xlsx(header, rows),
        name,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.get("/export/fft-return.csv")
def fft_return():
    """The FFT monthly return: per service, answers to the FFT question by answer and by mode."""
    month = _month_from_request()
    header, rows = scorecard_reads.fft_return(month, _visible_services())
    return _download(exports.to_csv(header, rows), f"fft-return-{month:%Y-%m}.csv", "text/csv")


@bp.get("/audit")
@auth.requires_role("admin")
def audit_log():
    """The audit log, newest first (admins only)."""
    return render_template("dashboard/audit.html", events=audit.recent())


@bp.get("/reports")
def reports():
    """The monthly board reports written on the 1st of each month."""
    with reading() as session:
        months = dao.reports(session)
    return render_template("dashboard/reports.html", months=months)


@bp.get("/reports/<month>")
def report(month):
    """A stored monthly board report, print-ready."""
    try:
        first = scorecard_reads.parse_month(month)
    except MonthError:
        abort(404)
    with reading() as session:
        stored = dao.report(session, first)
    if stored is None:
        abort(404)
    return stored.html

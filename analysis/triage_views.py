"""Staff pages for closing the loop: comments to triage (new first, with themes, sentiment and
any safeguarding flag), theme corrections, and counts by theme and month as a chart."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from analysis import charts, dao, measures, scorecard_reads, triage, triage_dao
from analysis.scorecard_reads import MonthError
from analysis.sentiment import label as sentiment_label
from feedback import audit, auth, clock
from feedback.db import reading, transaction

bp = Blueprint("triage", __name__, url_prefix="/dashboard")
# Who may change a comment's state, owner and themes (service staff: their own services only).
TRIAGE_ROLES = ("admin", "commissioner", "service_staff", "safeguarding_lead")
CHART_MONTHS = 6


def visible_services():
    """The services the signed-in user may see comments of (None: every one), once per request."""
    if "visible_services" not in g:
        g.visible_services = auth.services_of(auth.current_user())
    return g.visible_services


def reads_flagged():
    """Whether the signed-in user may read comments flagged for safeguarding."""
    return auth.current_user().role in auth.SAFEGUARDING_READERS


def _month_arg(default=None):
    text = request.args.get("month")
    if not text:
        return default
    try:
        return scorecard_reads.parse_month(text)
    except MonthError:
        abort(400)


def _service_arg():
    slug = request.args.get("service") or None
    visible = visible_services()
    if slug and visible is not None and slug not in visible:
        abort(403)  # another service's comments, asked for by changing the address
    return slug


@bp.get("/triage")
def triage_list():
    """Comments to triage: new ones first, with their themes, sentiment and safeguarding flag."""
    book = triage.codebook()
    state = request.args.get("state") if request.args.get("state") in triage_dao.STATES else None
    theme = request.args.get("theme") if book and request.args.get("theme") in book.slugs else None
    month, service_slug = _month_arg(), _service_arg()
    with reading() as session:
        found = triage_dao.triage_list(session, visible_services(), state, theme, service_slug, month)
        every_service = dao.services(session)
        counts = triage_dao.state_counts(session, visible_services())
        withheld = 0
        if not reads_flagged():  # flagged comments may describe a child at risk
            withheld = sum(1 for comment, _ in found if comment.flagged)
            found = [(c, r) for c, r in found if not c.flagged]
        themes = triage_dao.themes_of(session, [c.id for c, _ in found])
    return render_template(
        "dashboard/themes_triage.html",
        comments=found,
        themes=themes,
        names=book.names() if book else {},
        services=[s for s in every_service if visible_services() is None or s.slug in visible_services()],
        service_names={s.slug: s.name for s in every_service},
        state=state,
        theme=theme,
        month=month,
        service_slug=service_slug,
        counts=counts,
        states=triage_dao.STATES,
        withheld=withheld,
        sentiment=sentiment_label,
        months=_months(),
        can_triage=auth.current_user().role in TRIAGE_ROLES,
    )


def dao_services():
    with reading() as session:
        return dao.services(session)


def _months():
    with reading() as session:
        return dao.months_with_responses(session)


def _editable_comment(comment_id):
    """Return the comment a user may triage, or abort (404 for one they may not see at all)."""
    if auth.current_user().role not in TRIAGE_ROLES:
        abort(403)
    with reading() as session:
        comment, response = triage_dao.comment_and_response(session, comment_id)
    visible = visible_services()
    if (
        comment is None
        or (comment.flagged and not reads_flagged())
        or (
            visible is not None
            and response.service_slug not in visible
            and comment.owner_service_slug not in visible
        )
    ):
        abort(404)
    return comment


def _back():
    target = request.form.get("back") or ""
    return redirect(
        auth.safe_next(target) if target.startswith("/dashboard/triage") else url_for("triage.triage_list")
    )


@bp.post("/triage/<int:comment_id>")
def update_comment(comment_id):
    """Set a comment's state (new, reviewed, acted on) and the service that owns it."""
    comment = _editable_comment(comment_id)
    state = request.form.get("state")
    owner = request.form.get("owner") or None
    if state not in triage_dao.STATES:
        abort(400)
    visible = visible_services()
    if owner is not None and (
        owner not in {s.slug for s in dao_services()} or (visible is not None and owner not in visible)
    ):
        abort(400)
    with transaction() as session:
        triage_dao.set_state(session, comment.id, state, owner)
    audit.record(
        "triage_comment", subject=f"comment:{comment.id}", detail=f"state={state} owner={owner or '-'}"
    )
    flash(f"Comment marked {triage_dao.STATES[state].lower()}.", "success")
    return _back()


@bp.post("/triage/<int:comment_id>/themes")
def correct_themes(comment_id):
    """Add or remove a theme of a comment; the correction is kept and audited."""
    comment = _editable_comment(comment_id)
    book = triage.codebook()
    slug, change = request.form.get("theme"), request.form.get("change")
    if book is None or slug not in book.slugs or change not in ("add", "remove"):
        abort(400)
    user = auth.current_user()
    with transaction() as session:
        changed = triage_dao.correct_theme(
            session, comment.id, slug, change == "add", user.email, clock.now()
        )
    if changed:
        audit.record(f"theme_{change}", subject=f"comment:{comment.id}", detail=slug)
        flash(
            f"Theme \u201c{book.names()[slug]}\u201d {'added' if change == 'add' else 'removed'}.", "success"
        )
    return _back()


@bp.get("/themes")
def theme_counts():
    """Comments by theme and month: a chart of the chosen month and a table of six months."""
    book = triage.codebook()
    latest = scorecard_reads.latest_month() or clock.today().replace(day=1)
    month, service_slug = _month_arg(latest), _service_arg()
    months = measures.previous_months(month, CHART_MONTHS)
    visible = visible_services()
    scope = {service_slug} if service_slug else visible
    with reading() as session:
        counts = triage_dao.theme_counts(session, months, scope)
        services = [s for s in dao.services(session) if visible is None or s.slug in visible]
    slugs = book.slugs if book else sorted({theme for _, theme in counts})
    names = book.names() if book else {s: s for s in slugs}
    this_month = [(names[s], counts.get((month, s), 0)) for s in slugs]
    chart = charts.bar_chart(
        this_month,
        title=f"Comments by theme, {month:%B %Y}",
        description="How many comments had each theme; a comment can have "
        "several. The figures are in the table below.",
    )
    table = [(s, names[s], [counts.get((m, s), 0) for m in months]) for s in slugs]
    return render_template(
        "dashboard/themes.html",
        chart=chart,
        table=table,
        months=months,
        month=month,
        choices=_months(),
        services=services,
        service_slug=service_slug,
    )

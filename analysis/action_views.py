"""Staff pages for "You said, we did": record an action against a theme and service, and a lead
approves it before it is public."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from analysis import actions, actions_dao, dao, measures, scorecard_reads, triage
from analysis.triage_views import reads_flagged, visible_services
from feedback import audit, auth, clock
from feedback.db import reading, transaction

bp = Blueprint("actions", __name__, url_prefix="/dashboard/actions")


def _choices():
    """Return (services the user may act for, theme names, {(plan, ref): wording})."""
    visible = visible_services()
    book = triage.codebook()
    with reading() as session:
        services = [s for s in dao.services(session) if visible is None or s.slug in visible]
        kpis = {(p.slug, k.ref): k.wording for p in dao.plans(session) for k in p.kpis}
    return services, (book.names() if book else {}), kpis


@bp.get("")
def list_actions():
    """Actions waiting for approval first, then the approved and withdrawn ones."""
    with reading() as session:
        found = actions_dao.actions(session, visible_services())
        names = {s.slug: s.name for s in dao.services(session)}
    book = triage.codebook()
    user = auth.current_user()
    return render_template(
        "dashboard/actions.html",
        actions=found,
        names=names,
        themes=book.names() if book else {},
        user_email=user.email,
        can_approve=user.role in actions.APPROVERS,
        can_record=user.role in actions.RECORDERS,
    )


def _comment_for(comment_id):
    """Return the comment an action is recorded against, if the user may see it (else None)."""
    if comment_id is None:
        return None
    from analysis import triage_dao

    with reading() as session:
        comment, response = triage_dao.comment_and_response(session, comment_id)
    visible = visible_services()
    if (
        comment is None
        or (comment.flagged and not reads_flagged())
        or (visible is not None and response.service_slug not in visible)
    ):
        abort(404)
    return comment


@bp.route("/new", methods=["GET", "POST"])
@auth.requires_role(*actions.RECORDERS)
def new():
    """Record what was done about a theme in a service (or about one comment)."""
    services, themes, kpis = _choices()
    comment_id = request.values.get("comment_id", type=int)
    comment = _comment_for(comment_id)
    form = request.form if request.method == "POST" else _prefilled(services, themes)
    problems = []
    if request.method == "POST":
        draft, problems = actions.check(
            form, {s.slug for s in services}, set(themes), set(kpis), clock.today()
        )
        if draft:
            with transaction() as session:
                stored = actions_dao.add_action(
                    session, draft, comment_id, auth.current_user().email, clock.now()
                )
            audit.record("action_recorded", subject=f"action:{stored.id}", detail=draft.theme)
            flash("Action recorded. A lead must approve it before it is public.", "success")
            return redirect(url_for("actions.list_actions"))
    return render_template(
        "dashboard/action_form.html",
        form=form,
        services=services,
        themes=themes,
        kpis=kpis,
        problems=problems,
        comment=comment,
    )


def _prefilled(services, themes):
    """Start the form from ?service=&theme= with the number of comments of the last three months."""
    fields = {key: request.args.get(key, "") for key in ("service", "theme")}
    if fields["service"] in {s.slug for s in services} and fields["theme"] in themes:
        months = measures.previous_months(scorecard_reads.latest_month() or clock.today().replace(day=1), 3)
        with reading() as session:
            fields["comments_behind"] = actions_dao.comments_with_theme(
                session, fields["service"], fields["theme"], months
            )
    fields["changed_on"] = clock.today().isoformat()
    return fields


def _action_or_404(action_id):
    with reading() as session:
        found = actions_dao.action(session, action_id)
    visible = visible_services()
    if found is None or (visible is not None and found.service_slug not in visible):
        abort(404)
    return found


@bp.post("/<int:action_id>/approve")
@auth.requires_role(*actions.APPROVERS)
def approve(action_id):
    """A lead approves a draft: from now on it is on the public page."""
    found = _action_or_404(action_id)
    user = auth.current_user()
    refusal = actions.may_approve(user.role, user.email, found)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("actions.list_actions"))
    with transaction() as session:
        actions_dao.set_status(session, found.id, "approved", user.email, clock.now())
    audit.record("action_approved", subject=f"action:{found.id}")
    flash("Approved: it is now on the public \u201cYou said, we did\u201d page.", "success")
    return redirect(url_for("actions.list_actions"))


@bp.post("/<int:action_id>/withdraw")
@auth.requires_role(*actions.RECORDERS)
def withdraw(action_id):
    """Take an action off the public page (or drop a draft)."""
    found = _action_or_404(action_id)
    if found.status == "withdrawn":
        abort(409)
    with transaction() as session:
        actions_dao.set_status(session, found.id, "withdrawn")
    audit.record("action_withdrawn", subject=f"action:{found.id}")
    flash("Withdrawn: it is not public.", "success")
    return redirect(url_for("actions.list_actions"))

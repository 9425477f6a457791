"""Staff pages: each delivery group's stored monthly digests, for the group's members (staff
linked to one of its services; administrators, commissioners and leads see every group)."""

from flask import Blueprint, abort, render_template

from analysis import actions_dao, groups, scorecard_reads
from analysis.loop_jobs import configured_groups
from analysis.scorecard_reads import MonthError
from analysis.triage_views import visible_services
from feedback.db import reading

bp = Blueprint("groups", __name__, url_prefix="/dashboard/groups")


def _my_groups():
    return groups.members(configured_groups(), visible_services())


@bp.get("")
def list_groups():
    """The delivery groups the user belongs to, with their digests."""
    mine = _my_groups()
    with reading() as session:
        months = {g.slug: actions_dao.digest_months(session, g.slug) for g in mine}
    return render_template("dashboard/groups.html", groups=mine, months=months)


@bp.get("/<group>/<month>")
def digest(group, month):
    """A delivery group's stored digest for a month."""
    chosen = next((g for g in _my_groups() if g.slug == group), None)
    try:
        first = scorecard_reads.parse_month(month)
    except MonthError:
        abort(404)
    if chosen is None:
        abort(404)
    with reading() as session:
        stored = actions_dao.digest(session, chosen.slug, first)
    if stored is None:
        abort(404)
    return stored.html

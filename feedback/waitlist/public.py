"""The page behind the short survey link printed in every waiting-list letter:
/l/<pathway>-<letter>-<district> sends the parent on to the waiting-list survey with those three
(what a link carries, and how it is read, is feedback.waitlist.links).
"""

from flask import Blueprint, abort, redirect, url_for

from feedback.db import reading
from feedback.waitlist import dao, tracker
from feedback.waitlist.links import SERVICE, SURVEY, parse

bp = Blueprint("letter_links", __name__, url_prefix="/l")


@bp.get("/<code>")
def letter_survey(code):
    """Send a parent from a letter's short link to the waiting-list survey."""
    with reading() as session:
        districts = dao.district_slugs(session)
    found = parse(code.lower(), tracker.policy().pathways, districts)
    if found is None:
        abort(404)
    pathway, number, district = found
    args = {"service": SERVICE, "pathway": pathway, "letter": number}
    if district:
        args["district"] = district
    return redirect(url_for("respondents.open_survey", slug=SURVEY, **args), code=302)

"""The short survey link printed in every waiting-list letter: /l/<pathway>-<letter>-<district>.

It carries only the pathway, the letter's number and the district, never who the family is, and
sends the parent on to the waiting-list survey with those three, so that the waiting-list
experience (APP 3.3) can be broken down by the letter families had received.
"""

from flask import Blueprint, abort, redirect, url_for

from feedback.db import reading
from feedback.waitlist import dao, tracker

bp = Blueprint("letter_links", __name__, url_prefix="/l")
SURVEY, SERVICE = "asd-support", "asd-nd-pathway"


def letter_number(text):
    """Return a letter's number (1 to 99) from its written form, or None if it is not one."""
    if not text or not (text.isascii() and text.isdigit()) or not 0 < int(text) <= 99:
        return None
    return int(text)


def parse(code, pathways, districts):
    """Return (pathway, letter number, district or None) from a link's code, or None."""
    pathway, _, rest = code.partition("-")
    number, _, district = rest.partition("-")
    if pathway not in pathways or letter_number(number) is None:
        return None
    if district != "all" and district not in districts:
        return None
    return pathway, letter_number(number), None if district == "all" else district


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

"""The public "You said, we did" page (plain and easy read), its JSON feed and the small block a
Local Offer website embeds with one script tag (no cookies). Only approved actions are shown,
and never a comment's text or who recorded or approved an action."""

from pathlib import Path

from flask import Blueprint, abort, jsonify, render_template, request, send_from_directory

from analysis import dao, loop_service
from feedback.db import reading

bp = Blueprint("you_said", __name__)
STATIC = Path(__file__).parent / "static"


def _service():
    slug = request.args.get("service") or None
    if slug is None:
        return None, None
    with reading() as session:
        names = {s.slug: s.name for s in dao.services(session)}
    if slug not in names:
        abort(404)
    return slug, names[slug]


def _page(easy):
    slug, name = _service()
    entries = loop_service.public_entries(slug)
    with reading() as session:
        services = dao.services(session)
    return render_template(
        "pages/you_said_we_did.html",
        entries=entries,
        easy=easy,
        service_slug=slug,
        service_name=name,
        services=services,
    )


@bp.app_template_global("you_said_we_did")
def approved_in_month(month):
    """The actions approved in a month, for the board report's "You said, we did" section."""
    return loop_service.approved_in_month(month)


@bp.get("/you-said-we-did")
def page():
    """What families told us and what changed, in plain English (?service= for one service)."""
    return _page(easy=request.args.get("easy") == "1")


@bp.get("/you-said-we-did/easy-read")
def easy_read():
    """The same, in easy-read words with pictures of big text."""
    return _page(easy=True)


@bp.get("/you-said-we-did.json")
def feed():
    """The approved actions as JSON, for the embeddable block and anyone else."""
    slug, _ = _service()
    response = jsonify(actions=loop_service.public_entries(slug))
    response.headers["Access-Control-Allow-Origin"] = "*"  # public, and no cookies are read
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/you-said-we-did/embed.js")
def embed():
    """The script a Local Offer page embeds: <script src=".../you-said-we-did/embed.js" async>."""
    response = send_from_directory(STATIC, "you_said_embed.js", mimetype="text/javascript", max_age=300)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response

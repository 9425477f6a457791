"""Pages that belong to no audience in particular: the start page and the privacy notice
(health is feedback.health)."""

from flask import Blueprint, current_app, render_template, request

from feedback import auth
from feedback.db import reading
from feedback.demo_accounts import DEMO_DOMAIN, demo_accounts
from feedback.health import DATABASE_ERRORS

bp = Blueprint("pages", __name__)


@bp.get("/")
def start():
    """Say what this is and where to go: a survey, the chat, the public actions, staff sign-in."""
    accounts = []
    if current_app.config["ENV_NAME"] != "production":
        try:
            with reading() as session:
                accounts = [(email, auth.ROLES.get(role, role)) for email, role in demo_accounts(session)]
        except DATABASE_ERRORS:
            accounts = []
    public = next(
        (rule.rule for rule in current_app.url_map.iter_rules() if rule.rule == "/you-said-we-did"), None
    )
    return render_template(
        "pages/start.html", demo_accounts=accounts, you_said_we_did=public, demo_domain=DEMO_DOMAIN
    )


@bp.get("/privacy")
def privacy():
    """Show the short privacy notice for people answering surveys (``?easy=1``: in easy read)."""
    if request.args.get("easy") == "1":
        return render_template("pages/privacy_easy.html")
    return render_template("pages/privacy.html")

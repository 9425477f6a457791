"""Pages that belong to no audience in particular: liveness and the privacy notice."""

from flask import Blueprint, render_template
from sqlalchemy import text

from feedback.db import reading

bp = Blueprint("pages", __name__)


@bp.get("/healthz")
def healthz():
    """Say whether the app can reach its database."""
    with reading() as session:
        session.exec(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/privacy")
def privacy():
    """Show the short privacy notice for people answering surveys."""
    return render_template("pages/privacy.html")

"""Pages that belong to no audience in particular: the privacy notice (health is feedback.health)."""

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/privacy")
def privacy():
    """Show the short privacy notice for people answering surveys."""
    return render_template("pages/privacy.html")

"""The read-only JSON API for BI tools: /api/v1/kpis, /api/v1/comments, /api/v1/fft-return.

Every request but the OpenAPI description carries ``Authorization: Bearer <token>`` (tokens
from `feedback api-tokens add`); a token acts with its staff role and the same scope rules as
the dashboard (service staff: their services' breakdowns and comments; commissioners: flagged
comments only as a count). Each read is audited. The figures are the snapshots the dashboard
shows, worked out every 15 minutes; the API never works them out.
"""

import logging

from flask import Blueprint, g, jsonify, request

from analysis import dao, openapi, scorecard_reads
from analysis.scorecard_reads import MonthError
from analysis.sentiment import label as sentiment_label
from feedback import audit, auth
from feedback.db import reading

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)
SCOPE_TYPES = ("service", "provider", "district", "letter")


def _problem(status, message, **headers):
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    response.headers.update(headers)
    return response


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _month():
    text = request.args.get("month")
    if not text:
        return scorecard_reads.latest_month() or None
    return scorecard_reads.parse_month(text)


@bp.get("/kpis")
def kpis():
    """The scorecard for a month (or a breakdown with ?by=) as one JSON array."""
    holder = g.api_token
    by, plan = request.args.get("by"), request.args.get("plan")
    if by not in (None, *SCOPE_TYPES):
        return _problem(400, "by must be service, provider, district or letter.")
    if holder.services is not None and by not in (None, "service"):
        return _problem(403, "Service staff tokens see breakdowns by their own services only.")
    try:
        month = _month()
    except MonthError as error:
        return _problem(400, f"{error}.")
    if month is None:
        return jsonify([])
    view = scorecard_reads.month_view(month, require_data=False)
    figures = scorecard_reads.figures(view, by, plan)
    if holder.services is not None and by == "service":
        figures = [f for f in figures if f.scope.split(":", 1)[1] in holder.services]
    audit.record("api_read", subject=f"kpis {month:%Y-%m}{' by ' + by if by else ''}", actor=holder.email)
    return jsonify([f.as_dict() for f in figures])


@bp.get("/fft-return")
def fft_return():
    """The month's FFT return: a row per service, as the CSV download and the command line."""
    try:
        month = _month()
    except MonthError as error:
        return _problem(400, f"{error}.")
    if month is None:
        return jsonify([])
    header, rows = scorecard_reads.fft_return(month, g.api_token.services)
    audit.record("api_read", subject=f"fft-return {month:%Y-%m}", actor=g.api_token.email)
    return jsonify(
        [{"month": month.strftime("%Y-%m"), **dict(zip(header, row, strict=True))} for row in rows]
    )


@bp.get("/comments")
def comments():
    """Comments, newest first, by month, service and words, under the token's scope rules."""
    holder = g.api_token
    try:
        month = scorecard_reads.parse_month(request.args["month"]) if request.args.get("month") else None
    except MonthError as error:
        return _problem(400, f"{error}.")
    service_slug = request.args.get("service") or None
    if holder.services is not None and service_slug is not None and service_slug not in holder.services:
        return _problem(403, "This token does not cover that service.")
    search = (request.args.get("q") or "").strip()[:100]
    with reading() as session:
        found = dao.comments(session, service_slug, month, search, services=holder.services)
    if holder.role not in auth.SAFEGUARDING_READERS:
        found = [(c, r) for c, r in found if not c.flagged]
    audit.record("api_read", subject=f"comments {month:%Y-%m}" if month else "comments", actor=holder.email)
    return jsonify(
        [
            {
                "month": r.month.strftime("%Y-%m"),
                "service": r.service_slug,
                "question": c.question_key,
                "text": c.text,
                "sentiment": sentiment_label(c.polarity),
                "flagged": c.flagged,
                "created_at": c.created_at.isoformat(),
            }
            for c, r in found
        ]
    )


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3 description of this API (no token needed)."""
    return jsonify(openapi.document(request.url_root.rstrip("/") + bp.url_prefix))

"""Error pages in plain words: never a stack trace, to the person or in the log."""

import logging
import traceback

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from feedback import logs

log = logging.getLogger(__name__)

PAGES = {
    400: ("Something was wrong with that request", "Please go back and try again."),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. "
        "If you followed a link or scanned a code, it may be out of date.",
    ),
    403: (
        "You cannot see this page",
        "Your account does not give you access to it. If you need it for your work, ask an administrator.",
    ),
    405: ("Page not found", "Please go back and try again."),
    413: ("That was too much to send", "Please shorten your answer and try again."),
    429: ("Too many tries", "Please wait a minute and try again."),
    503: ("This part of the service is not available", "Please try again later."),
    500: ("Sorry, there is a problem with the service", "Please try again later."),
}


API_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


def render_error(status, heading=None, body=None):
    """Return a plain error page for an HTTP status (JSON for the chat API)."""
    default_heading, default_body = PAGES.get(status, PAGES[400])
    if request.path.startswith(("/chat/api/", "/api/")):
        return jsonify(error=API_CODES.get(status, "bad_request"), message=body or default_heading), status
    return render_template(
        "errors/error.html",
        heading=heading or default_heading,
        body=body or default_body,
        status=status,
    ), status


def init_app(app):
    """Register the error handlers."""

    @app.errorhandler(CSRFError)
    def page_expired(_error):
        return render_error(
            400,
            "This page has expired",
            "Nothing you entered has been saved. Please go back, refresh the page and try again.",
        )

    for status in PAGES:
        app.register_error_handler(status, lambda error, status=status: render_error(status))

    @app.errorhandler(Exception)
    def unexpected(error):
        if isinstance(error, HTTPException):
            return render_error(error.code) if error.code in PAGES else error
        if app.testing:
            raise error  # a test sees the real exception
        logs.throttled(
            log,
            f"unexpected:{type(error).__name__}",
            "unexpected %s in %s %s at %s",
            type(error).__name__,
            request.method,
            request.endpoint,
            _where(error),
        )
        return render_error(500)


def _where(error):
    """Return the innermost frame of the project's own code an error came from: where to look,
    without the message (which may hold what someone typed) or the address (which may hold a token)."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "site-packages" not in f.filename] or frames
    return f"{ours[-1].filename.rsplit('/', 2)[-1]}:{ours[-1].lineno}" if ours else "unknown"

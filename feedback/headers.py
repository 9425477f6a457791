"""Security headers on every response, and the session cookie's name and scope."""

from flask import request

RESPONDENT_CSP = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'self'; base-uri 'none'; object-src 'none'"
)
# No page needs a camera, microphone, location or any other powerful feature.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), usb=()"
)
HOST_COOKIE_PREFIX = "__Host-"


def init_app(app):
    """Name the session cookie ``__Host-...`` when it is Secure, and add the headers after every request.

    The ``__Host-`` prefix makes browsers refuse the cookie unless it is Secure, for the whole
    site (Path=/) and set by this host alone (no Domain), so a sibling subdomain cannot plant one.
    """
    if app.config["SESSION_COOKIE_SECURE"]:
        name = app.config["SESSION_COOKIE_NAME"]
        if not name.startswith(HOST_COOKIE_PREFIX):
            app.config["SESSION_COOKIE_NAME"] = HOST_COOKIE_PREFIX + name
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.config["SESSION_COOKIE_DOMAIN"] = None

    @app.after_request
    def add_headers(response):
        response.headers.setdefault("Content-Security-Policy", RESPONDENT_CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        # Never to other sites; to this one, because over HTTPS Flask-WTF refuses a form post
        # that does not say it came from this site (no-referrer broke every form behind TLS).
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response

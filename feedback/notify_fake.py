"""A local fake of GOV.UK Notify for tests and the demo: letters, text messages and emails.

It checks each request's bearer token is a JWT signed with the API key's secret, issued for its
service within the last 30 seconds (as Notify does), records what it received, answers status
questions, and can call the service's delivery-receipt and received-text callbacks. Tests and
`feedback demo` start one on 127.0.0.1; nothing here reaches the internet.
"""

import base64
import re
import threading
import time
import uuid

import jwt
import requests
from flask import Flask, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"  # noqa: S105 (the fake's own, public test key)
API_KEY = f"test_key-{SERVICE_ID}-{SECRET}"
MOBILE = re.compile(r"(?:\+?44|0)7\d{9}")
PLACEHOLDER = re.compile(r"\(\(([a-z_]+)\)\)")


class _KeepAlive(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"  # one connection for many requests, as Notify's own servers allow

    def log_request(self, *_args):
        pass  # a line per request would drown the test output


def _error(status, error, message):
    return jsonify(errors=[{"error": error, "message": message}], status_code=status), status


class FakeNotify:
    """The fake server.

    ``letters`` and ``messages`` hold what was sent (by Notify id); ``statuses`` what it will
    report; ``templates`` the text and email templates it knows ({id: (type, text, subject)};
    empty: any id is accepted); ``failures`` errors to give the next sending requests, as
    (status, error, message); ``sent_times`` when each message was accepted.
    """

    def __init__(self, callback_url=None, callback_token=None, inbound_url=None):
        self.letters, self.messages, self.statuses, self.refused = {}, {}, {}, []
        self.templates, self.failures, self.sent_times = {}, [], []
        self.callback_url, self.callback_token, self.inbound_url = callback_url, callback_token, inbound_url
        self._lock = threading.Lock()
        self.app = self._app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=_KeepAlive)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _authorised(self):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return False
        try:
            claims = jwt.decode(header[7:], SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"]})
        except jwt.InvalidTokenError:
            return False
        return claims["iss"] == SERVICE_ID and abs(time.time() - claims["iat"]) <= 30

    def _app(self):
        app = Flask(__name__)

        @app.before_request
        def check_token():
            if not self._authorised():
                self.refused.append(request.path)
                return _error(403, "AuthError", "Invalid token: API key not found")
            return None

        @app.post("/v2/notifications/letter")
        def letter():
            body = request.get_json()
            notify_id = str(uuid.uuid4())
            self.letters[notify_id] = {
                "reference": body["reference"],
                "pdf": base64.b64decode(body["content"]),
            }
            self.statuses[notify_id] = "accepted"
            return jsonify(id=notify_id, reference=body["reference"], postage="second"), 201

        @app.post("/v2/notifications/sms")
        def sms():
            return self._message("sms", "phone_number")

        @app.post("/v2/notifications/email")
        def email():
            return self._message("email", "email_address")

        @app.get("/v2/notifications/<notify_id>")
        def notification(notify_id):
            if notify_id not in self.statuses:
                return _error(404, "NoResultFound", "No result found")
            kind = self.messages[notify_id]["type"] if notify_id in self.messages else "letter"
            return jsonify(
                id=notify_id,
                type=kind,
                status=self.statuses[notify_id],
                reference=self.messages.get(notify_id, {}).get("reference"),
            )

        @app.get("/v2/notifications")
        def notifications():
            reference = request.args.get("reference")
            found = [
                {"id": i, "reference": m["reference"], "type": m["type"], "status": self.statuses[i]}
                for i, m in list(self.messages.items())
                if reference in (None, m["reference"])
            ]
            return jsonify(notifications=found, links={"current": request.url})

        return app

    def _message(self, kind, to_field):
        body = request.get_json()
        with self._lock:
            failure = self.failures.pop(0) if self.failures else None
        if failure:
            return _error(*failure)
        to = str(body.get(to_field) or "")
        if kind == "sms" and not MOBILE.fullmatch(re.sub(r"[\s()-]", "", to)):
            return _error(400, "ValidationError", "phone_number Not a UK mobile number")
        if kind == "email" and "@" not in to:
            return _error(400, "ValidationError", "email_address Not a valid email address")
        template = self.templates.get(body.get("template_id"))
        if self.templates and (template is None or template[0] != kind):
            return _error(400, "BadRequestError", "Template not found")
        values = body.get("personalisation") or {}
        text, subject = (template[1], template[2]) if template else ("", "")
        missing = sorted({m for m in PLACEHOLDER.findall(text + subject) if m not in values})
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        notify_id = str(uuid.uuid4())
        rendered = PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)
        with self._lock:
            self.messages[notify_id] = {
                "type": kind,
                "to": to,
                "template_id": body.get("template_id"),
                "personalisation": values,
                "reference": body.get("reference"),
                "body": rendered,
            }
            self.statuses[notify_id] = "sending"
            self.sent_times.append(time.monotonic())
        content = (
            {"body": rendered, "from_number": "SENDFeedback"}
            if kind == "sms"
            else {
                "body": rendered,
                "subject": PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), subject),
                "from_email": "feedback@notifications.service.gov.uk",
            }
        )
        return jsonify(
            id=notify_id,
            reference=body.get("reference"),
            content=content,
            template={"id": body.get("template_id"), "version": 1, "uri": ""},
            uri=f"{self.url}/v2/notifications/{notify_id}",
        ), 201

    def report(self, notify_id, status):
        """Set a message's status and, if a callback address is set, call it as Notify does."""
        self.statuses[notify_id] = status
        if not self.callback_url:
            return None
        message = self.messages[notify_id]
        payload = {
            "id": notify_id,
            "reference": message["reference"],
            "to": message["to"],
            "status": status,
            "created_at": "2026-11-23T10:00:00.000000Z",
            "completed_at": "2026-11-23T10:00:05.000000Z",
            "sent_at": "2026-11-23T10:00:01.000000Z",
            "notification_type": message["type"],
        }
        return requests.post(
            self.callback_url,
            json=payload,
            timeout=10,
            headers={"Authorization": f"Bearer {self.callback_token}"},
        )

    def report_all(self, status="delivered"):
        """Report every message still sending as ``status``; return the callbacks' answers."""
        return [self.report(i, status) for i in list(self.messages) if self.statuses[i] == "sending"]

    def reply(self, source_number, text):
        """Call the received-text callback, as Notify does when someone replies to a text."""
        payload = {
            "id": str(uuid.uuid4()),
            "source_number": source_number,
            "destination_number": "07700900000",
            "message": text,
            "date_received": "2026-11-23T10:00:00.000000Z",
            "notify_number": "07700900000",
        }
        return requests.post(
            self.inbound_url,
            json=payload,
            timeout=10,
            headers={"Authorization": f"Bearer {self.callback_token}"},
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

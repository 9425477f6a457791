"""A local fake of GOV.UK Notify's letter API for tests: it checks each request's bearer token is a
JWT signed with the API key's secret and issued for its service, and records what it received."""

import base64
import threading
import uuid

import jwt
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"test_key-{SERVICE_ID}-{SECRET}"


class FakeNotify:
    """The fake server: ``letters`` holds what was sent; ``statuses`` what it will report."""

    def __init__(self):
        self.letters, self.statuses, self.refused = {}, {}, []
        self.app = self._app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
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
        return claims["iss"] == SERVICE_ID

    def _app(self):
        app = Flask(__name__)

        @app.before_request
        def check_token():
            if not self._authorised():
                self.refused.append(request.path)
                return jsonify(errors=[{"error": "AuthError", "message": "Invalid token"}],
                               status_code=403), 403
            return None

        @app.post("/v2/notifications/letter")
        def letter():
            body = request.get_json()
            notify_id = str(uuid.uuid4())
            self.letters[notify_id] = {"reference": body["reference"],
                                       "pdf": base64.b64decode(body["content"])}
            self.statuses[notify_id] = "accepted"
            return jsonify(id=notify_id, reference=body["reference"], postage="second"), 201

        @app.get("/v2/notifications/<notify_id>")
        def notification(notify_id):
            if notify_id not in self.statuses:
                return jsonify(errors=[{"error": "NoResultFound", "message": "No result found"}],
                               status_code=404), 404
            return jsonify(id=notify_id, type="letter", status=self.statuses[notify_id])

        return app

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.server.shutdown()
        self.thread.join(timeout=5)

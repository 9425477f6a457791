"""Request bodies the service refuses with a plain 400 instead of failing on them later.

No page takes a file, so a multipart post carrying one (say, a file sent as a survey comment)
is refused before any form sees it; JSON nested so deep that the parser gives up is treated as
JSON that does not parse.
"""

from flask import request
from flask.json.provider import DefaultJSONProvider

from feedback.errors import render_error


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a document nested too deeply to parse is a ValueError (so a 400)."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None


def init_app(app):
    """Use the JSON provider and refuse uploaded files."""
    app.json = JSONProvider(app)

    @app.before_request
    def refuse_files():
        if request.mimetype == "multipart/form-data" and request.files:
            return render_error(
                400,
                "Files cannot be sent here",
                "This service does not take files. Please type your answer instead.",
            )
        return None

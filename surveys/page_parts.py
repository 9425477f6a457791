"""What a survey link names, read once and kept in the process: the newest version of its
instrument, its service and its district.

Every survey post needs these, and they change only when `feedback init` loads a new version or
new reference data. So a worker reads them once and reuses its copy; it reads them again when a
survey page is opened (a GET: which also tells the person at once, with a 503, when the database
is down, before they answer) or when its copy is older than REFRESH_SECONDS. Copies are kept per
app (each test's app has a database of its own), and only for links that work, so made-up links
cannot fill the memory.
"""

import time
from dataclasses import dataclass

from flask import current_app

from feedback.db import reading
from surveys import dao

REFRESH_SECONDS = 10.0


@dataclass(frozen=True)
class Parts:
    """The rows a survey link names; None for any it names that does not exist."""

    instrument: object
    definition: object
    service: object
    district: object


def parts(slug, service_slug, district_slug, fresh=False):
    """Return the Parts a link names (``service_slug`` None or empty: the survey's own default);
    ``fresh``: read them now rather than reuse this process's copy."""
    kept_parts = current_app.extensions.setdefault("surveys.page_parts", {})
    key = (slug, service_slug, district_slug)
    now = time.monotonic()
    kept = kept_parts.get(key)
    if kept is not None and not fresh and now - kept[0] < REFRESH_SECONDS:
        return kept[1]
    with reading() as session:
        found = _read(session, slug, service_slug, district_slug)
    if found.service is not None and (found.district is not None or not district_slug):
        kept_parts[key] = (now, found)
    return found


def _read(session, slug, service_slug, district_slug):
    instrument = dao.latest_instrument(session, slug)
    if instrument is None:
        return Parts(None, None, None, None)
    definition = dao.definition_of(instrument)
    service = dao.service(session, service_slug or definition.default_service)
    return Parts(instrument, definition, service, dao.district(session, district_slug))

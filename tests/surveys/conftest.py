"""Fixtures for appointments and invitations by text message and email: the local fake of GOV.UK
Notify (it knows the policy's templates), the app served on a loopback port for Notify's
callbacks, a frozen clock in sending hours, and small factories."""

import csv
import threading
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.serving import make_server

from feedback import clock
from feedback.notify_fake import API_KEY, FakeNotify
from feedback.waitlist import crypto
from surveys import contact, intake, sending_policy

MONDAY_10AM = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 10:00 in England (GMT): sending hours
CALLBACK_TOKEN = "callback-token-for-the-tests-0123456789"
COLUMNS = [
    "appointment_id",
    "service",
    "district",
    "appointment_at",
    "mobile",
    "email",
    "respondent",
    "language",
    "opted_out",
]


def mobile(n):
    """Return the n-th of the numbers set aside for drama and tests: 07700 900000 to 900999."""
    assert 0 <= n <= 999
    return f"07700900{n:03d}"


def appointment(n, **overrides):
    """Return one appointment record as a CSV row or API body would give it."""
    fields = {
        "appointment_id": f"APT-{n}",
        "service": "camhs",
        "district": "preston",
        "appointment_at": "2026-11-23T08:30",
        "mobile": mobile(n),
        "email": "",
        "respondent": "",
        "language": "",
        "opted_out": "",
    }
    fields.update(overrides)
    return fields


def write_csv(path, records):
    """Write appointment records as a CSV file; return its path."""
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(records)
    return path


@pytest.fixture
def monday(frozen_clock):
    """Freeze the clock at 10:00 on Monday 23 November 2026; return a function that moves it on."""
    state = {"now": frozen_clock(MONDAY_10AM)}

    def move(**delta):
        state["now"] = frozen_clock(state["now"] + timedelta(**delta))
        return state["now"]

    return move


@pytest.fixture
def keys(app):
    """Give the app a data key; return the contact keys made from it."""
    app.config["DATA_KEY"] = crypto.new_key()
    return contact.configured_keys(app)


@pytest.fixture
def notify(app, keys):
    """Start the fake Notify, with the policy's templates, and point the app at it."""
    with FakeNotify(callback_token=CALLBACK_TOKEN) as fake:
        for (channel, _language, _kind), template in intake.policy().templates.items():
            fake.templates[template.id] = (channel, template.text, template.subject)
        app.config.update(
            NOTIFY_API_KEY=API_KEY,
            NOTIFY_BASE_URL=fake.url,
            NOTIFY_CALLBACK_TOKEN=CALLBACK_TOKEN,
            NOTIFY_PER_MINUTE=0,
        )
        yield fake


@pytest.fixture
def served(app, notify):
    """Serve the app on a loopback port so the fake Notify can call its callbacks."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    notify.callback_url = f"{base}/notify/delivery-status"
    notify.inbound_url = f"{base}/notify/received-text"
    yield base
    server.shutdown()
    thread.join(timeout=5)


def import_records(records, keys, now=None):
    """Check and store appointment records as the import does; return (counts, rejected)."""
    now = now or clock.now()
    rows, rejected = intake.check(records, intake.known(), now)
    return intake.save(rows, keys, now), rejected


def policy():
    return sending_policy.load_policy()

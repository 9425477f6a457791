"""Limits and failure counts are shared by every worker and machine (they live in the database),
count the real client behind a trusted proxy, and leave room for a clinic behind one address."""

import pytest
from sqlmodel import select

from feedback import create_app
from feedback.config import Config
from feedback.db import reading
from feedback.models import RateWindow, Response
from tests.conftest import create_staff, form_fields, rows

CLINIC = "192.0.2.44"  # a waiting room's Wi-Fi: every phone there has this address


@pytest.fixture
def second_worker(app):
    """Another app on the same database, as a second worker process or machine would be."""
    other = create_app(
        {
            "ENV_NAME": "test",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SECRET_KEY": app.config["SECRET_KEY"],
        }
    )
    yield other
    other.extensions["feedback.engine"].dispose()


def _post_survey(client, address=CLINIC, headers=None):
    page = client.get("/s/local-offer", environ_base={"REMOTE_ADDR": address})
    return client.post(
        "/s/local-offer",
        data={**form_fields(page), "found_information": "yes"},
        environ_base={"REMOTE_ADDR": address},
        headers=headers or {},
    ).status_code


def test_two_workers_on_one_database_share_one_survey_count(app, second_worker):
    for worker in (app, second_worker):
        worker.config["RATE_LIMIT_SURVEY"] = 5
    statuses = [_post_survey((app if n % 2 else second_worker).test_client()) for n in range(8)]
    assert statuses == [303] * 5 + [429] * 3
    assert len(rows(Response)) == 5


def test_two_workers_share_one_count_of_wrong_passwords(app, second_worker):
    create_staff()
    statuses = []
    for n in range(12):
        client = (app if n % 2 else second_worker).test_client()
        page = client.get("/dashboard/login")
        attempt = {**form_fields(page), "email": "commissioner@example.org", "password": "wrong password!"}
        statuses.append(client.post("/dashboard/login", data=attempt).status_code)
    assert statuses == [401] * 5 + [429] * 7  # the sixth waits, whichever worker it reaches


def test_the_stored_key_is_not_the_clients_address(app, client):
    _post_survey(client, address="198.51.100.77")
    with reading() as session:
        stored = list(session.exec(select(RateWindow)))
    assert stored and all("198.51.100.77" not in row.key_hash for row in stored)
    assert all(len(row.key_hash) == 64 for row in stored)


def test_a_clinic_behind_one_address_is_not_refused_at_the_default_limits(app):
    app.config["RATE_LIMIT_SURVEY"] = Config.RATE_LIMIT_SURVEY
    # 40 families in the waiting room answer within the same minute; a few send twice (a slow
    # connection, a changed answer).
    statuses = [_post_survey(app.test_client()) for _ in range(40)]
    statuses += [_post_survey(app.test_client()) for _ in range(10)]
    assert statuses == [303] * 50


def test_a_script_posting_faster_than_a_waiting_room_is_refused(app, client):
    app.config["RATE_LIMIT_SURVEY"] = Config.RATE_LIMIT_SURVEY
    page = client.get("/s/local-offer", environ_base={"REMOTE_ADDR": CLINIC})
    fields = {**form_fields(page), "found_information": "yes"}
    statuses = [
        client.post("/s/local-offer", data=fields, environ_base={"REMOTE_ADDR": CLINIC}).status_code
        for _ in range(Config.RATE_LIMIT_SURVEY + 5)
    ]
    assert statuses.count(429) == 5 and statuses[-1] == 429


def _proxied_app(app):
    return create_app(
        {
            "ENV_NAME": "test",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16",
            "RATE_LIMIT_SURVEY": 3,
        }
    )


def test_a_spoofed_forwarded_address_from_an_untrusted_client_changes_nothing(app):
    proxied = _proxied_app(app)
    statuses = [
        _post_survey(
            proxied.test_client(), address="203.0.113.9", headers={"X-Forwarded-For": f"198.51.100.{n}"}
        )
        for n in range(6)
    ]
    assert statuses == [303] * 3 + [429] * 3  # still one client, whatever it claims to be
    proxied.extensions["feedback.engine"].dispose()


def test_a_trusted_proxys_forwarded_address_is_the_client_counted(app):
    proxied = _proxied_app(app)
    statuses = [
        _post_survey(
            proxied.test_client(),
            address="10.0.0.5",
            headers={"X-Forwarded-For": f"203.0.113.9, 198.51.100.{n}"},
        )
        for n in range(6)
    ]
    assert statuses == [303] * 6  # six phones behind the proxy, each counted on its own
    same_phone = [
        _post_survey(proxied.test_client(), address="10.1.2.3", headers={"X-Forwarded-For": "198.51.100.200"})
        for _ in range(4)
    ]
    assert same_phone == [303] * 3 + [429]
    proxied.extensions["feedback.engine"].dispose()


def test_only_a_trusted_proxy_can_say_the_page_was_served_over_https(app):
    proxied = _proxied_app(app)
    client = proxied.test_client()
    spoofed = client.get(
        "/", headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "203.0.113.9"}
    )
    assert "Strict-Transport-Security" not in spoofed.headers
    trusted = client.get(
        "/",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
        environ_base={"REMOTE_ADDR": "10.0.0.5"},
    )
    assert "Strict-Transport-Security" in trusted.headers
    proxied.extensions["feedback.engine"].dispose()


def test_a_trusted_proxies_setting_that_is_not_an_address_stops_the_app_starting(app):
    with pytest.raises(ValueError, match="not an address or network"):
        create_app({"ENV_NAME": "test", "DATABASE_URL": "sqlite://", "TRUSTED_PROXIES": "proxy.example.org"})


def test_the_chat_api_limit_is_shared_by_workers_too(app, second_worker):
    for worker in (app, second_worker):
        worker.config["RATE_LIMIT_CHAT"] = 4
    statuses = [
        (app if n % 2 else second_worker)
        .test_client()
        .get("/chat/api/v1/surveys/break-time-young-person", environ_base={"REMOTE_ADDR": CLINIC})
        .status_code
        for n in range(6)
    ]
    assert statuses == [200] * 4 + [429] * 2

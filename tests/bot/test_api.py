"""The chat API: a conversation stored as one response, and everything it refuses."""

import gzip
import html
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from analysis import jobs
from analysis.dao import snapshot_counts
from bot import jobs as chat_jobs
from feedback.db import reading, transaction
from feedback.models import Answer, ChatConversation, Comment, Response
from tests.conftest import rows

API = "/chat/api/v1"


def start(client, survey="break-time-young-person", service="break-time", **headers):
    return client.post(f"{API}/conversations", json={"survey": survey, "service": service}, headers=headers)


def answer(client, token, turn, **body):
    return client.post(f"{API}/conversations/{token}/answers", json={"turn": turn, **body})


def test_finished_conversation_is_one_chat_response_counted_by_the_kpi_job(app, client):
    started = start(client)
    assert started.status_code == 201
    token = started.get_json()["conversation"]
    assert answer(client, token, 0, choice="strongly_agree").status_code == 200
    end = answer(client, token, 1, text="Great fun with my friends!").get_json()
    assert end["kind"] == "end"
    [response] = rows(Response)
    assert (response.channel, response.instrument_slug, response.instrument_version) == (
        "chat",
        "break-time-young-person",
        1,
    )
    assert (response.service_slug, response.respondent_type, response.partial) == (
        "break-time",
        "young_person",
        False,
    )
    assert [(a.question_key, a.value) for a in rows(Answer)] == [("enjoy", "strongly_agree")]
    assert rows(Comment)[0].text == "Great fun with my friends!"
    assert rows(ChatConversation) == []  # nothing of the conversation is kept beyond the answers
    jobs.rebuild([response.month])
    with reading() as session:
        counts = snapshot_counts(session, [response.month])
    assert counts[("cip-2023", "CIP 5.6b", response.month, "all")] == (1, 1)


def test_the_survey_carries_the_first_turn_so_opening_the_chat_needs_no_request(client):
    info = client.get(f"{API}/surveys/break-time-young-person?service=break-time").get_json()
    started = start(client).get_json()
    assert info["first"] == {key: value for key, value in started.items() if key != "conversation"}
    assert info["first"]["turn"] == 0 and info["first"]["buttons"]
    assert rows(ChatConversation) != []  # only the start stored a conversation, not the survey


def test_the_demo_page_carries_what_the_widget_would_fetch(client):
    page = client.get("/chat/demo?survey=service-experience&service=physiotherapy&lang=pl")
    info = client.get(f"{API}/surveys/service-experience?service=physiotherapy&lang=pl").get_json()
    [carried] = re.findall(r"data-start='([^']*)'", page.get_data(as_text=True))
    assert json.loads(html.unescape(carried)) == info
    assert rows(ChatConversation) == []


def test_a_demo_page_for_an_unknown_survey_leaves_the_widget_to_ask(client):
    page = client.get("/chat/demo?survey=no-such-survey")
    assert page.status_code == 200
    assert b"data-start" not in page.data


def test_no_cookie_is_set_or_needed(client):
    started = start(client)
    assert "Set-Cookie" not in started.headers
    token = started.get_json()["conversation"]
    client.delete_cookie("session")
    assert answer(client, token, 0, choice="agree").status_code == 200


def test_conversation_resumes_within_the_hour(client):
    token = start(client).get_json()["conversation"]
    answer(client, token, 0, choice="agree")
    resumed = client.get(f"{API}/conversations/{token}").get_json()
    assert resumed["messages"][0] == "Welcome back. Here is where we were."
    assert resumed["turn"] == 1 and resumed["kind"] == "text"


def test_a_conversation_older_than_an_hour_cannot_be_resumed(client):
    token = start(client).get_json()["conversation"]
    with transaction() as session:
        session.execute(update(ChatConversation).values(updated_at=datetime.now(UTC) - timedelta(minutes=61)))
    result = client.get(f"{API}/conversations/{token}")
    assert (result.status_code, result.get_json()["error"]) == (404, "unknown_conversation")


def test_abandoned_conversation_is_stored_as_partial_by_the_job(app, client):
    token = start(client).get_json()["conversation"]
    answer(client, token, 0, choice="disagree")
    with transaction() as session:
        session.execute(update(ChatConversation).values(updated_at=datetime.now(UTC) - timedelta(minutes=90)))
    assert "1 abandoned" in chat_jobs.close_stale_chats()
    [response] = rows(Response)
    assert response.partial and response.channel == "chat"
    assert [a.value for a in rows(Answer)] == ["disagree"]


def test_leaving_early_stores_what_was_answered_as_partial(client):
    token = start(client).get_json()["conversation"]
    answer(client, token, 0, choice="agree")
    assert client.post(f"{API}/conversations/{token}/leave").get_json() == {"stored": True}
    assert rows(Response)[0].partial
    assert client.post(f"{API}/conversations/{token}/leave").status_code == 404


def test_leaving_before_any_answer_stores_nothing(client):
    token = start(client).get_json()["conversation"]
    assert client.post(f"{API}/conversations/{token}/leave").get_json() == {"stored": False}
    assert rows(Response) == []


def test_replayed_or_out_of_order_turns_are_refused_and_store_nothing_twice(client):
    token = start(client).get_json()["conversation"]
    answer(client, token, 0, choice="agree")
    replay = answer(client, token, 0, choice="disagree")
    assert (replay.status_code, replay.get_json()["error"]) == (409, "out_of_order")
    ahead = answer(client, token, 5, text="hi")
    assert ahead.status_code == 409
    answer(client, token, 1, skip=True)
    after_end = answer(client, token, 1, skip=True)  # sent again: the same end, nothing stored twice
    assert (after_end.status_code, after_end.get_json()["kind"]) == (200, "end")
    assert len(rows(Response)) == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"turn": 0, "choice": "maybe"}, "bad_choice"),
        ({"turn": 0, "choice": "agree", "extra": 1}, "unexpected_field"),
        ({"turn": "0", "choice": "agree"}, "bad_turn"),
        ({"turn": True, "choice": "agree"}, "bad_turn"),
        ({"choice": "agree"}, "bad_turn"),
    ],
)
def test_malformed_answers_are_refused_with_a_clear_code(client, body, code):
    token = start(client).get_json()["conversation"]
    result = client.post(f"{API}/conversations/{token}/answers", json=body)
    assert (result.status_code, result.get_json()["error"]) == (400, code)


def test_body_that_is_not_a_json_object_is_refused(client):
    token = start(client).get_json()["conversation"]
    result = client.post(
        f"{API}/conversations/{token}/answers",
        data="turn=0",
        content_type="application/x-www-form-urlencoded",
    )
    assert result.get_json()["error"] == "bad_json"


def test_oversized_text_is_refused_and_nothing_stored(client):
    token = start(client).get_json()["conversation"]
    answer(client, token, 0, choice="agree")
    result = answer(client, token, 1, text="x" * 1001)
    assert result.get_json()["error"] == "too_long"
    assert rows(Response) == []


def test_html_in_free_text_is_stored_as_text(client):
    token = start(client).get_json()["conversation"]
    answer(client, token, 0, choice="agree")
    answer(client, token, 1, text="<script>alert(1)</script> nice")
    assert rows(Comment)[0].text == "<script>alert(1)</script> nice"


@pytest.mark.parametrize("token", ["nope", "A" * 32, "x" * 65])
def test_unknown_or_tampered_conversation_is_refused(client, token):
    result = answer(client, token, 0, choice="agree")
    assert result.status_code == 404
    assert result.get_json()["error"] == "unknown_conversation"


def test_unknown_api_path_answers_in_json(client):
    result = client.post(f"{API}/conversations/../../etc/passwd", json={})
    assert result.status_code == 404
    assert result.get_json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("survey", "service", "code"),
    [
        ("no-such-survey", "break-time", "unknown_survey"),
        ("break-time-young-person", "no-such-service", "unknown_service"),
        ("board-quiz", "partnership-board", "unknown_survey"),
    ],
)
def test_unknown_survey_or_service_is_a_404_with_a_code(client, survey, service, code):
    assert start(client, survey, service).get_json()["error"] == code
    info = client.get(f"{API}/surveys/{survey}?service={service}")
    assert (info.status_code, info.get_json()["error"]) == (404, code)
    assert rows(ChatConversation) == []


def test_origin_not_configured_is_refused(app, client):
    result = start(client, Origin="https://evil.example")
    assert (result.status_code, result.get_json()["error"]) == (403, "origin_not_allowed")
    assert rows(ChatConversation) == []


def test_configured_host_origin_gets_cors_headers(app, client):
    app.config["CHAT_ORIGINS"] = ("https://localoffer.example.gov.uk",)
    preflight = client.options(
        f"{API}/conversations",
        headers={"Origin": "https://localoffer.example.gov.uk", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://localoffer.example.gov.uk"
    result = start(client, Origin="https://localoffer.example.gov.uk")
    assert result.status_code == 201
    assert result.headers["Access-Control-Allow-Origin"] == "https://localoffer.example.gov.uk"
    assert "Access-Control-Allow-Credentials" not in result.headers


def test_too_many_requests_from_one_client_are_rate_limited(app, client):
    app.config["RATE_LIMIT_CHAT"] = 3
    codes = [
        client.get(
            f"{API}/surveys/break-time-young-person", environ_base={"REMOTE_ADDR": "192.0.2.77"}
        ).status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    other = client.get(f"{API}/surveys/break-time-young-person", environ_base={"REMOTE_ADDR": "192.0.2.78"})
    assert other.status_code == 200


WIDGET = Path(__file__).resolve().parents[2] / "bot" / "static" / "widget.js"


def test_widget_script_is_under_15_kb_gzipped():
    size = len(gzip.compress(WIDGET.read_bytes(), compresslevel=9))
    assert size < 15 * 1024, f"widget.js is {size} bytes gzipped"


def test_widget_script_is_served_as_javascript(client):
    result = client.get("/chat/widget.js")
    assert result.mimetype == "text/javascript"
    assert result.data == WIDGET.read_bytes()
    result.close()

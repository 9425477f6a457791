"""The chat left alone: a double tap on the last answer stores one response, text that cannot be
stored is refused, and one abandoned chat that cannot be stored does not stop the others."""

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot import dao as chat_dao
from bot import jobs as chat_jobs
from feedback.db import transaction
from feedback.models import ChatConversation, Comment, Response
from tests.bot.test_api import answer, start
from tests.conftest import rows


def test_a_double_tap_on_the_last_answer_gives_one_response_and_the_same_end_twice(client):
    token = start(client).get_json()["conversation"]
    answer(client, token, 0, choice="agree")
    first = answer(client, token, 1, text="Good")
    again = answer(client, token, 1, text="Good")
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.get_json()["kind"] == again.get_json()["kind"] == "end"
    assert len(rows(Response)) == 1


def test_the_last_answer_sent_at_the_same_moment_twice_is_stored_once_and_never_a_500(app):
    for _round in range(5):
        client = app.test_client()
        token = start(client).get_json()["conversation"]
        answer(client, token, 0, choice="agree")
        statuses, barrier = [], threading.Barrier(2)

        def tap(token=token, statuses=statuses, barrier=barrier):
            with app.app_context():
                barrier.wait()
                statuses.append(answer(app.test_client(), token, 1, text="Same").status_code)

        taps = [threading.Thread(target=tap) for _ in range(2)]
        for t in taps:
            t.start()
        for t in taps:
            t.join()
        assert sorted(statuses) == [200, 200]
    assert len(rows(Response)) == 5


@pytest.mark.parametrize("text", ["a\x00b", "half \ud800 a pair"])
def test_chat_text_that_cannot_be_stored_is_refused_with_a_message(client, text):
    token = start(client).get_json()["conversation"]
    answer(client, token, 0, choice="agree")
    refused = answer(client, token, 1, text=text)
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "bad_text"
    assert rows(Response) == []


@pytest.mark.parametrize("path", ["/s/local-offer?service=camhs%00", "/s/local%00offer", "/privacy?x=%00"])
def test_an_address_holding_a_nul_is_a_plain_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "cannot be kept" in response.get_data(as_text=True)


def test_a_survey_comment_holding_a_nul_is_refused_and_nothing_is_stored(client):
    from tests.conftest import form_fields

    page = client.get("/s/local-offer?service=camhs")
    response = client.post(
        "/s/local-offer?service=camhs",
        data={**form_fields(page), "found_information": "yes", "comment": "fine\x00"},
    )
    assert response.status_code == 400
    assert rows(Response) == []


def _abandon(client):
    token = start(client).get_json()["conversation"]
    answer(client, token, 0, choice="agree")
    return token


def test_an_abandoned_chat_that_cannot_be_stored_is_set_aside_and_the_others_are_stored(app, client, caplog):
    good, bad = _abandon(client), _abandon(client)
    # A chat held from before input was checked: its state holds half a surrogate pair.
    with transaction() as session:
        row = session.get(ChatConversation, chat_dao.conversation_id(bad))
        state = json.loads(row.state)
        state["comments"] = [["enjoy_comment", "broken \ud800 text", 0.0]]
        session.execute(
            update(ChatConversation).where(ChatConversation.id == row.id).values(state=json.dumps(state))
        )
        session.execute(update(ChatConversation).values(updated_at=datetime.now(UTC) - timedelta(minutes=90)))
    outcome = chat_jobs.close_stale_chats()
    assert outcome == "1 abandoned chats stored as partial responses, 1 set aside"
    assert len(rows(Response)) == 1 and rows(Comment) == []
    assert "set aside" in caplog.text and bad not in caplog.text
    # The next run leaves the set-aside chat alone and does not fail.
    assert chat_jobs.close_stale_chats() == "0 abandoned chats stored as partial responses"
    [kept] = rows(ChatConversation)
    assert kept.set_aside and kept.id == chat_dao.conversation_id(bad)
    assert good

"""Property-based tests: whatever a form or the chat API is sent, never a 500 and never half an answer."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from feedback.models import Answer, ChatConversation, Comment, Response
from tests.conftest import rows

FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CODES = ["yes", "partly", "no", "very_good", "good", "poor", "dont_know", ""]
KEYS = [
    "found_information",
    "information_useful",
    "comment",
    "submission_id",
    "csrf_token",
    "overall",
    "turn",
    "choice",
    "text",
    "skip",
]
nasty_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(CODES),
    st.just("x" * 1200),
    st.just("<script>alert(1)</script>"),
    st.just("\x00\ud7ff"),
    st.just("=1+1"),
)
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=True), nasty_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)


@pytest.fixture
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False  # so that the fuzzed values reach validation and storage
    return app


def _counts():
    return len(rows(Response)), len(rows(Answer)), len(rows(Comment))


@FUZZ
@given(
    form=st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), nasty_text, max_size=6),
    repeat=st.sampled_from([None, "found_information"]),
)
def test_survey_form_never_fails_and_stores_all_or_nothing(no_csrf, form, repeat):
    client = no_csrf.test_client()
    data = MultiDict(list(form.items()) + ([(repeat, "no")] if repeat else []))  # a field sent twice
    before = _counts()
    result = client.post("/s/local-offer", data=data)
    assert result.status_code < 500
    responses, answers, comments = (after - was for after, was in zip(_counts(), before, strict=True))
    if result.status_code == 303:
        assert responses == 1
        stored = rows(Response)[-1]
        kept = {a.question_key: a.value for a in rows(Answer, response_id=stored.id)}
        assert kept.get("found_information") in ("yes", "partly", "no")  # the required question
        assert set(kept.values()) <= {"yes", "partly", "no", "dont_know"}
        assert answers == len(kept)
    else:
        assert (responses, answers, comments) == (0, 0, 0)


@FUZZ
@given(body=st.one_of(json_value, st.binary(max_size=40).map(lambda b: b"\xff" + b)))
def test_chat_start_never_fails_and_answers_in_json(no_csrf, body):
    client = no_csrf.test_client()
    raw = body if isinstance(body, bytes) else json.dumps(body)
    result = client.post("/chat/api/v1/conversations", data=raw, content_type="application/json")
    assert result.status_code < 500
    payload = result.get_json()
    assert payload is not None
    if result.status_code >= 400:
        assert isinstance(payload["error"], str) and isinstance(payload["message"], str)
    assert rows(Response) == []


@FUZZ
@given(
    turns=st.lists(
        st.one_of(
            json_value,
            st.fixed_dictionaries(
                {"turn": st.integers(-1, 6)},
                optional={"choice": nasty_text, "text": nasty_text, "skip": st.booleans()},
            ),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_chat_answers_never_fail_and_store_only_whole_conversations(no_csrf, turns):
    client = no_csrf.test_client()
    started = client.post("/chat/api/v1/conversations", json={"survey": "local-offer"})
    token = started.get_json()["conversation"]
    finished = False
    for turn in turns:
        result = client.post(f"/chat/api/v1/conversations/{token}/answers", json=turn)
        assert result.status_code < 500
        payload = result.get_json()
        assert payload is not None and (result.status_code < 400) == ("error" not in payload)
        finished = finished or bool(payload.get("finished"))
    stored = rows(Response)
    live = rows(ChatConversation)
    if finished:
        assert stored and not stored[-1].partial
    for response in stored:
        values = {a.value for a in rows(Answer, response_id=response.id)}
        assert values <= {"yes", "partly", "no", "dont_know"}
    assert stored or live  # a conversation is either still going or stored whole

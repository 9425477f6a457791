"""The chat in Polish and Urdu: the widget's words, the conversation, and the same KPIs."""

import pytest

from analysis import jobs
from analysis.dao import snapshot_counts
from feedback.db import reading
from feedback.models import Answer, Response
from tests.conftest import rows

API = "/chat/api/v1"


def start(client, lang, survey="service-experience", service="physiotherapy"):
    return client.post(f"{API}/conversations", json={"survey": survey, "service": service, "lang": lang})


@pytest.mark.parametrize(
    ("lang", "direction", "launcher"),
    [
        ("pl", "ltr", "Powiedz nam, co myślisz"),
        ("ur", "rtl", "ہمیں اپنی رائے بتائیں"),
        ("gu", "ltr", "તમે શું વિચારો છો તે અમને કહો"),
        ("bn", "ltr", "আপনার মতামত আমাদের জানান"),
        ("en", "ltr", "Tell us what you think"),
        ("xx", "ltr", "Tell us what you think"),
    ],
)
def test_the_widget_is_told_its_language_direction_and_words(client, lang, direction, launcher):
    info = client.get(f"{API}/surveys/service-experience?service=physiotherapy&lang={lang}").get_json()
    assert (info["dir"], info["ui"]["Tell us what you think"]) == (direction, launcher)
    assert info["lang"] == (lang if lang in ("bn", "gu", "pl", "ur") else "en")


def test_a_survey_not_yet_translated_chats_in_english(client):
    info = client.get(f"{API}/surveys/local-offer?service=local-offer&lang=pl").get_json()
    assert info["lang"] == "en"
    assert start(client, "pl", "local-offer", "local-offer").get_json()["prompt"] == (
        "Did you find what you needed?"
    )


def test_a_whole_conversation_in_urdu_is_stored_with_its_language_and_counts_as_any_other(client):
    first = start(client, "ur").get_json()
    assert first["prompt"] == "فزیو کی ٹیم کے پاس آپ کی ملاقات کیسی رہی؟"
    assert first["messages"][2] == "فزیو کی ٹیم آپ کے جوابات پڑھے گی۔"  # noqa: RUF001 (Urdu full stop)
    token = first["conversation"]
    second = client.post(f"{API}/conversations/{token}/answers", json={"turn": 0, "choice": "good"})
    assert second.get_json()["messages"][0] == "شکریہ۔"  # noqa: RUF001 (it stays in Urdu)
    third = client.post(f"{API}/conversations/{token}/answers", json={"turn": 1, "choice": "yes"})
    assert third.get_json()["buttons"][-1]["label"] == "چھوڑیں"
    end = client.post(f"{API}/conversations/{token}/answers", json={"turn": 2, "skip": True}).get_json()
    assert end["kind"] == "end" and "بس، یہ سارے سوال تھے۔" in end["messages"]  # noqa: RUF001
    [response] = rows(Response)
    assert (response.channel, response.language) == ("chat", "ur")
    assert {a.question_key: a.value for a in rows(Answer)} == {"overall": "good", "right_support": "yes"}
    jobs.rebuild([response.month])
    with reading() as session:
        counts = snapshot_counts(session, [response.month])
    assert counts[("app-2020", "APP 1b", response.month, "all")] == (1, 1)


def test_help_messages_say_where_they_start_in_the_chats_language(client):
    token = start(client, "pl").get_json()["conversation"]
    client.post(f"{API}/conversations/{token}/answers", json={"turn": 0, "choice": "good"})
    client.post(f"{API}/conversations/{token}/answers", json={"turn": 1, "choice": "no"})
    turn = client.post(
        f"{API}/conversations/{token}/answers", json={"turn": 2, "text": "I want to die"}
    ).get_json()
    assert turn["help_shown"] and turn["help_start"] == (
        "Jeśli grozi Ci teraz niebezpieczeństwo, zadzwoń pod 999."
    )
    assert turn["help_start"] in turn["messages"]

"""Routing: a question asked only when an earlier answer says so, in the data, the form, the
chat and the KPIs (the transition experience only of young people who have moved)."""

from datetime import date

import pytest
from flask import url_for

from analysis import dao, jobs
from bot.engine import Engine
from feedback.db import reading
from feedback.models import Answer, Response
from surveys import collect, definitions
from tests.conftest import form_fields, parse, rows

SCALES = {
    "yes_no": (definitions.Option("yes", "Yes", "Yes", "yes"), definitions.Option("no", "No", "No", "no"))
}
OCTOBER = date(2026, 10, 1)


@pytest.fixture(scope="module")
def shipped():
    found, _ = definitions.load_directory()
    return {d.slug: d for d in found}


def _instrument(*questions):
    return {
        "slug": "mini",
        "title": "Mini",
        "respondent_type": "young_person",
        "intro": "Hello.",
        "questions": list(questions),
    }


FIRST = {"key": "moved", "scale": "yes_no", "text": "Moved?"}


@pytest.mark.parametrize(
    ("asked_if", "field"),
    [
        ({"question": "later", "answers": ["yes"]}, "questions[1].asked_if.question"),
        ({"question": "moved", "answers": ["maybe"]}, "questions[1].asked_if.answers"),
        ({"question": "moved"}, "questions[1].asked_if"),
    ],
)
def test_routing_must_name_an_earlier_question_and_its_answers(asked_if, field):
    routed = {"key": "how", "scale": "yes_no", "text": "How?", "asked_if": asked_if}
    with pytest.raises(definitions.InstrumentError) as caught:
        definitions.parse_definition(_instrument(FIRST, routed), SCALES, "mini.toml")
    assert caught.value.field == field


def test_a_routed_question_is_asked_only_after_the_answer_that_leads_to_it(shipped):
    transition = shipped["transition"]
    assert transition.is_asked("experience", {"moved": "yes"})
    assert not transition.is_asked("experience", {"moved": "no"})
    assert not transition.is_asked("experience", {})  # skipped: not asked
    assert transition.is_asked("transition_plan", {"moved": "dont_know"})
    assert transition.is_asked("conversations", {})


def test_instruments_without_routing_keep_their_fingerprint(shipped):
    stored = definitions.to_dict(shipped["local-offer"])
    assert all("asked_if" not in q for q in stored["questions"])
    again = definitions.from_dict(definitions.to_dict(shipped["transition"]))
    assert again == shipped["transition"]


def test_answers_to_questions_not_asked_are_dropped(shipped):
    answers, _ = collect.split_answers(
        shipped["transition"],
        {"moved": "no", "experience": "very_poor", "transition_plan": "yes", "plan_started": "no"},
    )
    assert answers == {"moved": "no", "transition_plan": "yes", "plan_started": "no"}


def _post_transition(client, answers):
    url = url_for("respondents.open_survey", slug="transition")
    return client.post(url, data={**form_fields(client.get(url)), **answers})


def test_the_form_says_when_to_answer_a_routed_question(client):
    page = parse(client.get(url_for("respondents.open_survey", slug="transition")))
    group = page.select_one("[data-asked-if=moved][data-asked-answers=yes]")
    assert "Only answer this if you said 'Yes'." in group.get_text(" ", strip=True)
    assert page.select_one("script[src$='routing.js']") is not None


def test_a_young_person_who_has_not_moved_is_not_counted_in_the_transition_experience(client):
    result = _post_transition(client, {"moved": "no", "experience": "very_poor", "transition_plan": "yes"})
    assert result.status_code == 303
    [response] = rows(Response)
    stored = {a.question_key: a.value for a in rows(Answer, response_id=response.id)}
    assert stored == {"moved": "no", "transition_plan": "yes"}


def test_a_young_person_who_has_moved_must_say_how_it_went(client):
    result = _post_transition(client, {"moved": "yes"})
    assert result.status_code == 200
    assert parse(result).select_one(".error-summary") is not None
    assert rows(Response) == []


def test_transition_kpis_count_only_those_asked(client):
    for answers in (
        {"moved": "yes", "experience": "good"},
        {"moved": "yes", "experience": "dont_know"},  # moved, not sure how it went
        {"moved": "no", "experience": "poor", "transition_plan": "yes"},
        {"moved": "dont_know", "transition_plan": "no"},
    ):
        assert _post_transition(client, answers).status_code == 303
    month = rows(Response)[0].month
    jobs.rebuild([month])
    with reading() as session:
        counts = dao.snapshot_counts(session, [month])
    assert counts[("app-2020", "APP 4a", month, "all")] == (1, 2)  # the two who moved
    assert counts[("cip-2023", "CIP 4.1", month, "all")] == (1, 2)
    assert counts[("app-2020", "APP 4.2a", month, "all")] == (1, 2)  # the two still with children's


def test_the_chat_passes_over_questions_not_asked(shipped):
    bot = Engine(shipped["transition"], "the team that helps you move on")
    state, turn = bot.start()
    assert turn.question == "moved"
    state, turn = bot.reply(state, 0, {"choice": "no"})
    assert turn.question == "conversations"  # not "How was moving on?"
    state, turn = bot.reply(state, 1, {"choice": "good"})
    assert turn.question == "transition_plan"
    state, turn = bot.reply(state, 2, {"choice": "yes"})
    state, turn = bot.reply(state, 3, {"skip": True})
    state, turn = bot.reply(state, 4, {"skip": True})
    assert turn.kind == "end"
    assert state["answers"] == {"moved": "no", "conversations": "good", "transition_plan": "yes"}


def test_the_chat_asks_a_young_person_who_has_moved_how_it_went(shipped):
    bot = Engine(shipped["transition"], "the team that helps you move on")
    state, _ = bot.start()
    state, turn = bot.reply(state, 0, {"choice": "yes"})
    assert turn.question == "experience"
    state, turn = bot.reply(state, 1, {"choice": "very_good"})
    assert turn.question == "conversations"
    state, turn = bot.reply(state, 2, {"choice": "good"})
    assert turn.question == "plan_started"  # the Transition Plan question is for those not moved

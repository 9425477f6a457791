"""Turning answers into a response: the month counted, quiz scores, comments apart."""

from datetime import UTC, date, datetime

import pytest

from surveys import collect, definitions


@pytest.fixture(scope="module")
def shipped():
    found, _ = definitions.load_directory()
    return {d.slug: d for d in found}


def test_response_counts_in_the_appointment_month_when_known():
    submitted = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert collect.month_counted(date(2026, 10, 30), submitted) == date(2026, 10, 1)


def test_response_without_appointment_counts_in_the_month_it_was_sent_in_london():
    # 23:30 UTC on 31 March is already 1 April in British Summer Time.
    submitted = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert collect.month_counted(None, submitted) == date(2026, 4, 1)


def test_quiz_score_is_the_percentage_of_questions_answered_correctly(shipped):
    quiz = shipped["board-quiz"]
    answers = {q.key: q.correct for q in quiz.questions[:3]}
    answers[quiz.questions[3].key] = "budget"
    assert collect.quiz_score(quiz, answers) == 60


def test_unscored_instrument_has_no_score(shipped):
    assert collect.quiz_score(shipped["service-experience"], {"overall": "good"}) is None


def test_free_text_is_split_from_ratings_and_blanks_dropped(shipped):
    answers, comments = collect.split_answers(
        shipped["service-experience"],
        {"overall": "good", "right_support": None, "comment": "Kind staff"},
    )
    assert answers == {"overall": "good"}
    assert comments == [("comment", "Kind staff")]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("0b9e5e0c-6f7f-4d5b-9a59-0d7f9c1b2a3e", True),
        ("0B9E5E0C-6F7F-4D5B-9A59-0D7F9C1B2A3E", False),
        ("not-a-uuid", False),
        ("", False),
        (None, False),
    ],
)
def test_submission_ids_must_be_canonical_uuids(value, valid):
    assert collect.valid_submission_id(value) is valid

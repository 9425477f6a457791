"""Instrument definitions: the shipped files, validation, fingerprints, easy-read rules."""

import re
from dataclasses import replace
from pathlib import Path

import pytest

from surveys import definitions

PICTURES = Path(definitions.__file__).resolve().parent.parent / "feedback" / "static" / "pictures"


@pytest.fixture(scope="module")
def shipped():
    found, errors = definitions.load_directory()
    assert errors == []
    return {d.slug: d for d in found}


def test_every_instrument_the_plans_need_is_shipped(shipped):
    assert set(shipped) == {
        "service-experience",
        "asd-support",
        "transition",
        "local-offer",
        "break-time-parent",
        "break-time-young-person",
        "ehcp-annual-review",
        "ehc-needs-assessment",
        "board-quiz",
    }


def test_service_experience_asks_the_fft_question_with_six_answers(shipped):
    overall = shipped["service-experience"].question("overall")
    assert overall.text == "Overall, how was your experience of {service}?"
    assert [o.label for o in overall.options] == [
        "Very good",
        "Good",
        "Neither good nor poor",
        "Poor",
        "Very poor",
        "Don't know",
    ]
    right = shipped["service-experience"].question("right_support")
    assert [o.code for o in right.options] == ["yes", "partly", "no"]


def test_transition_asks_about_a_transition_plan(shipped):
    question = shipped["transition"].question("transition_plan")
    assert question.text == (
        "Has anyone at children's services talked to you about making a Transition Plan?"
    )


def test_board_quiz_is_scored_and_other_instruments_are_not(shipped):
    assert shipped["board-quiz"].scored
    assert all(q.correct for q in shipped["board-quiz"].questions)
    assert not shipped["service-experience"].scored


def _sentences(text):
    return [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]


def _easy_texts(definition):
    yield definition.easy_intro
    for question in definition.questions:
        yield question.easy_text
        yield from (option.easy_label for option in question.options)


@pytest.mark.parametrize(
    "slug",
    [
        "service-experience",
        "asd-support",
        "transition",
        "local-offer",
        "break-time-parent",
        "break-time-young-person",
        "ehcp-annual-review",
        "ehc-needs-assessment",
        "board-quiz",
    ],
)
def test_easy_read_sentences_have_fifteen_words_or_fewer(shipped, slug):
    for text in _easy_texts(shipped[slug]):
        for sentence in _sentences(text):
            assert len(sentence.split()) <= 15, sentence


def test_every_answer_has_a_picture_that_is_part_of_the_project(shipped):
    for definition in shipped.values():
        for question in definition.questions:
            for option in question.options:
                assert (PICTURES / f"{option.picture}.svg").is_file(), option.picture


def test_same_wording_gives_the_same_fingerprint_and_new_wording_a_new_one(shipped):
    definition = shipped["local-offer"]
    again = definitions.from_dict(definitions.to_dict(definition))
    assert definitions.content_hash(again) == definitions.content_hash(definition)
    question = replace(definition.questions[0], text="Did you find what you were looking for?")
    changed = replace(definition, questions=(question, *definition.questions[1:]))
    assert definitions.content_hash(changed) != definitions.content_hash(definition)


SCALES = {
    "yes_no": (definitions.Option("yes", "Yes", "Yes", "yes"), definitions.Option("no", "No", "No", "no"))
}


def _minimal(**changes):
    data = {
        "slug": "mini",
        "title": "Mini",
        "respondent_type": "parent_carer",
        "intro": "Hello.",
        "questions": [{"key": "q1", "scale": "yes_no", "text": "Yes or no?"}],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slug": "Not A Slug"}, "slug"),
        ({"respondent_type": "everyone"}, "respondent_type"),
        ({"questions": []}, "questions"),
        ({"questions": [{"key": "q1", "scale": "nope", "text": "?"}]}, "questions[0].scale"),
        ({"questions": [{"key": "q1", "type": "slider", "text": "?"}]}, "questions[0].type"),
        ({"questions": [{"key": "q1", "scale": "yes_no"}]}, "questions[0].text"),
        (
            {"questions": [{"key": "q1", "scale": "yes_no", "text": "?", "correct": "maybe"}]},
            "questions[0].correct",
        ),
        (
            {"questions": [{"key": "q1", "type": "text", "text": "?", "max_length": 0}]},
            "questions[0].max_length",
        ),
        (
            {
                "questions": [
                    {"key": "q1", "scale": "yes_no", "text": "?"},
                    {"key": "q1", "scale": "yes_no", "text": "?"},
                ]
            },
            "questions",
        ),
    ],
)
def test_malformed_definition_names_the_file_and_field(changes, field):
    with pytest.raises(definitions.InstrumentError) as caught:
        definitions.parse_definition(_minimal(**changes), SCALES, "mini.toml")
    assert caught.value.source == "mini.toml"
    assert caught.value.field == field


def test_a_bad_file_is_reported_and_the_good_ones_still_load(tmp_path):
    source = Path(definitions.INSTRUMENTS_DIR)
    (tmp_path / "scales.toml").write_text((source / "scales.toml").read_text())
    (tmp_path / "local-offer.toml").write_text((source / "local-offer.toml").read_text())
    (tmp_path / "broken.toml").write_text('slug = "broken"\ntitle = ')
    found, errors = definitions.load_directory(tmp_path)
    assert [d.slug for d in found] == ["local-offer"]
    assert len(errors) == 1
    assert errors[0].source == "broken.toml"

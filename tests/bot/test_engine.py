"""The dialogue engine walks whole conversations, with no web and no database."""

import pytest

from bot.engine import Engine, EngineError
from surveys import definitions


@pytest.fixture(scope="module")
def shipped():
    found, _ = definitions.load_directory()
    return {d.slug: d for d in found}


def engine(shipped, slug, contact="the team on 01234 567890"):
    return Engine(shipped[slug], "the physio team", contact)


def test_bot_says_it_is_not_a_person_and_who_reads_the_answers(shipped):
    _, turn = engine(shipped, "service-experience").start()
    assert "I am a computer, not a person." in turn.messages[0]
    assert "The physio team will read your answers." in turn.messages


def test_easy_read_service_experience_from_start_to_end(shipped):
    bot = engine(shipped, "service-experience")
    state, turn = bot.start()
    assert turn.kind == "choice" and turn.question == "overall"
    assert [b.label for b in turn.buttons] == [
        "Very good",
        "Good",
        "OK",
        "Bad",
        "Very bad",
        "I don't know",
        "Skip",
    ]
    assert all(b.picture for b in turn.buttons)
    state, turn = bot.reply(state, 0, {"choice": "very_good"})
    assert turn.question == "right_support"
    # The chat offers what the form offers: Yes / Partly / No has no "I don't know".
    assert [b.label for b in turn.buttons] == ["Yes", "A bit", "No", "Skip"]
    state, turn = bot.reply(state, 1, {"choice": "partly"})
    assert turn.kind == "text" and turn.max_length == 1000
    state, turn = bot.reply(state, 2, {"text": "The physio was brilliant and kind."})
    assert turn.kind == "end"
    assert "Thank you! That is good to hear." in turn.messages
    assert state["finished"]
    assert state["answers"] == {"overall": "very_good", "right_support": "partly"}
    assert [c[0] for c in state["comments"]] == ["comment"]


def test_transition_conversation_with_skip_and_dont_know(shipped):
    bot = engine(shipped, "transition")
    state, _ = bot.start()
    state, _ = bot.reply(state, 0, {"skip": True})  # moved? skipped: the experience is not asked
    state, _ = bot.reply(state, 1, {"choice": "dont_know"})
    state, _ = bot.reply(state, 2, {"choice": "yes"})
    state, turn = bot.reply(state, 3, {"skip": True})
    assert turn.kind == "end"
    assert state["answers"] == {"conversations": "dont_know", "plan_started": "yes"}
    assert state["comments"] == []


def test_dont_know_on_a_scale_without_it_is_refused_as_the_form_refuses_it(shipped):
    bot = engine(shipped, "local-offer")
    state, turn = bot.start()
    assert "I don't know" not in [b.label for b in turn.buttons]
    with pytest.raises(EngineError) as caught:
        bot.reply(state, 0, {"choice": "dont_know"})
    assert caught.value.code == "bad_choice"


def test_break_time_negative_comment_gets_kindness_and_one_follow_up(shipped):
    bot = engine(shipped, "break-time-young-person")
    state, _ = bot.start()
    state, _ = bot.reply(state, 0, {"choice": "disagree"})
    state, turn = bot.reply(state, 1, {"text": "It is boring and the room is horrible."})
    assert turn.messages == ("Thank you for telling us.", "What would make it better?")
    assert turn.question == "comment_better"
    state, turn = bot.reply(state, 2, {"text": "More games outside, it is awful inside."})
    assert turn.kind == "end"  # never a second follow-up
    assert [c[0] for c in state["comments"]] == ["comment", "comment_better"]


def test_safeguarding_phrase_shows_help_at_once_and_flags_the_comment(shipped):
    bot = engine(shipped, "break-time-young-person")
    state, _ = bot.start()
    state, _ = bot.reply(state, 0, {"choice": "agree"})
    state, turn = bot.reply(state, 1, {"text": "My step-dad hits me when I get home."})
    assert turn.help_shown
    assert "If you are in danger now, call 999." in turn.messages
    assert "You can call Childline for free on 0800 1111." in turn.messages
    assert "You can also contact the team on 01234 567890." in turn.messages
    key, _, _, flagged, help_shown = state["comments"][0]
    assert (key, flagged, help_shown) == ("comment", True, True)


def test_a_conversation_can_be_resumed_where_it_was(shipped):
    bot = engine(shipped, "service-experience")
    state, _ = bot.start()
    state, asked = bot.reply(state, 0, {"choice": "good"})
    again = bot.current(state)
    assert again.messages[0] == "Welcome back. Here is where we were."
    assert (again.question, again.turn) == (asked.question, asked.turn)
    state, turn = bot.reply(state, again.turn, {"choice": "yes"})
    assert turn.question == "comment"


@pytest.mark.parametrize(
    ("turn", "answer", "code"),
    [
        (1, {"choice": "good"}, "out_of_order"),
        (0, {"choice": "excellent"}, "bad_choice"),
        (0, {"choice": "good", "admin": True}, "bad_answer"),
        (0, {}, "bad_answer"),
        (0, "good", "bad_answer"),
    ],
)
def test_answers_that_do_not_fit_are_refused_with_a_code(shipped, turn, answer, code):
    bot = engine(shipped, "service-experience")
    state, _ = bot.start()
    with pytest.raises(EngineError) as caught:
        bot.reply(state, turn, answer)
    assert caught.value.code == code


def test_text_over_the_limit_or_empty_is_refused(shipped):
    bot = engine(shipped, "local-offer")
    state, _ = bot.start()
    state, _ = bot.reply(state, 0, {"choice": "yes"})
    state, _ = bot.reply(state, 1, {"choice": "yes"})
    for text, code in (("x" * 1001, "too_long"), ("   ", "empty_text"), (7, "empty_text")):
        with pytest.raises(EngineError) as caught:
            bot.reply(state, 2, {"text": text})
        assert caught.value.code == code


def test_a_finished_or_foreign_state_cannot_continue(shipped):
    bot = engine(shipped, "local-offer")
    state, _ = bot.start()
    with pytest.raises(EngineError) as caught:
        engine(shipped, "transition").reply(state, 0, {"choice": "yes"})
    assert caught.value.code == "bad_state"
    state, _ = bot.reply(state, 0, {"skip": True})
    state, _ = bot.reply(state, 1, {"skip": True})
    state, _ = bot.reply(state, 2, {"skip": True})
    with pytest.raises(EngineError) as caught:
        bot.reply(state, 3, {"skip": True})
    assert caught.value.code == "finished"


def test_replying_does_not_change_the_state_it_was_given(shipped):
    bot = engine(shipped, "local-offer")
    state, _ = bot.start()
    before = repr(state)
    bot.reply(state, 0, {"choice": "yes"})
    assert repr(state) == before


@pytest.mark.parametrize(
    "answers",
    [
        [],
        [{"choice": "good"}],
        [{"choice": "good"}, {"choice": "no"}],
        [{"choice": "good"}, {"choice": "no"}, {"text": "It was awful."}],
    ],
)
def test_each_turn_names_its_question_among_its_messages(shipped, answers):
    bot = engine(shipped, "service-experience")
    state, turn = bot.start()
    for answer in answers:
        state, turn = bot.reply(state, turn.turn, answer)
    assert turn.prompt in turn.messages
    assert turn.as_dict()["prompt"] == turn.prompt


def test_the_last_turn_asks_nothing(shipped):
    bot = engine(shipped, "local-offer")
    state, turn = bot.start()
    while turn.kind != "end":
        state, turn = bot.reply(state, turn.turn, {"skip": True})
    assert turn.prompt is None

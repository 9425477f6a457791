"""Every sentence the bot can say is short and free of jargon."""

import re
import tomllib
from pathlib import Path

import pytest

from bot.api import CHAT_RESPONDENTS
from bot.engine import Engine, EngineError
from surveys import definitions, easy_read

JARGON = [
    "provision",
    "pathway",
    "commissioning",
    "commissioner",
    "statutory",
    "neurodevelopmental",
    "co-production",
    "co-produced",
    "cohort",
    "multi-agency",
    "outcomes",
    "criteria",
]
REFERENCE = Path(definitions.__file__).resolve().parent.parent / "feedback" / "reference.toml"


def _services():
    with REFERENCE.open("rb") as f:
        services = tomllib.load(f)["services"]
    return [(s["easy_name"], s.get("contact")) for s in services.values()]


def _everything_said(definition, name, contact):
    """Walk the conversation down every kind of branch, collecting what the bot says."""
    said = []
    for text in ("Lovely and kind staff.", "It was awful and horrible.", "I want to die"):
        bot = Engine(definition, name, contact)
        state, turn = bot.start()
        said += turn.messages
        while turn.kind != "end":
            said += bot.current(state).messages
            answer = {"text": text} if turn.kind == "text" else {"choice": turn.buttons[0].code}
            state, turn = bot.reply(state, turn.turn, answer)
            said += turn.messages
            said += [b.label for b in turn.buttons]
        try:
            bot.reply(state, turn.turn, {"skip": True})
        except EngineError as error:
            said.append(str(error))
    return said


def _cases():
    found, _ = definitions.load_directory()
    for definition in found:
        if definition.respondent_type not in CHAT_RESPONDENTS:
            continue  # the board quiz is not offered in the chat
        for name, contact in _services():
            yield definition, name, contact


@pytest.mark.parametrize(
    ("definition", "name", "contact"),
    list(_cases()),
    ids=lambda value: getattr(value, "slug", None) or str(value)[:20],
)
def test_every_bot_sentence_is_fifteen_words_or_fewer_and_plain(definition, name, contact):
    for message in _everything_said(definition, name, contact):
        for sentence in re.split(r"(?<=[.?!])\s+", message):
            assert len(sentence.split()) <= 15, sentence
            lowered = sentence.lower()
            assert not [word for word in JARGON if word in lowered], sentence
            # The shared easy-read rules (surveys/easy_read.toml): no acronym unless named in quotes.
            assert easy_read.problems(sentence) == []

"""Instrument wording in other languages, kept as data beside the English instruments.

Pure code: no Flask, no database. Each file surveys/instruments/translations/<code>.toml maps an
English text (a title, an intro, a question, an answer, a service's name) to its translation and
says who checked it. A text with no translation stays in English, so a new English wording shows
in English until it is translated; answers keep the same option codes in every language.
"""

import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from surveys.definitions import INSTRUMENTS_DIR

TRANSLATIONS_DIR = INSTRUMENTS_DIR / "translations"


@dataclass(frozen=True)
class Translation:
    language: str
    checked_by: str  # who checked it, or that it still is to be checked by a qualified translator
    words: dict

    def say(self, english):
        """Return the translation of an English text, or the text itself if there is none."""
        return self.words.get(english, english) if english else english

    def covers(self, definition):
        """Return whether every text of the definition has a translation."""
        return all(text in self.words for text in wording(definition))


def load(directory=TRANSLATIONS_DIR):
    """Return {language code: Translation} for every translation file."""
    found = {}
    for path in sorted(Path(directory).glob("*.toml")):
        with path.open("rb") as f:
            data = tomllib.load(f)
        found[path.stem] = Translation(path.stem, data["checked_by"], dict(data["words"]))
    return found


@cache
def shipped():
    """Return the translations shipped with the instruments (read once)."""
    return load()


def available(definition, offered):
    """Return the offered languages a definition can be read in: English, and every language
    whose translation has all of its wording (a half-translated survey is not offered)."""
    found = shipped()
    return tuple(
        language
        for language in offered
        if language.code == "en" or (language.code in found and found[language.code].covers(definition))
    )


def wording(definition):
    """Yield every text of a definition that a respondent reads."""
    yield from (definition.title, definition.intro, definition.easy_intro)
    if definition.easy_title:
        yield definition.easy_title
    for question in definition.questions:
        yield from (question.text, question.easy_text)
        for option in question.options:
            yield from (option.label, option.easy_label)


def translate(definition, translation):
    """Return the definition with its wording in the translation's language (codes unchanged)."""
    if translation is None:
        return definition
    say = translation.say
    questions = tuple(
        replace(
            q,
            text=say(q.text),
            easy_text=say(q.easy_text),
            options=tuple(replace(o, label=say(o.label), easy_label=say(o.easy_label)) for o in q.options),
        )
        for q in definition.questions
    )
    return replace(
        definition,
        title=say(definition.title),
        easy_title=say(definition.easy_title),
        intro=say(definition.intro),
        easy_intro=say(definition.easy_intro),
        questions=questions,
    )

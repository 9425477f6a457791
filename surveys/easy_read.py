"""Checks that easy-read text is easy: short sentences, no jargon, no unexplained acronyms.

Pure code. The word lists are data (easy_read.toml) so that staff can add to them.
"""

import re
import tomllib
from functools import cache
from pathlib import Path

MOST_WORDS = 15
WORD_LISTS = Path(__file__).parent / "easy_read.toml"
SENTENCE_END = re.compile(r"(?<=[.?!:])\s+|\n+")
ACRONYM = re.compile(r"\b[A-Z]{2,}(?:/[A-Z]{2,})*s?\b")
# A hard word in quotation marks is being named and explained ("It is called an 'EHCP'."), not used.
OPENING, CLOSING = "'\"\u2018\u201c", "'\"\u2019\u201d"  # straight and curly quotation marks
QUOTED = re.compile(rf"(?<!\w)[{OPENING}][^{CLOSING}]+[{CLOSING}](?!\w)")


@cache
def word_lists(path=WORD_LISTS):
    """Return (jargon words and phrases, allowed acronyms) from the data file."""
    with Path(path).open("rb") as f:
        data = tomllib.load(f)
    return tuple(data["jargon"]), frozenset(data["allowed_acronyms"])


def sentences(text):
    """Split text into its sentences (and lines, which are headings, labels or buttons)."""
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def problems(text):
    """Return what makes a piece of easy-read text hard, one line per problem (empty if none)."""
    jargon, allowed = word_lists()
    found = []
    for sentence in sentences(text):
        words = len(re.findall(r"[\w'\u2019-]+", sentence))
        if words > MOST_WORDS:
            found.append(f"{words} words: {sentence}")
        unquoted = QUOTED.sub(" ", sentence)
        found += [
            f"jargon {term!r}: {sentence}"
            for term in jargon
            if re.search(rf"\b{re.escape(term)}\b", unquoted.lower())
        ]
        found += [
            f"acronym {acronym!r}: {sentence}"
            for acronym in ACRONYM.findall(unquoted)
            if acronym.rstrip("s") not in allowed and acronym not in allowed
        ]
    return found

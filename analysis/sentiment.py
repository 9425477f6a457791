"""Sentiment of free-text comments: TextBlob's pattern analyser, and a small lexicon of how
families complain about SEND services (analysis/complaint_words.toml).

TextBlob ships with its analyser and needs no downloaded corpora, so it works offline; it reads
"We have waited 18 months and heard nothing" as neutral and "Nice staff but the wait was long"
as positive. A comment matching the lexicon is a complaint whatever TextBlob says; one that
does not keeps TextBlob's polarity.
"""

import functools
import re
import tomllib
from pathlib import Path

from textblob import TextBlob

LEXICON_FILE = Path(__file__).parent / "complaint_words.toml"
COMPLAINT_AT_MOST = -0.3  # a matching comment is at least this negative
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})


@functools.cache
def lexicon(path=LEXICON_FILE):
    """Return (compiled complaint patterns, phrases that are not complaints, weight per match)."""
    with Path(path).open("rb") as f:
        data = tomllib.load(f)
    patterns = tuple(re.compile(p) for group in data["patterns"].values() for p in group)
    return (
        patterns,
        tuple(data["not_complaints"]["phrases"]),
        float(data.get("weight", 0.3)),
        tuple(data.get("contrasts", ())),
    )


def _turns_negative(lowered):
    """Return whether the comment praises, then turns ("Nice staff but the wait was long")."""
    for word in lexicon()[3]:
        before, found, after = lowered.rpartition(word)
        if found and after.strip():
            return textblob_polarity(before) > 0 and textblob_polarity(after) <= 0
    return False


def complaint_matches(text):
    """Return how many complaint patterns the comment matches (after removing praise phrases)."""
    patterns, not_complaints, _, _ = lexicon()
    lowered = f" {text.lower().translate(APOSTROPHES)} "
    for phrase in not_complaints:
        lowered = lowered.replace(phrase, " ")
    return sum(1 for pattern in patterns if pattern.search(lowered)) + _turns_negative(lowered)


def textblob_polarity(text):
    """Return TextBlob's polarity alone, from -1 to 1."""
    return TextBlob(text).sentiment.polarity


def polarity(text):
    """Return the comment's polarity from -1 (negative) to 1 (positive), rounded to 3 places."""
    value = textblob_polarity(text)
    matches = complaint_matches(text)
    if matches:
        weight = lexicon()[2]
        value = max(-1.0, min(value, 0.0, COMPLAINT_AT_MOST) - weight * (matches - 1))
    return round(value, 3)


def label(value):
    """Return a word for a polarity, so sentiment is never shown by colour alone."""
    if value <= -0.1:
        return "Negative"
    if value >= 0.1:
        return "Positive"
    return "Neutral"

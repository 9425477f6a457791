"""Sentiment that hears complaints: TextBlob plus the complaint lexicon, measured on invented,
hand-labelled comments (tests/analysis/data) against TextBlob alone."""

import csv
from pathlib import Path

import pytest

from analysis import sentiment

DATA = Path(__file__).parent / "data"
SETS = ("labelled_comments.csv", "held_out_comments.csv", "held_out_comments_2.csv")


def comments(*names):
    found = []
    for name in names:
        with (DATA / name).open(encoding="utf-8") as f:
            found.extend((row["label"], row["text"]) for row in csv.DictReader(f))
    return found


def share_negative(texts, read):
    return sum(sentiment.label(read(t)) == "Negative" for t in texts) / len(texts)


@pytest.mark.parametrize(
    "text",
    [
        "We have waited 18 months and heard nothing",
        "Nobody explained what happens next, we felt lost",
        "My son was not listened to",
        "Nice staff but the wait was long",
    ],
)
def test_the_complaints_textblob_missed_are_heard(text):
    assert round(sentiment.textblob_polarity(text), 3) > -0.1  # TextBlob alone: not negative
    assert sentiment.label(sentiment.polarity(text)) == "Negative"


@pytest.mark.parametrize(
    "text",
    [
        "We didn't have to wait long at all.",
        "We never felt rushed.",
        "No complaints at all.",
        "It was a long journey, but the team have been brilliant.",
    ],
)
def test_praise_that_mentions_a_complaint_word_is_not_called_negative(text):
    assert sentiment.label(sentiment.polarity(text)) != "Negative"


def test_there_are_at_least_200_labelled_comments_of_each_kind_between_them():
    labelled = comments(*SETS)
    assert len(labelled) >= 200 and {label for label, _ in labelled} == {"complaint", "praise"}


def test_the_combination_hears_85_percent_of_complaints_and_calls_at_most_10_percent_of_praise_negative():
    labelled = comments(*SETS)
    complaints = [t for label, t in labelled if label == "complaint"]
    praise = [t for label, t in labelled if label == "praise"]
    assert share_negative(complaints, sentiment.polarity) >= 0.85
    assert share_negative(praise, sentiment.polarity) <= 0.10


def test_textblob_alone_misses_most_complaints_the_combination_hears():
    complaints = [t for label, t in comments(*SETS) if label == "complaint"]
    alone = share_negative(complaints, sentiment.textblob_polarity)
    assert alone < 0.3 < share_negative(complaints, sentiment.polarity) - alone


def test_a_complaint_gets_the_chats_gentle_follow_up():
    from bot.engine import NEGATIVE_BELOW

    assert sentiment.polarity("We have been on the list for over a year.") < NEGATIVE_BELOW

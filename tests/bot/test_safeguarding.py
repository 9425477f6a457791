"""The reviewed safeguarding phrases, with near misses that must not match."""

import pytest

from bot.safeguarding import suggests_risk


@pytest.mark.parametrize(
    "text",
    [
        "I want to die",
        "sometimes I think about killing myself",
        "I self-harm when I am sad",
        "i selfharm",
        "I cut myself last week",
        "my brother hits me",
        "Mum's boyfriend hurts me",
        "someone touched me and I did not like it",
        "there is abuse at home",
        "I don't feel safe at home",
        "I am not safe",
        "I'm scared to go home",
        "I would be better off dead",
        "SUICIDAL",
    ],
)
def test_phrases_that_suggest_risk_are_caught(text):
    assert suggests_risk(text)


@pytest.mark.parametrize(
    "text",
    [
        "I felt safe and happy",
        "Hitting the ball was the best bit",
        "I hurt my leg at football",
        "The killer whale film was good",
        "I dyed my hair blue",
        "The staff are safety trained",
        "my team hit the target",
        "it was a hit with everyone",
        "I died laughing at the magician",
        "We talked about how to stay safe online",
    ],
)
def test_near_misses_are_not_flagged(text):
    assert not suggests_risk(text)

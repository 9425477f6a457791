"""Sentiment of free-text comments with TextBlob's pattern analyser.

The analyser ships with TextBlob and needs no downloaded corpora, so it works offline.
"""

from textblob import TextBlob


def polarity(text):
    """Return the comment's polarity from -1 (negative) to 1 (positive), rounded to 3 places."""
    return round(TextBlob(text).sentiment.polarity, 3)


def label(value):
    """Return a word for a polarity, so sentiment is never shown by colour alone."""
    if value <= -0.1:
        return "Negative"
    if value >= 0.1:
        return "Positive"
    return "Neutral"

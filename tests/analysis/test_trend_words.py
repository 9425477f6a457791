"""A sparkline's trend is also said in words, for people who cannot see the line."""

import pytest

from analysis.charts import sparkline, trend_words


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ([70.4, 65.0, 82.2, 80.0], "Last 4 months: from 70% to 80%, lowest 65%, highest 82%."),
        (
            [None, 50.0, None, 60.0],
            "Last 4 months: from 50% to 60%, lowest 50%, highest 60%. 2 without a figure.",
        ),
        ([None] * 12, "No figures in the last 12 months."),
    ],
)
def test_trend_is_put_into_words(values, words):
    assert trend_words(values) == words


def test_sparkline_carries_its_words_beside_the_hidden_drawing():
    markup = str(sparkline([70.0, 80.0], [75.0, 75.0]))
    assert 'aria-hidden="true"' in markup
    assert '<span class="visually-hidden">Last 2 months: from 70% to 80%' in markup

"""The codebook measured on invented, hand-labelled comments (tests/analysis/data/themed_*.csv).

The labels were written before the codebook (themed_comments.csv) or before the codebook's
later versions (the two held-out files); `python bench/themes.py` prints the full table.
Thresholds: at least 0.8 precision and 0.8 recall for each of the five largest themes, and
0.7 for every other theme, over all the labelled comments.
"""

import csv
from pathlib import Path

import pytest

from analysis import themes

DATA = Path(__file__).parent / "data"
SETS = ("themed_comments.csv", "themed_comments_held_out.csv", "themed_comments_held_out_2.csv")


def labelled():
    rows = []
    for name in SETS:
        with (DATA / name).open(encoding="utf-8") as f:
            rows.extend((set(row["themes"].split()), row["text"]) for row in csv.DictReader(f))
    return rows


def largest(count):
    sizes = {}
    for expected, _ in labelled():
        for slug in expected:
            sizes[slug] = sizes.get(slug, 0) + 1
    return sorted(sizes, key=lambda slug: -sizes[slug])[:count]


def test_there_are_at_least_200_labelled_comments_and_every_label_is_a_codebook_theme():
    rows = labelled()
    assert len(rows) >= 200
    assert {slug for expected, _ in rows for slug in expected} == set(themes.load().slugs)


@pytest.mark.parametrize("slug", largest(5))
def test_each_of_the_five_largest_themes_has_precision_and_recall_of_at_least_0_8(slug):
    tp, fp, fn = themes.measure(themes.load(), labelled())[slug]
    precision, recall = themes.precision_recall(tp, fp, fn)
    assert precision >= 0.8, (slug, tp, fp)
    assert recall >= 0.8, (slug, tp, fn)


def test_every_other_theme_has_precision_and_recall_of_at_least_0_7():
    counts = themes.measure(themes.load(), labelled())
    for slug in set(counts) - set(largest(5)):
        precision, recall = themes.precision_recall(*counts[slug])
        assert precision >= 0.7 and recall >= 0.7, (slug, counts[slug])

"""Precision and recall of the theme codebook per theme, on the hand-labelled comments.

    python bench/themes.py [--errors]

Prints what it measured (a Markdown table); nothing passes or fails here
(tests/analysis/test_themes_measured.py does). ``--errors`` also lists every comment the
codebook got wrong, for whoever edits analysis/themes.toml.
"""

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import themes  # noqa: E402

DATA = ROOT / "tests" / "analysis" / "data"
SETS = {
    "themed_comments.csv": "labelled before the codebook was written; the codebook was tuned on it",
    "themed_comments_held_out.csv": "after the first codebook, which overfit; then used to widen it",
    "themed_comments_held_out_2.csv": "after the widened codebook; measured once untuned, then tuned on",
}


def labelled(name):
    path = DATA / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return [(set(row["themes"].split()), row["text"]) for row in csv.DictReader(f)]


def _show(value):
    return "-" if value is None else f"{value:.2f}"


def table(codebook, rows):
    counts = themes.measure(codebook, rows)
    lines = ["| theme | comments | precision | recall |", "| --- | ---: | ---: | ---: |"]
    for slug, (tp, fp, fn) in sorted(counts.items(), key=lambda item: -(item[1][0] + item[1][2])):
        precision, recall = themes.precision_recall(tp, fp, fn)
        lines.append(
            f"| {slug} | {tp + fn} | {_show(precision)} ({tp}/{tp + fp}) | {_show(recall)} ({tp}/{tp + fn}) |"
        )
    return "\n".join(lines)


def errors(codebook, rows):
    for expected, text in rows:
        found = set(codebook.themes_of(text))
        if found != expected:
            missed, extra = sorted(expected - found), sorted(found - expected)
            print(f"  missed {missed} extra {extra}: {text}")


def main():
    codebook = themes.load()
    everything = []
    for name, note in SETS.items():
        rows = labelled(name)
        if not rows:
            continue
        everything.extend(rows)
        print(f"\n{name}: {len(rows)} comments ({note})\n")
        print(table(codebook, rows))
        if "--errors" in sys.argv:
            errors(codebook, rows)
    print(f"\nall: {len(everything)} comments, codebook {codebook.version}\n")
    print(table(codebook, everything))


if __name__ == "__main__":
    main()

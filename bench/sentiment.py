"""Complaints recognised and praise called negative, TextBlob alone vs TextBlob with the
complaint lexicon, on each set of hand-labelled comments in tests/analysis/data.

    python bench/sentiment.py

Prints what it measured; nothing passes or fails here (tests/analysis/test_sentiment.py does).
"""

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import sentiment  # noqa: E402

DATA = ROOT / "tests" / "analysis" / "data"
SETS = {
    "labelled_comments.csv": "written first; the lexicon was built on it",
    "held_out_comments.csv": "written after the first lexicon; used to generalise it",
    "held_out_comments_2.csv": "written before that generalisation",
}


def negative(read, texts):
    return sum(sentiment.label(read(t)) == "Negative" for t in texts)


def line(name, rows):
    complaints = [t for label, t in rows if label == "complaint"]
    praise = [t for label, t in rows if label == "praise"]
    parts = [f"{name}: {len(complaints)} complaints, {len(praise)} praise"]
    readers = (("TextBlob alone", sentiment.textblob_polarity), ("with lexicon", sentiment.polarity))
    for title, read in readers:
        heard, wrong = negative(read, complaints), negative(read, praise)
        parts.append(
            f"  {title:14} complaints recognised {heard}/{len(complaints)} "
            f"({100 * heard / len(complaints):.1f}%), praise called negative "
            f"{wrong}/{len(praise)} ({100 * wrong / len(praise):.1f}%)"
        )
    return "\n".join(parts)


def main():
    everything = []
    for name, note in SETS.items():
        with (DATA / name).open(encoding="utf-8") as f:
            rows = [(r["label"], r["text"]) for r in csv.DictReader(f)]
        everything.extend(rows)
        print(line(f"{name} ({note})", rows))
    print(line("all comments", everything))


if __name__ == "__main__":
    main()

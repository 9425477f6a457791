"""The theme codebook as data: loading, matching, and a broken file that loads nothing."""

import pytest

from analysis import themes

GOOD = """
[themes.waiting]
name = "Waiting times"
easy_name = "Waiting"
phrases = ["waiting list", "cancel*"]
stems = ["delay"]
patterns = ['\\bwait(ed|ing)? for\\b']
not = ["waiting room"]

[themes.school]
name = "School"
stems = ["school"]
"""


def test_the_shipped_codebook_loads_with_the_themes_the_issue_names():
    codebook = themes.load()
    assert {
        "waiting",
        "communication",
        "listened",
        "staff_attitude",
        "information",
        "access",
        "appointments",
        "support_waiting",
        "transition",
        "school",
    } <= set(codebook.slugs)
    assert all(theme.name and theme.easy_name and theme.about for theme in codebook.themes)


def test_a_comment_gets_every_theme_whose_cue_it_contains_in_codebook_order():
    codebook = themes.parse(GOOD)
    assert codebook.themes_of("Delays at school, and on the waiting list") == ("waiting", "school")
    assert codebook.themes_of("Nothing to say") == ()


@pytest.mark.parametrize(
    "text", ["We WAITED FOR ages", "The appointment was cancelled", "Long delays", "on the\twaiting   list"]
)
def test_phrases_stems_and_patterns_match_whatever_the_case_and_spacing(text):
    assert themes.parse(GOOD).themes_of(text) == ("waiting",)


def test_a_stem_matches_only_at_the_start_of_a_word():
    assert themes.parse(GOOD).themes_of("Preschool was good") == ()


def test_a_not_phrase_stops_a_match_for_its_theme():
    assert themes.parse(GOOD).themes_of("The waiting room was loud") == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We didn't have to wait long at all.", {"waiting"}),  # a theme is a topic, not a complaint
        ("I can't wait to go back!", set()),
        ("The waiting room was so noisy my son had a meltdown.", {"access"}),
        ("Speech therapy has helped his communication so much.", set()),
        ("Nobody told us the clinic had moved.", {"communication", "access"}),
    ],
)
def test_the_shipped_codebook_reads_topics_not_words(text, expected):
    assert set(themes.load().themes_of(text)) == expected


def test_curly_apostrophes_read_as_straight_ones():
    assert themes.load().themes_of("I can\u2019t wait to go back!") == ()


def test_the_version_changes_when_the_file_does():
    assert themes.parse(GOOD).version != themes.parse(GOOD + "\n# edited\n").version


def test_a_broken_pattern_is_named_with_its_theme_and_line_and_nothing_loads():
    broken = GOOD.replace("'\\bwait(ed|ing)? for\\b'", "'\\bwait(ed|ing for'")
    with pytest.raises(themes.ThemeFileError) as raised:
        themes.parse(broken, "themes.toml")
    message = str(raised.value)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "wait(ed|ing for" in text)
    assert f"themes.toml line {line}" in message and "'waiting'" in message
    assert "not a valid regular expression" in message


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("[themes.waiting]\nname = 'W'\n", "no phrases, stems or patterns"),
        ("[themes.Waiting]\nname = 'W'\nstems = ['wait']\n", "lower-case"),
        ("[themes.waiting]\nstems = ['wait']\n", "needs a name"),
        ("[themes.waiting]\nname = 'W'\nstems = ['']\n", "non-empty string"),
        ("themes = [", "not valid TOML"),
        ("title = 'no themes'", "no [themes.<name>] tables"),
    ],
)
def test_a_codebook_that_is_wrong_says_why(source, words):
    with pytest.raises(themes.ThemeFileError, match=words.replace("[", r"\[").replace(".", r"\.")):
        themes.parse(source)


def test_load_reads_the_file_again_once_it_changes(tmp_path):
    path = tmp_path / "themes.toml"
    path.write_text(GOOD, encoding="utf-8")
    first = themes.load(path)
    path.write_text(GOOD.replace('stems = ["school"]', 'stems = ["school", "nursery"]'), encoding="utf-8")
    import os

    os.utime(path, ns=(1, path.stat().st_mtime_ns + 1_000_000))
    assert themes.load(path).version != first.version
    assert themes.load(path).themes_of("nursery") == ("school",)


def test_measure_counts_hits_false_alarms_and_misses_per_theme():
    codebook = themes.parse(GOOD)
    labelled = [
        ({"waiting"}, "waiting list"),
        ({"school"}, "waiting list"),
        (set(), "school"),
        ({"school"}, "nothing"),
    ]
    assert themes.measure(codebook, labelled) == {"waiting": (1, 1, 0), "school": (0, 1, 2)}
    assert themes.precision_recall(1, 1, 0) == (0.5, 1.0)
    assert themes.precision_recall(0, 0, 0) == (None, None)

"""KPI arithmetic: Don't-know handling, Wilson intervals, trajectories, RAG, suppression."""

from datetime import date

import pytest

from analysis import measures
from analysis.measures import Cell

START = date(2020, 10, 1)
TRAJECTORY = ((3, 20.0), (6, 35.0), (12, 70.0))


def test_percentage_uses_the_whole_denominator():
    assert measures.percentage(7, 10) == 70
    assert measures.percentage(0, 0) is None


@pytest.mark.parametrize(
    ("numerator", "denominator", "low", "high"),
    [
        (5, 10, 23.66, 76.34),
        (8, 10, 49.02, 94.33),
        (0, 10, 0.0, 27.75),
        (10, 10, 72.25, 100.0),
        (81, 263, 25.53, 36.62),  # Newcombe (1998), Statistics in Medicine, example
    ],
)
def test_wilson_interval_matches_published_values(numerator, denominator, low, high):
    got_low, got_high = measures.wilson_interval(numerator, denominator)
    assert got_low == pytest.approx(low, abs=0.05)
    assert got_high == pytest.approx(high, abs=0.05)


def test_wilson_interval_without_data_is_empty():
    assert measures.wilson_interval(0, 0) == (None, None)


@pytest.mark.parametrize(
    ("month", "target"),
    [
        (date(2020, 9, 1), None),  # before the plan started
        (date(2020, 10, 1), None),  # month 0: the baseline is a starting figure, not a target
        (date(2020, 12, 1), None),  # month 2: no target yet
        (date(2021, 1, 1), 20.0),  # month 3
        (date(2021, 3, 1), 20.0),  # month 5: the 3-month milestone is still in force
        (date(2021, 4, 1), 35.0),  # month 6
        (date(2021, 9, 1), 35.0),  # month 11
        (date(2021, 10, 1), 70.0),  # month 12
        (date(2026, 11, 1), 70.0),  # long after: the 12-month target stays
    ],
)
def test_target_is_the_latest_milestone_reached(month, target):
    assert measures.target_for(TRAJECTORY, START, month) == target


@pytest.mark.parametrize(
    ("month", "until", "expected"),
    [
        (date(2020, 12, 1), None, ("not_yet", None)),
        (date(2021, 1, 1), None, ("target", 20.0)),
        (date(2021, 3, 1), 6, ("target", 20.0)),
        (date(2021, 4, 1), 6, ("ended", None)),
        (date(2030, 1, 1), 6, ("ended", None)),
    ],
)
def test_target_in_force_says_why_there_is_none(month, until, expected):
    assert measures.target_in_force(TRAJECTORY, START, month, until) == expected


def test_a_kpi_with_no_trajectory_has_no_target_set():
    assert measures.target_in_force((), START, date(2021, 6, 1)) == ("none", None)


@pytest.mark.parametrize(
    ("number", "places", "shown"),
    [
        (62.5, 0, 63),
        (61.5, 0, 62),
        (62.49, 0, 62),
        (0.5, 0, 1),
        (100.0, 0, 100),
        (62.25, 1, 62.3),
        (33.35, 1, 33.4),
        (None, 0, None),
    ],
)
def test_figures_round_half_up_as_people_expect(number, places, shown):
    assert measures.round_half_up(number, places) == shown


def test_percent_for_display_is_whole_and_rounded_half_up():
    assert measures.display_percent(62.5) == "63%"
    assert measures.display_percent(5 / 8 * 100) == "63%"


def test_reduction_is_the_share_the_wait_fell_by():
    assert measures.reduction(70, 100) == 30
    assert measures.reduction(120, 100) == -20  # the wait grew
    assert measures.reduction(70, 0) is None
    assert Cell("all", 70, 12, base=100.0).value == 30


def test_kpi_without_early_milestones_has_no_target_until_the_first():
    trajectory = ((6, 40.0), (12, 70.0))
    assert measures.target_for(trajectory, START, date(2021, 1, 1)) is None
    assert measures.target_for(trajectory, START, date(2021, 4, 1)) == 40.0


@pytest.mark.parametrize(
    ("value", "target", "status"),
    [
        (70.0, 70.0, "green"),
        (85.0, 70.0, "green"),
        (69.9, 70.0, "amber"),
        (65.0, 70.0, "amber"),
        (64.9, 70.0, "red"),
        (None, 70.0, "grey"),
        (50.0, None, "none"),
    ],
)
def test_rag_boundaries(value, target, status):
    assert measures.rag(value, target, margin=5) == status


def test_amber_margin_is_configurable():
    assert measures.rag(62.0, 70.0, margin=10) == "amber"
    assert measures.rag(62.0, 70.0, margin=5) == "red"


def test_cell_with_four_responses_is_suppressed_and_five_is_shown():
    cells = measures.suppress([Cell("a", 2, 4), Cell("z", 1, 1), Cell("b", 3, 5), Cell("c", 30, 40)])
    four, five = cells[0], cells[2]
    assert four.suppressed and four.value is None
    assert not five.suppressed and five.value == 60


def test_one_suppressed_cell_makes_the_next_smallest_suppressed_too():
    cells = measures.suppress([Cell("a", 1, 3), Cell("b", 5, 9), Cell("c", 7, 12), Cell("d", 40, 50)])
    assert [c.suppressed for c in cells] == [True, True, False, False]
    assert [c.complement for c in cells] == [False, True, False, False]  # b: hidden to protect a


def test_two_small_cells_need_no_secondary_suppression():
    cells = measures.suppress([Cell("a", 1, 3), Cell("b", 2, 2), Cell("c", 7, 12)])
    assert [c.suppressed for c in cells] == [True, True, False]


def test_zero_is_no_data_not_suppressed_and_not_used_as_the_secondary_cell():
    cells = measures.suppress([Cell("a", 0, 0), Cell("b", 1, 1), Cell("c", 5, 8), Cell("d", 9, 20)])
    assert [c.suppressed for c in cells] == [False, True, True, False]
    assert cells[0].value is None


def test_previous_months_cross_the_year_end():
    assert measures.previous_months(date(2026, 2, 1), 3) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]

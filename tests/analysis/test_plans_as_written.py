"""Every KPI of both plan files against the plans' own tables, month by month.

Each row below is typed from the seed documents (seed 000 the 2020 Accelerated Progress Plan,
seed 001 its highlight reports, seed 003 the 2023-24 Continuous Improvement Plan), not from
the KPI files: the target in force in months 0 to 12 after the plan's start, then in month 24.
`_` is "no target in force". A baseline is a starting figure and is never a target.
"""

from datetime import date

import pytest

from analysis import definitions, plan_check, scorecard
from surveys import definitions as instrument_definitions

_ = None
#          month:  0  1  2  3    4    5    6    7    8    9    10   11   12   24
PLAN_TABLES = {
    # Seed 000, score card and KPI tables 1-5; seed 001, highlight report of 30/11/20.
    ("app-2020", "APP 1a"): (0, [_, _, _, 35, 35, 35, 90, 90, 90, 90, 90, 90, 100], 100),
    ("app-2020", "APP 1b"): (0, [_, _, _, 20, 20, 20, 35, 35, 35, 35, 35, 35, 70], 70),
    ("app-2020", "APP 1.1 (75%)"): (_, [_, _, _, 35, 35, 35, _, _, _, _, _, _, _], _),
    ("app-2020", "APP 1.1 (90%)"): (_, [_, _, _, _, _, _, 90, 90, 90, 90, 90, 90, 90], 90),
    ("app-2020", "APP 2a"): (0, [_, _, _, 30, 30, 30, 45, 45, 45, 45, 45, 45, 70], 70),
    ("app-2020", "APP 2b"): (0, [_, _, _, 30, 30, 30, 45, 45, 45, 45, 45, 45, 70], 70),
    ("app-2020", "APP 2.4"): (_, [_, _, _, _, _, _, _, _, _, _, _, _, 80], 80),
    ("app-2020", "APP 2.5"): (_, [_, _, _, _, _, _, _, _, _, _, _, _, 70], 70),
    ("app-2020", "APP 2.6"): (_, [_, _, _, _, _, _, _, _, _, _, _, _, 70], 70),
    ("app-2020", "APP 3a"): (0, [_, _, _, 30, 30, 30, 50, 50, 50, 50, 50, 50, 70], 70),
    ("app-2020", "APP 3.2a"): (_, [_, _, _, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100], 100),
    ("app-2020", "APP 3.2b"): (_, [_, _, _, _, _, _, 100, 100, 100, 100, 100, 100, 100], 100),
    ("app-2020", "APP 3.2c"): (_, [_, _, _, _, _, _, _, _, _, _, _, _, 100], 100),
    ("app-2020", "APP 3.3"): (_, [_, _, _, _, _, _, 40, 40, 40, 40, 40, 40, 70], 70),
    ("app-2020", "APP 3.4a"): (_, [_, _, _, _, _, _, 100, 100, 100, 100, 100, 100, 100], 100),
    ("app-2020", "APP 3.4b"): (_, [_, _, _, _, _, _, _, _, _, _, _, _, _], _),
    ("app-2020", "APP 3.4c"): (_, [_, _, _, _, _, _, 100, 100, 100, 100, 100, 100, 100], 100),
    ("app-2020", "APP 4a"): (0, [_, _, _, 20, 20, 20, 45, 45, 45, 45, 45, 45, 80], 80),
    ("app-2020", "APP 4.1"): (_, [_, _, _, _, _, _, _, _, _, _, _, _, 75], 75),
    ("app-2020", "APP 4.2a"): (_, [_, _, _, _, _, _, 50, 50, 50, 50, 50, 50, _], _),
    ("app-2020", "APP 4.2b"): (_, [_, _, _, _, _, _, _, _, _, _, _, _, 75], 75),
    ("app-2020", "APP 4.3"): (_, [_, _, _, _, _, _, 50, 50, 50, 50, 50, 50, 70], 70),
    ("app-2020", "APP 5a"): (0, [_, _, _, 50, 50, 50, 70, 70, 70, 70, 70, 70, 75], 75),
    ("app-2020", "APP 5b"): (0, [_, _, _, 50, 50, 50, 70, 70, 70, 70, 70, 70, 75], 75),
    # Seed 003, KPI score card ("-" baselines are no baseline).
    ("cip-2023", "CIP 1.1"): (1, [_, _, _, 3, 3, 3, 6, 6, 6, 6, 6, 6, 10], 10),
    ("cip-2023", "CIP 1.1.5a"): (_, [_, _, _, _, _, _, _, _, _, _, _, _, _], _),
    ("cip-2023", "CIP 1.1.5b"): (_, [_, _, _, _, _, _, _, _, _, _, _, _, _], _),
    ("cip-2023", "CIP 1.1.5c"): (_, [_, _, _, _, _, _, _, _, _, _, _, _, _], _),
    ("cip-2023", "CIP 1.1.5d"): (_, [_, _, _, _, _, _, _, _, _, _, _, _, _], _),
    ("cip-2023", "CIP 2.4a"): (_, [_, _, _, 50, 50, 50, 60, 60, 60, 60, 60, 60, 75], 75),
    ("cip-2023", "CIP 2.4b"): (_, [_, _, _, 50, 50, 50, 60, 60, 60, 60, 60, 60, 75], 75),
    ("cip-2023", "CIP 3.1a"): (_, [_, _, _, 50, 50, 50, 60, 60, 60, 60, 60, 60, 70], 70),
    ("cip-2023", "CIP 3.1b"): (_, [_, _, _, 50, 50, 50, 60, 60, 60, 60, 60, 60, 70], 70),
    ("cip-2023", "CIP 3.4 (20 weeks)"): (41, [_, _, _, 50, 50, 50, 55, 55, 55, 55, 55, 55, 65], 65),
    ("cip-2023", "CIP 3.4"): (_, [_, _, _, 30, 30, 30, 35, 35, 35, 35, 35, 35, 40], 40),
    ("cip-2023", "CIP 4.1"): (_, [_, _, _, 60, 60, 60, 70, 70, 70, 70, 70, 70, 80], 80),
    ("cip-2023", "CIP 5.2"): (_, [_, _, _, 10, 10, 10, 20, 20, 20, 20, 20, 20, 30], 30),
    ("cip-2023", "CIP 5.5"): (_, [_, _, _, 50, 50, 50, 60, 60, 60, 60, 60, 60, 75], 75),
    ("cip-2023", "CIP 5.6a"): (77, [_, _, _, 80, 80, 80, 85, 85, 85, 85, 85, 85, 90], 90),
    ("cip-2023", "CIP 5.6b"): (69, [_, _, _, 70, 70, 70, 75, 75, 75, 75, 75, 75, 80], 80),
}


@pytest.fixture(scope="module")
def instruments():
    found, _errors = instrument_definitions.load_directory()
    return {d.slug: d for d in found}


@pytest.fixture(scope="module")
def plans(instruments):
    loaded, errors = definitions.load_directory(instruments)
    assert errors == []
    return {p.slug: p for p in loaded}


def _month(start, months):
    return date(start.year + (start.month - 1 + months) // 12, (start.month - 1 + months) % 12 + 1, 1)


def test_every_kpi_in_the_plan_files_has_its_row_here_and_no_row_is_missing(plans):
    in_files = {(p.slug, k.ref) for p in plans.values() for k in p.kpis}
    assert in_files == set(PLAN_TABLES)


@pytest.mark.parametrize(("plan_slug", "ref"), sorted(PLAN_TABLES))
def test_target_month_by_month_is_the_plans(plans, plan_slug, ref):
    plan = plans[plan_slug]
    kpi = plan.kpi(ref)
    baseline, first_year, month_24 = PLAN_TABLES[(plan_slug, ref)]
    got = [scorecard.target(plan, kpi, _month(plan.start, m))[1] for m in range(13)]
    assert got == first_year
    assert scorecard.target(plan, kpi, _month(plan.start, 24))[1] == month_24
    assert scorecard.target(plan, kpi, _month(plan.start, -1)) == ("not_yet", None) or not kpi.trajectory
    assert kpi.baseline == baseline


@pytest.mark.parametrize(("plan_slug", "ref"), sorted(PLAN_TABLES))
def test_a_baseline_is_never_a_target(plans, plan_slug, ref):
    plan = plans[plan_slug]
    kpi = plan.kpi(ref)
    for months in range(3):  # before every plan's first column
        status, target = scorecard.target(plan, kpi, _month(plan.start, months))
        assert target is None and status in ("not_yet", "none")


def test_a_month_before_the_first_milestone_says_no_target_yet_whatever_the_value(plans):
    plan = plans["app-2020"]
    figure = scorecard.figure(
        plan,
        plan.kpi("APP 1b"),
        date(2020, 11, 1),
        {("app-2020", "APP 1b", date(2020, 11, 1), "all"): (1, 10)},
    )
    assert figure.value == 10 and figure.target is None
    assert (figure.rag, figure.rag_label) == ("none", "No target yet")


def test_a_target_the_plan_replaces_ends_and_says_so(plans):
    plan = plans["app-2020"]
    month = date(2021, 5, 1)  # month 7: the 90% quiz target has taken over
    counts = {("app-2020", "APP 1.1 (75%)", month, "all"): (9, 10)}
    figure = scorecard.figure(plan, plan.kpi("APP 1.1 (75%)"), month, counts)
    assert (figure.target, figure.rag_label) == (None, "Target period ended")


def test_a_kpi_the_plan_sets_no_target_for_says_no_target_set(plans):
    plan = plans["cip-2023"]
    month = date(2024, 1, 1)
    counts = {("cip-2023", "CIP 1.1.5a", month, "all"): (6, 10)}
    assert scorecard.figure(plan, plan.kpi("CIP 1.1.5a"), month, counts).rag_label == "No target set"


@pytest.mark.parametrize(
    ("ref", "baseline", "note"),
    [
        ("CIP 5.6a", 77, "77% in 2022"),
        ("CIP 5.6b", 69, "69% in 2022"),
        ("CIP 1.1", 1, "1% in 2021-22"),
    ],
)
def test_dated_baselines_are_kept_with_their_year(plans, ref, baseline, note):
    kpi = plans["cip-2023"].kpi(ref)
    assert (kpi.baseline, kpi.baseline_note) == (baseline, note)


def test_where_the_seeds_disagree_the_file_records_every_source_and_the_one_used(plans):
    kpi = plans["app-2020"].kpi("APP 1b")
    assert kpi.conflicting and kpi.choice
    assert [s.used for s in kpi.sources] == [True, False, False]
    said = " ".join(s.says for s in kpi.sources)
    assert "20% by 3 months, 35% by 6 months" in said  # score card
    assert "50% of parent carers" in said  # KPI table 1.2, 6 months
    assert "30%" in said and "31/12/20" in said  # highlight report


@pytest.mark.parametrize(
    ("ref", "instrument", "question", "asked_if"),
    [
        ("APP 4a", "transition", "experience", ("moved", ("yes",))),
        ("APP 4.2a", "transition", "transition_plan", ("moved", ("no", "dont_know"))),
        ("APP 3.3", "asd-support", "waiting_experience", ("assessed", ("no",))),
        ("APP 3.4c", "asd-support", "support_after_diagnosis", ("assessed", ("yes",))),
    ],
)
def test_kpis_about_some_families_read_a_question_asked_only_of_them(
    plans, instruments, ref, instrument, question, asked_if
):
    kpi = plans["app-2020"].kpi(ref)
    assert (kpi.instrument, kpi.question) == (instrument, question)
    assert instruments[instrument].question(question).asked_if == asked_if


def test_app_4_2_is_two_measures_told_about_then_started_working_on_a_plan(plans):
    plan = plans["app-2020"]
    assert plan.kpi("APP 4.2a").question == "transition_plan"
    assert plan.kpi("APP 4.2b").question == "plan_started"
    assert plan.kpi("APP 4.2") is None


def test_app_2b_is_every_send_service_and_the_nice_standard_is_not_an_app_kpi(plans):
    app_2b = plans["app-2020"].kpi("APP 2b")
    assert (app_2b.providers, app_2b.services, app_2b.question) == ((), (), "overall")
    assert not any("NICE" in k.ref for p in plans.values() for k in p.kpis)


def test_the_shipped_plan_files_pass_the_plan_check(instruments):
    reports = plan_check.check_directory(instruments)
    assert [r.source for r in reports] == ["app-2020.toml", "cip-2023.toml"]
    assert [f for r in reports for f in r.problems] == []

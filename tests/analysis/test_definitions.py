"""KPI definitions: both plans load side by side; malformed files are named precisely."""

import pytest

from analysis import definitions
from surveys import definitions as instrument_definitions


@pytest.fixture(scope="module")
def instruments():
    found, _ = instrument_definitions.load_directory()
    return {d.slug: d for d in found}


def test_both_plans_load_side_by_side(instruments):
    plans, errors = definitions.load_directory(instruments)
    assert errors == []
    assert {p.slug for p in plans} == {"app-2020", "cip-2023"}
    app_plan = next(p for p in plans if p.slug == "app-2020")
    assert app_plan.kpi("APP 1b").trajectory == ((3, 20.0), (6, 35.0), (12, 70.0))
    assert app_plan.kpi("APP 1b").baseline == 0
    assert app_plan.kpi("APP 1b").positive == ("very_good", "good")


def test_every_feedback_kpi_in_the_domain_is_defined(instruments):
    plans, _ = definitions.load_directory(instruments)
    refs = {k.ref for p in plans for k in p.kpis}
    assert {
        "APP 1b",
        "APP 2b",
        "APP 2a",
        "APP 3a",
        "APP 3.3",
        "APP 4a",
        "APP 4.3",
        "APP 4.2a",
        "APP 4.2b",
        "APP 5a",
        "APP 5b",
        "APP 2.4",
        "APP 2.5",
        "APP 1.1 (75%)",
        "APP 1.1 (90%)",
        "APP 3.4c",
        "CIP 1.1",
        "CIP 1.1.5a",
        "CIP 2.4a",
        "CIP 2.4b",
        "CIP 3.1a",
        "CIP 3.1b",
        "CIP 3.4 (20 weeks)",
        "CIP 4.1",
        "CIP 5.2",
        "CIP 5.5",
        "CIP 5.6a",
        "CIP 5.6b",
    } <= refs


def _plan(**kpi_changes):
    kpi = {
        "ref": "X 1",
        "wording": "W",
        "audience": "A",
        "measure": "share",
        "instrument": "local-offer",
        "question": "found_information",
        "positive": ["yes"],
    }
    kpi.update(kpi_changes)
    return {"plan": {"slug": "x", "name": "X", "start": definitions.date(2024, 1, 1)}, "kpi": [kpi]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"measure": "vibes"}, "measure"),
        ({"instrument": "nope"}, "instrument"),
        ({"question": "comment"}, "question"),
        ({"positive": ["excellent"]}, "positive"),
        ({"trajectory": {"m3": 120}}, "trajectory.m3"),
        ({"trajectory": {"month4": 10}}, "trajectory"),
        ({"trajectory": {"baseline": 0, "m3": 20}}, "trajectory.baseline"),
        ({"baseline": 140}, "baseline"),
        ({"trajectory": {"m3": 35}, "until": 3}, "until"),
        ({"until": 6}, "until"),
        ({"dont_know": "ignored"}, "dont_know"),
        ({"sources": [{"where": "Seed 000", "says": "20%"}]}, "sources"),
        ({"sources": [{"where": "A", "says": "20%", "used": True}, {"where": "B", "says": "30%"}]}, "choice"),
        ({"measure": "waitlist", "metric": "wait_reduction"}, "baseline_period"),
        ({"measure": "quiz_threshold", "instrument": "board-quiz", "threshold": 0}, "threshold"),
        ({"wording": ""}, "wording"),
    ],
)
def test_malformed_kpi_names_the_file_the_kpi_and_the_field(instruments, changes, field):
    with pytest.raises(definitions.KpiError) as caught:
        definitions.parse_plan(_plan(**changes), instruments, "x.toml")
    assert (caught.value.source, caught.value.ref, caught.value.field) == ("x.toml", "X 1", field)


def test_bad_kpi_file_loads_nothing_from_that_file(instruments, tmp_path):
    (tmp_path / "good.toml").write_text(
        '[plan]\nslug = "good"\nname = "Good"\nstart = 2024-01-01\n'
        '[[kpi]]\nref = "G 1"\nwording = "W"\naudience = "A"\nmeasure = "manual"\n'
    )
    (tmp_path / "bad.toml").write_text(
        '[plan]\nslug = "bad"\nname = "Bad"\nstart = 2024-01-01\n'
        '[[kpi]]\nref = "B 1"\nwording = "W"\naudience = "A"\nmeasure = "manual"\n'
        '[[kpi]]\nref = "B 2"\nwording = "W"\naudience = "A"\nmeasure = "share"\n'
        'instrument = "local-offer"\nquestion = "nope"\npositive = ["yes"]\n'
    )
    plans, errors = definitions.load_directory(instruments, tmp_path)
    assert [p.slug for p in plans] == ["good"]
    assert [(e.source, e.ref, e.field) for e in errors] == [("bad.toml", "B 2", "question")]


def test_a_kpi_survives_being_stored_as_json_and_read_back(instruments):
    import json

    plans, _ = definitions.load_directory(instruments)
    for kpi in (k for p in plans for k in p.kpis):
        text = json.dumps(definitions.kpi_to_dict(kpi), default=str)
        assert definitions.kpi_from_dict(json.loads(text)) == kpi


def test_the_plan_check_lists_what_a_plan_file_leaves_open(instruments):
    from analysis import plan_check

    data = _plan(ref="X 1", trajectory={"m3": 35})
    data["kpi"] += [
        {"ref": "X 2", "wording": "W", "audience": "A", "measure": "manual", "trajectory": {"m12": 70}},
        {"ref": "X 3", "wording": "W", "audience": "A", "measure": "manual"},
        {
            "ref": "X 4",
            "wording": "W",
            "audience": "A",
            "measure": "share",
            "instrument": "transition",
            "question": "nope",
            "positive": ["yes"],
        },
        {
            "ref": "X 5",
            "wording": "W",
            "audience": "A",
            "measure": "share",
            "instrument": "transition",
            "question": "experience",
            "positive": ["good"],
            "trajectory": {"m12": 80},
            "sources": [
                {"where": "Score card", "says": "80%", "used": True},
                {"where": "Highlight report", "says": "45%"},
            ],
            "choice": "the plan's own",
        },
    ]
    report = plan_check.check_data(data, instruments, "x.toml")
    kinds = {(f.kind, f.ref) for f in report.findings}
    assert ("never_ends", "X 1") in kinds  # a 3-month target that nothing ends or explains
    assert ("no_target_unexplained", "X 3") in kinds
    assert ("error", "X 4") in kinds  # a question that does not exist
    assert ("conflict", "X 5") in kinds and ("routed", "X 5") in kinds
    assert not any(f.ref == "X 2" for f in report.findings)
    assert {f.ref for f in report.problems} == {"X 1", "X 3", "X 4"}

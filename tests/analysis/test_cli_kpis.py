"""`feedback kpis` and `feedback kpi-values` as commissioners and analysts use them."""

import csv
import io
import json
from datetime import date

import pytest

from feedback.models import KpiManualValue
from tests.conftest import create_response, rows
from tests.feedback.test_cli import run

OCTOBER = date(2026, 10, 1)
CONTRACT = {
    "ref",
    "month",
    "scope",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
    "target",
    "rag",
    "suppressed",
}


@pytest.fixture
def october(app):
    for value in ("very_good", "good", "good", "neither", "poor", "dont_know", "good", "good"):
        create_response(answers={"overall": value}, service="camhs", district="preston")
    for value in ("good", "poor"):
        create_response(answers={"overall": value}, service="salt", district="burnley")
    return app


def test_json_has_one_object_per_kpi_with_the_contract_fields(october):
    result = run(october, "kpis", "--month", "2026-10", "--format", "json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)  # one JSON array
    assert isinstance(figures, list) and all(set(f) >= CONTRACT for f in figures)
    app_1b = next(f for f in figures if f["ref"] == "APP 1b")
    assert (app_1b["numerator"], app_1b["denominator"], app_1b["value"]) == (6, 10, 60.0)
    assert (app_1b["target"], app_1b["rag"], app_1b["scope"]) == (70.0, "red", "all")
    assert app_1b["ci_low"] < 60 < app_1b["ci_high"]


def test_breakdown_by_service_suppresses_small_cells(october):
    result = run(october, "kpis", "--month", "2026-10", "--by", "service", "--format", "jsonl")
    figures = [json.loads(line) for line in result.output.splitlines()]
    app_1b = {f["scope"]: f for f in figures if f["ref"] == "APP 1b" and f["plan"] == "app-2020"}
    assert app_1b["service:salt"]["suppressed"]
    assert app_1b["service:salt"]["value"] is None and app_1b["service:salt"]["numerator"] is None
    assert app_1b["service:camhs"]["suppressed"]  # the only other cell: hidden too
    assert app_1b["service:camhs"]["denominator"] is None


def test_table_and_csv_formats(october):
    table = run(october, "kpis", "--month", "2026-10")
    assert "APP 1b" in table.output and "Below target" in table.output
    as_csv = run(october, "kpis", "--month", "2026-10", "--format", "csv")
    header = next(csv.reader(io.StringIO(as_csv.output)))
    assert set(header) >= CONTRACT


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "not a month"),
        ("2099-01", "has not happened yet"),
        ("2026-01", "no answers"),
    ],
)
def test_bad_months_get_a_clear_message_and_a_non_zero_exit(october, month, message):
    result = run(october, "kpis", "--month", month)
    assert result.exit_code != 0
    assert message in result.output


def test_manual_value_is_entered_with_who_entered_it(app):
    result = run(
        app,
        "kpi-values",
        "add",
        "--plan",
        "cip-2023",
        "--ref",
        "CIP 3.4",
        "--month",
        "2026-10",
        "--value",
        "58",
        "--entered-by",
        "SALT data lead",
    )
    assert result.exit_code == 0, result.output
    [value] = rows(KpiManualValue)
    assert (value.value, value.entered_by, value.month) == (58.0, "SALT data lead", OCTOBER)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("-1", "outside 0 to 100"),
        ("100.5", "outside 0 to 100"),
        ("lots", "not a number"),
        ("nan", "outside 0 to 100"),
    ],
)
def test_out_of_range_manual_values_are_refused_with_the_reason(app, value, reason):
    result = run(
        app,
        "kpi-values",
        "add",
        "--plan",
        "cip-2023",
        "--ref",
        "CIP 3.4",
        "--month",
        "2026-10",
        "--value",
        value,
        "--entered-by",
        "x",
    )
    assert result.exit_code == 1
    assert reason in result.output
    assert rows(KpiManualValue) == []


def test_survey_kpis_cannot_be_entered_by_hand(app):
    result = run(
        app,
        "kpi-values",
        "add",
        "--plan",
        "app-2020",
        "--ref",
        "APP 1b",
        "--month",
        "2026-10",
        "--value",
        "99",
        "--entered-by",
        "x",
    )
    assert result.exit_code == 1
    assert "worked out from answers" in result.output


def test_jobs_list_and_run(app):
    create_response(answers={"overall": "good"})
    listed = run(app, "jobs", "list")
    assert "refresh_kpis" in listed.output and "monthly_report" in listed.output
    ran = run(app, "jobs", "run", "refresh_kpis")
    assert ran.exit_code == 0 and "snapshot rows" in ran.output
    unknown = run(app, "jobs", "run", "nope")
    assert unknown.exit_code == 2


def test_kpis_check_lists_each_plan_file_its_conflicts_and_routed_kpis(app):
    result = run(app, "kpis", "check")
    assert result.exit_code == 0, result.output
    assert "app-2020.toml (Accelerated Progress Plan 2020): 24 KPIs, 0 problems" in result.output
    assert "cip-2023.toml (Continuous Improvement Plan 2023-24): 16 KPIs, 0 problems" in result.output
    conflicts = result.output.split("Sources that disagree:")[1].split("Asked only of some:")[0]
    assert "APP 1b: uses Seed 000, score card, row 1b" in conflicts
    assert "APP 4a: reads transition.experience, asked only when moved is yes" in result.output


def test_kpis_check_fails_on_a_plan_with_a_missing_question_or_an_endless_early_target(app, tmp_path):
    (tmp_path / "x.toml").write_text(
        '[plan]\nslug = "x"\nname = "X"\nstart = 2024-01-01\n'
        '[[kpi]]\nref = "X 1"\nwording = "W"\naudience = "A"\nmeasure = "share"\n'
        'instrument = "transition"\nquestion = "nope"\npositive = ["yes"]\n'
        '[[kpi]]\nref = "X 2"\nwording = "W"\naudience = "A"\nmeasure = "manual"\n'
        "trajectory = { m3 = 35 }\n"
        '[[kpi]]\nref = "X 3"\nwording = "W"\naudience = "A"\nmeasure = "manual"\n'
        "trajectory = { m12 = 70 }\n"
    )
    app.config["KPI_DIR"] = str(tmp_path)
    result = run(app, "kpis", "check")
    assert result.exit_code == 1
    assert "x.toml (X): 2 KPIs, 2 problems" in result.output
    assert "X 1: question: 'nope' is not a rated question of transition" in result.output
    assert "X 2: the month-3 target stays in force for ever" in result.output


def test_kpis_without_a_month_or_a_command_says_what_to_give(app):
    result = run(app, "kpis")
    assert result.exit_code == 2
    assert "--month" in result.output

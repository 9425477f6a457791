"""The staff dashboard: nothing for anonymous visitors, the pages, exports."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from analysis import jobs
from tests.conftest import create_response, create_staff, parse, sign_in

OCTOBER = date(2026, 10, 1)


def dashboard_routes(app):
    """Every GET route of the dashboard, with sample arguments."""
    samples = {"plan": "app-2020", "ref": "APP 1b", "fmt": "csv", "month": "2026-10"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("dashboard.") and rule.endpoint != "dashboard.login":
            yield rule, {arg: samples[arg] for arg in rule.arguments}


def test_every_dashboard_route_turns_anonymous_visitors_away(app, client):
    routes = list(dashboard_routes(app))
    assert len(routes) >= 9
    for rule, args in routes:
        path = rule.build(args, append_unknown=False)[1]
        method = "POST" if "POST" in rule.methods else "GET"
        response = client.open(path, method=method)
        assert response.status_code in (302, 400), (path, response.status_code)
        if response.status_code == 302:
            assert "/dashboard/login" in response.headers["Location"]


@pytest.fixture
def staff(app, client):
    for value in ("very_good", "good", "poor", "poor", "poor", "dont_know"):
        create_response(
            answers={"overall": value}, service="camhs", month=OCTOBER, comment=f"Waiting was {value} for us"
        )
    create_response(
        answers={"overall": "good"},
        service="salt",
        month=OCTOBER,
        comment='=HYPERLINK("http://evil.test","click")',
    )
    jobs.rebuild([OCTOBER])
    create_staff()
    sign_in(client)
    return client


def test_wrong_password_and_unknown_account_get_the_same_answer(app, client):
    create_staff()
    wrong = sign_in(client, password="not the right passphrase")
    unknown = sign_in(client, email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 401
    assert (
        parse(wrong).select_one(".error-summary").get_text()
        == parse(unknown).select_one(".error-summary").get_text()
    )


def test_sign_in_starts_a_new_session_and_opens_the_scorecard(app, client):
    create_staff()
    client.get("/dashboard/login")
    result = sign_in(client)
    assert result.status_code == 302
    page = parse(client.get("/dashboard/?month=2026-10"))
    assert page.h1.get_text(strip=True) == "KPI scorecard, October 2026"


def test_scorecard_shows_value_target_and_a_text_status_for_each_kpi(staff):
    page = parse(staff.get("/dashboard/?month=2026-10"))
    row = next(r for r in page.select("tbody tr") if r.th.a.get_text() == "APP 1b")
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells[0] == "*" or cells[0].endswith("%")
    assert cells[4] == "Below target"
    assert "Don't know" in page.select_one(".note").get_text()
    assert row.select_one("svg.sparkline") is not None


def test_exception_report_lists_only_red_and_amber(staff):
    page = parse(staff.get("/dashboard/exceptions?month=2026-10"))
    statuses = {s.get_text() for s in page.select("tbody .rag")}
    assert statuses <= {"Below target", "Close to target"}
    assert "APP 1b" in page.get_text()


def test_kpi_page_has_a_titled_chart_a_table_and_breakdowns(staff):
    page = parse(staff.get("/dashboard/kpi/app-2020/APP%201b?month=2026-10"))
    chart = page.select_one("svg.chart")
    assert chart["role"] == "img" and chart.title.get_text().startswith("APP 1b")
    captions = [c.get_text() for c in page.select("caption")]
    assert "Month by month" in captions
    assert {"By service, October 2026", "By provider, October 2026", "By district, October 2026"} <= set(
        captions
    )


def test_kpi_page_shows_the_baseline_as_a_baseline_and_the_sources_the_plans_disagree_on(staff):
    page = parse(staff.get("/dashboard/kpi/app-2020/APP%201b?month=2026-10"))
    figures = page.select_one("dl.plan-figures").get_text(" ", strip=True)
    assert "0%: the starting figure, not a target" in figures
    assert "20% from 3 months (January 2021)" in figures and "70% from 12 months (October 2021)" in figures
    sources = page.select_one("#cap-sources").find_parent("table")
    rows = {
        r.th.get_text(strip=True): r.select("td")[-1].get_text(strip=True) for r in sources.select("tbody tr")
    }
    assert rows["Seed 000, score card, row 1b"] == "Used"
    assert rows["Seed 000, KPI table 1, row 1.2"] == "Not used"
    assert "Why:" in page.get_text()


def test_before_the_first_milestone_the_scorecard_says_no_target_yet(staff):
    november_2020 = date(2020, 11, 1)
    for _ in range(5):
        create_response(answers={"overall": "good"}, service="camhs", month=november_2020)
    jobs.rebuild([november_2020])
    page = parse(staff.get("/dashboard/?month=2020-11"))
    row = next(r for r in page.select("tbody tr") if r.th.a.get_text() == "APP 1b")
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells[3:5] == ["No target yet", "No target yet"]  # not "On target" against a baseline of 0


def test_a_half_percent_is_shown_rounded_up(staff):
    for value in ("good", "good", "good", "good", "good", "poor", "poor", "poor"):
        create_response(
            "local-offer",
            {"found_information": "yes" if value == "good" else "no"},
            service="local-offer",
            month=OCTOBER,
        )
    jobs.rebuild([OCTOBER])
    page = parse(staff.get("/dashboard/?month=2026-10"))
    row = next(r for r in page.select("tbody tr") if r.th.a.get_text() == "CIP 2.4a")
    assert row.select("td")[0].get_text(strip=True) == "63%"  # 5 of 8 = 62.5%


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/kpi/app-2020/NOPE",
        "/dashboard/kpi/nope/APP%201b",
        "/dashboard/export/scorecard.pdf",
        "/dashboard/reports/2026-10",
    ],
)
def test_unknown_kpi_format_or_report_is_a_404_never_a_500(staff, path):
    assert staff.get(path).status_code == 404


@pytest.mark.parametrize("month", ["2026-13", "2099-01", "0001-01", "1999-12"])
def test_a_malformed_future_or_ancient_month_asked_for_is_a_400_never_a_500(staff, month):
    for path in (
        "/dashboard/",
        "/dashboard/exceptions",
        "/dashboard/kpi/app-2020/APP%201b",
        "/dashboard/comments",
        "/dashboard/export/fft-return.csv",
    ):
        assert staff.get(f"{path}?month={month}").status_code == 400, path


def test_month_without_data_shows_an_empty_state(staff):
    page = parse(staff.get("/dashboard/?month=2025-01"))
    assert "No data" in page.get_text()


def test_comments_are_newest_first_searchable_and_inert(staff):
    page = parse(staff.get("/dashboard/comments?service=camhs&month=2026-10&q=poor"))
    texts = [c.p.get_text() for c in page.select(".comment")]
    assert texts == ["Waiting was poor for us"] * 3
    assert all(
        "Negative" in m.get_text() or "Neutral" in m.get_text() or "Positive" in m.get_text()
        for m in page.select(".comment .meta")
    )


def test_csv_export_cannot_run_formulas(staff):
    create_response(answers={"overall": "good"}, service="salt", month=OCTOBER)
    response = staff.get("/dashboard/export/scorecard.csv?month=2026-10")
    assert response.mimetype == "text/csv"
    for line in response.get_data(as_text=True).splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_xlsx_export_opens_as_a_workbook_with_the_scorecard(staff):
    response = staff.get("/dashboard/export/scorecard.xlsx?month=2026-10&by=service")
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["plan", "ref", "month", "scope"]
    assert sheet.max_row > 1


def test_fft_return_counts_each_answer_per_service(staff):
    response = staff.get("/dashboard/export/fft-return.csv?month=2026-10")
    lines = response.get_data(as_text=True).splitlines()
    header = lines[0].split(",")
    camhs = dict(zip(header, lines[1].split(","), strict=True))
    assert camhs["service"] == "camhs"
    assert (camhs["poor"], camhs["dont_know"], camhs["total_responses"]) == ("3", "1", "6")


def test_dashboard_pages_are_not_cached(staff):
    assert staff.get("/dashboard/?month=2026-10").headers["Cache-Control"] == "no-store"


def test_commissioner_can_enter_a_manual_value_on_the_kpi_page(staff):
    page = staff.get("/dashboard/kpi/cip-2023/CIP%203.4?month=2026-10")
    fields = {
        f["name"]: f.get("value", "")
        for f in parse(page).select("form input[type=hidden]")
        if f["name"] == "csrf_token"
    }
    result = staff.post(
        "/dashboard/kpi/cip-2023/CIP%203.4/value?month=2026-10",
        data={**fields, "value": "140"},
        follow_redirects=True,
    )
    assert "outside 0 to 100" in result.get_data(as_text=True)
    result = staff.post(
        "/dashboard/kpi/cip-2023/CIP%203.4/value?month=2026-10",
        data={**fields, "value": "61.5"},
        follow_redirects=True,
    )
    assert "Entered by commissioner@example.org" in parse(result).get_text()

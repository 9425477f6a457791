"""Fresh figures: this month worked out every 15 minutes and on an admin's request; a page view
only reads; every figure says when it was worked out."""

from datetime import UTC, date, datetime

from analysis import freshness
from feedback.models import AuditEvent, KpiSnapshot
from tests.conftest import create_response, create_staff, parse, rows, sign_in

OCTOBER = date(2026, 10, 1)
AFTERNOON = datetime(2026, 10, 20, 13, 7, tzinfo=UTC)  # 14:07 in England (summer time)


def test_a_page_view_never_works_out_figures(client):
    create_response(answers={"overall": "good"}, month=OCTOBER)
    create_staff()
    sign_in(client)
    page = parse(client.get("/dashboard/?month=2026-10"))
    assert rows(KpiSnapshot) == []
    assert "have not been worked out yet" in page.select_one("#worked-out").get_text()


def test_the_refresh_job_works_out_this_month_and_the_page_says_when(client, frozen_clock):
    frozen_clock(AFTERNOON)
    for _ in range(5):
        create_response(answers={"overall": "good"}, month=OCTOBER)
    assert freshness.refresh_this_month() == f"{len(rows(KpiSnapshot))} snapshot rows for October 2026"
    create_staff()
    sign_in(client)
    page = parse(client.get("/dashboard/?month=2026-10"))
    said = page.select_one("#worked-out").get_text(" ", strip=True)
    assert "Figures for October 2026 worked out at 14:07 on 20 October 2026 (UK time)" in said
    assert "every 15 minutes" in said
    row = next(r for r in page.select("tbody tr") if r.th.a.get_text() == "APP 1b")
    assert row.select("td")[0].get_text(strip=True) == "100%"


def test_an_admin_can_work_the_figures_out_now_and_it_is_audited(client, frozen_clock):
    frozen_clock(AFTERNOON)
    create_response(answers={"overall": "good"}, month=OCTOBER)
    create_staff("admin@example.org", role="admin")
    sign_in(client, "admin@example.org")
    scorecard = parse(client.get("/dashboard/?month=2026-10"))
    form = scorecard.select_one("form[action*='/dashboard/refresh']")
    token = form.select_one("input[name=csrf_token]")["value"]
    result = client.post(form["action"], data={"csrf_token": token})
    assert result.status_code == 302
    assert {s.month for s in rows(KpiSnapshot)} == {OCTOBER}
    assert [(e.action, e.subject) for e in rows(AuditEvent, action="refresh_figures")] == [
        ("refresh_figures", "2026-10")
    ]


def test_other_roles_cannot_ask_for_a_refresh_and_do_not_see_the_button(client):
    create_response(answers={"overall": "good"}, month=OCTOBER)
    create_staff()
    sign_in(client)
    page = parse(client.get("/dashboard/?month=2026-10"))
    assert page.select_one("form[action*='/dashboard/refresh']") is None
    fields = {"csrf_token": page.select_one("input[name=csrf_token]")["value"]}
    assert client.post("/dashboard/refresh?month=2026-10", data=fields).status_code == 403
    assert rows(KpiSnapshot) == []


def test_json_rows_say_when_each_figure_was_worked_out(app, frozen_clock):
    from analysis import scorecard_reads

    frozen_clock(AFTERNOON)
    create_response(answers={"overall": "good"}, month=OCTOBER)
    freshness.refresh_month(OCTOBER)
    view = scorecard_reads.month_view(OCTOBER)
    app_1b = next(f for _, fs in view.card for f in fs if f.kpi.ref == "APP 1b")
    assert app_1b.as_dict()["computed_at"].startswith("2026-10-20T13:07")


def test_the_refresh_job_is_registered_and_falls_due_every_15_minutes(app):
    from feedback import jobs

    job = jobs.registry(app)["refresh_this_month"]
    assert jobs.due_key(job, datetime(2026, 12, 1, 10, 14, tzinfo=UTC)) == "2026-12-01T10:00"
    assert jobs.due_key(job, datetime(2026, 12, 1, 10, 16, tzinfo=UTC)) == "2026-12-01T10:15"


def test_a_new_answer_reaches_the_scorecard_at_the_next_scheduled_refresh(client, frozen_clock):
    from feedback import jobs

    frozen_clock(AFTERNOON)
    create_staff()
    sign_in(client)
    for _ in range(5):
        create_response(answers={"overall": "poor"}, month=OCTOBER)
    jobs.run("refresh_this_month")  # what the scheduler does at 14:15
    create_response(answers={"overall": "good"}, month=OCTOBER)  # a new answer at 14:08
    before = parse(client.get("/dashboard/?month=2026-10"))
    frozen_clock(datetime(2026, 10, 20, 13, 16, tzinfo=UTC))
    jobs.run("refresh_this_month")  # the next quarter hour
    after = parse(client.get("/dashboard/?month=2026-10"))

    def app_1b(page):
        row = next(r for r in page.select("tbody tr") if r.th.a.get_text() == "APP 1b")
        return row.select("td")[2].get_text(strip=True)

    assert (app_1b(before), app_1b(after)) == ("0 of 5", "1 of 6")
    assert "worked out at 14:16 on 20 October 2026" in after.select_one("#worked-out").get_text()

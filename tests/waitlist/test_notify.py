"""Sending letters through GOV.UK Notify's precompiled-letter API (a local fake of it), reading
their status, and a failed letter showing as overdue again."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from feedback.db import reading
from feedback.waitlist import crypto, dao, tracker
from tests.feedback.test_cli import run
from tests.waitlist.fake_notify import API_KEY, FakeNotify
from tests.waitlist.test_letters import create_family

ON = date(2026, 11, 23)


@pytest.fixture
def notify(app):
    app.config["DATA_KEY"] = crypto.new_key()
    with FakeNotify() as fake:
        app.config.update(NOTIFY_API_KEY=API_KEY, NOTIFY_BASE_URL=fake.url)
        yield fake


def letters_of(reference):
    with reading() as session:
        row = dao.entry(session, reference)
        return dao.sent_letters(session, [row.id]).get(row.id, [])


def test_a_letter_accepted_by_notify_is_recorded_as_sent_with_notify_s_id(app, notify):
    create_family(referral=date(2026, 11, 20))
    result = run(app, "letters", "send", "--on", ON.isoformat(), "--by", "Kim")
    assert result.exit_code == 0, result.output
    assert "Sent 1 letter(s) through GOV.UK Notify; 0 refused." in result.output
    [(notify_id, sent)] = notify.letters.items()
    assert sent["reference"] == "ND1-1"  # the provider's reference and the letter's number only
    reader = PdfReader(io.BytesIO(sent["pdf"]))
    assert reader.trailer["/Root"]["/Lang"] == "en-GB" and "12 Heron Walk" in reader.pages[0].extract_text()
    [letter] = letters_of("ND1")
    assert (letter.sequence, letter.notify_id, letter.notify_status, letter.sent_on) == (
        1,
        notify_id,
        "accepted",
        ON,
    )
    assert notify.refused == []


def test_the_status_job_records_notify_s_answer_and_a_failed_letter_is_overdue_again(app, notify):
    create_family(referral=date(2026, 11, 20))
    run(app, "letters", "send", "--on", ON.isoformat(), "--by", "Kim")
    [notify_id] = notify.letters
    notify.statuses[notify_id] = "received"
    assert "received 1" in run(app, "letters", "notify-status").output
    assert letters_of("ND1")[0].notify_status == "received"
    assert "none to check" in run(app, "letters", "notify-status").output  # settled: not asked again


@pytest.mark.parametrize("status", ["validation-failed", "technical-failure", "returned-letter"])
def test_a_letter_that_fails_in_notify_counts_as_not_sent(app, notify, status):
    create_family(referral=date(2026, 11, 20))
    run(app, "letters", "send", "--on", ON.isoformat(), "--by", "Kim")
    [notify_id] = notify.letters
    notify.statuses[notify_id] = status
    run(app, "letters", "notify-status")
    with reading() as session:
        [fam] = tracker.families(session, date(2026, 12, 1))
    assert [d.sequence for d in fam.due] == [1] and fam.overdue  # due on 20 November: overdue again
    again = run(app, "letters", "send", "--on", "2026-12-01", "--by", "Kim")
    assert "Sent 1 letter(s)" in again.output
    [letter] = letters_of("ND1")
    assert letter.notify_status == "accepted" and letter.sent_on == date(2026, 12, 1)


def test_a_wrong_key_is_refused_by_notify_and_nothing_is_recorded(app, notify):
    app.config["NOTIFY_API_KEY"] = API_KEY[:-36] + "00000000-0000-0000-0000-000000000000"
    create_family(referral=date(2026, 11, 20))
    result = run(app, "letters", "send", "--on", ON.isoformat(), "--by", "Kim")
    assert result.exit_code == 1 and "403" in result.output
    assert notify.refused == ["/v2/notifications/letter"] and letters_of("ND1") == []


def test_without_a_key_sending_says_to_print_instead(app):
    app.config["DATA_KEY"] = crypto.new_key()
    result = run(app, "letters", "send", "--on", ON.isoformat(), "--by", "Kim")
    assert result.exit_code == 1 and "FEEDBACK_NOTIFY_API_KEY is not set" in result.output


def test_the_morning_job_records_notify_s_status(app, notify):
    from feedback import jobs

    create_family(referral=date(2026, 11, 20))
    run(app, "letters", "send", "--on", ON.isoformat(), "--by", "Kim")
    [notify_id] = notify.letters
    notify.statuses[notify_id] = "received"
    assert "1 received" in jobs.run("letter_statuses")
    assert letters_of("ND1")[0].notify_status == "received"

"""What a printed letter says: the right letter for the family, its facts true on the print date."""

import json
import random
import re
from datetime import date, datetime, timedelta

import pytest
from pypdf import PdfReader

from feedback.db import reading, transaction
from feedback.waitlist import crypto, dao, demo, extract, letters, schedule, tracker

PERSONAL = {
    "child_name": "Wren Brightwater",
    "date_of_birth": "2019-03-04",
    "nhs_number": "9434765919",
    "parent_name": "Jo Brightwater",
    "address_line_1": "12 Heron Walk",
    "address_line_2": "",
    "town": "Burnley",
    "postcode": "BB11 2XY",
}


@pytest.fixture
def keyed(app):
    app.config["DATA_KEY"] = crypto.new_key()
    return app


def create_family(reference="ND1", referral=date(2026, 5, 1), seen=None, discharged=None, sent=()):
    """Store one family (and letters recorded as sent: (sequence, sent_on))."""
    row = extract.Row(2, reference, "asd", "burnley", referral, seen, discharged, None, None, PERSONAL)
    with transaction() as session:
        dao.save_rows(session, crypto.configured_key(), [row])
        entry = dao.entry(session, reference)
        scheduled = {
            d.sequence: d for d in schedule.scheduled_letters(dao.as_schedule_entry(entry), tracker.policy())
        }
        for sequence, sent_on in sent:
            dao.record_sent(session, entry, scheduled[sequence], sent_on, "Kim")


def printed(on, reference=None):
    with reading() as session:
        return tracker.letter_contents(session, on, crypto.configured_key(), reference)


def one_letter(on):
    [letter] = printed(on)
    return " ".join(letter.text.split())


def test_a_new_referral_is_told_it_has_joined_the_list(keyed):
    create_family(referral=date(2026, 11, 20))
    text = one_letter(date(2026, 11, 23))
    assert "Your child is on the waiting list" in text and "Wren is now on our waiting list" in text
    assert "Wren has waited less than a week." in text
    assert "We will write to you again by 20 March 2027" in text
    assert "sorry" not in text.split("## How long the wait may be")[0].lower()


def test_a_family_waiting_nine_months_at_the_start_is_not_thanked_for_joining(keyed):
    create_family(referral=date(2025, 7, 1))
    text = one_letter(date(2026, 4, 1))
    assert "has been on our waiting list for an assessment for 9 months" in text
    assert "We are sorry we did not write to you sooner" in text
    assert "is now on our waiting list" not in text


def test_a_family_waiting_fourteen_months_at_the_start_gets_a_plain_apology(keyed):
    create_family(referral=date(2025, 2, 1))
    text = one_letter(date(2026, 4, 1))
    assert "Your child has waited a long time: we are sorry" in text
    assert (
        "has been waiting for an assessment for 1 year and 2 months. That is too long, and we are sorry."
    ) in text


@pytest.mark.parametrize("stopped", [{"seen": date(2026, 5, 20)}, {"discharged": date(2026, 5, 20)}])
def test_a_child_seen_or_discharged_after_a_letter_fell_due_gets_no_letter(keyed, stopped):
    create_family(referral=date(2026, 5, 1), **stopped)  # letter 1 due 1 May, never sent
    assert printed(date(2026, 5, 19)) != []
    assert printed(date(2026, 6, 1)) == []
    assert printed(date(2027, 6, 1)) == []
    with reading() as session:
        [family] = tracker.families(session, date(2026, 6, 1))
    assert family.due == [] and family.overdue == []


def test_a_letter_printed_three_months_late_says_so_and_its_facts_are_for_the_print_date(keyed):
    create_family(referral=date(2026, 5, 1))
    [letter] = printed(date(2026, 8, 3))  # letter 1 was due on 1 May
    text = " ".join(letter.text.split())
    assert letter.letter_date == "3 August 2026"
    assert "This letter is late: we should have written to you by 1 May 2026. We are sorry." in text
    assert "Wren has waited 3 months." in text
    assert "We will write to you again by 1 September 2026" in text


def test_two_letters_due_at_once_make_one_letter_with_a_future_next_date(keyed):
    create_family(referral=date(2026, 5, 1), sent=[(1, date(2026, 5, 2))])
    create_family("ND2", referral=date(2026, 5, 1))
    on = date(2027, 3, 1)  # letters 2 (1 September) and 3 (1 January) due and not sent
    contents = printed(on)
    assert [c.reference for c in contents] == ["ND1", "ND2"]
    first, second = (" ".join(c.text.split()) for c in contents)
    assert "Update on your child's wait" in first and "by 1 May 2027" in first
    assert "Wren is now on our waiting list" in second  # never written to: a first letter


def test_the_estimate_is_worked_out_for_the_print_date_from_the_queue_as_it_stood(keyed):
    start = date(2025, 12, 1)
    for n in range(120):  # five referrals a week; the first 60 seen 16 weeks after referral
        referral = start + timedelta(days=7 * (n // 5))
        seen = referral + timedelta(weeks=16) if n < 60 else None
        create_family(f"ND{n:03d}", referral=referral, seen=seen)
    on = date(2026, 7, 6)
    with reading() as session:
        row = dao.entry(session, "ND100")
        found = tracker.expected_wait(session, row, on)
    assert found.worked_out_on == on
    assert found.ahead == 100 - 60 + 0  # referred before and still waiting on 6 July


def referral_of(text):
    day = re.search(r"was referred to us on (\d+ \w+ \d{4})", text).group(1)
    return datetime.strptime(day, "%d %B %Y").date()


def test_every_printed_letter_reads_back_true_on_its_print_date(keyed, tmp_path):
    today = date(2026, 12, 1)
    rows = demo.rows(random.Random(3), today)[-200:]  # the newest 200 families of an invented queue
    with transaction() as session:
        dao.save_rows(session, crypto.configured_key(), rows)
    on = today - timedelta(weeks=2)
    contents = printed(on)
    stopped = {
        r.reference
        for r in rows
        if (r.first_appointment or date.max) <= on or (r.discharged_on or date.max) <= on
    }
    assert len(contents) > 50
    assert not {c.reference for c in contents} & stopped
    reader = PdfReader(letters.write_pdf(contents, tmp_path / "letters.pdf"))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB"
    referrals = {r.reference: r.referral_date for r in rows}
    pages = "\n".join(page.extract_text() for page in reader.pages)
    for text in re.split(r"Our reference: ", pages)[1:]:
        reference, flat = text.split()[0], " ".join(text.split())
        assert referral_of(flat) == referrals[reference]
        waited = schedule.wait_in_words(referrals[reference], on)
        assert f"has waited {waited}." in flat or f"for {waited}." in flat
        for by in re.findall(r"by (\d+ \w+ \d{4})", flat):
            if "should have written" not in flat.split(by)[0][-60:]:
                assert datetime.strptime(by, "%d %B %Y").date() > on


@pytest.mark.parametrize(
    ("sent_on", "reason"),
    [(date(2026, 12, 2), "is in the future"), (date(2026, 4, 30), "is not due until 1 May 2026")],
)
def test_a_sent_date_in_the_future_or_before_the_letter_fell_due_is_refused(keyed, sent_on, reason):
    create_family(referral=date(2026, 5, 1))
    with pytest.raises(tracker.LetterRefused, match=reason), transaction() as session:
        tracker.mark_sent(session, "ND1", 1, sent_on, "Kim", today=date(2026, 12, 1))
    with reading() as session:
        assert dao.sent_letters(session) == {}


def test_backtest_prints_the_figures_as_json(keyed):
    from tests.feedback.test_cli import run

    rows = demo.rows(random.Random(5), date(2026, 12, 1), 1200)
    with transaction() as session:
        dao.save_rows(session, crypto.configured_key(), rows)
    result = run(keyed, "letters", "backtest", "--on", "2026-12-01", "--format", "json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert {"families", "within_range", "median_width_months"} <= figures.keys()
    assert figures["families"] > 100
    assert figures["within_range"] >= 0.8 * figures["families"]
    text = run(keyed, "letters", "backtest", "--on", "2026-12-01")
    assert f"{figures['families']} families judged" in text.output


def test_letters_cannot_be_recorded_as_sent_on_a_future_day(keyed):
    from tests.feedback.test_cli import run

    create_family(referral=date(2026, 5, 1))
    result = run(keyed, "letters", "mark-sent", "--all-due", "--on", "2099-01-01", "--by", "Kim")
    assert result.exit_code != 0 and "is in the future" in result.output
    with reading() as session:
        assert dao.sent_letters(session) == {}

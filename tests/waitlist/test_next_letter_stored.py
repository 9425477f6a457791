"""The letters due found by a query on each family's stored next letter (``due_families``) are
exactly those found by working out the whole list (``families``): after an import, a refresh,
letters recorded as sent or failing in Notify, a later import, as days pass and when the letter
policy changes."""

import dataclasses
import random
from datetime import UTC, date, datetime, timedelta

import pytest

from feedback.db import reading, transaction
from feedback.waitlist import crypto, dao, demo, extract, jobs, schedule, tracker
from tests.feedback.test_cli import run
from tests.waitlist.test_letters import PERSONAL, create_family

TODAY = date(2026, 12, 1)
# Days around TODAY: before, on and after letters fall due for the families below.
DAYS = [TODAY + timedelta(days=n) for n in (-120, -40, -1, 0, 1, 9, 30, 31, 62, 125, 400)]


@pytest.fixture
def keyed(app):
    app.config["DATA_KEY"] = crypto.new_key()
    return app


def invented_list(seed=5, count=240):
    """Store the newest ``count`` families of an invented queue (some seen or discharged) with
    the letters the team had sent them; return the rows."""
    rows = demo.rows(random.Random(seed), TODAY)[-count:]
    with transaction() as session:
        dao.save_rows(session, crypto.configured_key(), rows)
        entries = dao.entries_by_reference(session)
        history = demo.sent_history(
            random.Random(seed), [dao.as_schedule_entry(r) for r in rows], tracker.policy(), TODAY
        )
        for reference, letter, sent_on in history:
            dao.record_sent(session, entries[reference], letter, sent_on, "Kim")
    return rows


def found(families):
    return [(f.row.reference, f.due, f.overdue) for f in families if f.due]


def due_both_ways(on, reference=None):
    """Return (letters due by the stored next letter, letters due by working out every family)."""
    with reading() as session:
        stored = found(tracker.due_families(session, on, reference))
        worked_out = found(tracker.families(session, on))
    if reference is not None:
        worked_out = [f for f in worked_out if f[0] == reference]
    return stored, worked_out


def assert_agree(days=DAYS):
    """Check both ways agree on every day; return how many letters were due in all."""
    total = 0
    for on in days:
        stored, worked_out = due_both_ways(on)
        assert stored == worked_out, on
        total += len(stored)
    return total


def stale_count():
    with reading() as session:
        entries, _sent = dao.stale_entries(session, tracker.policy().fingerprint)
    return len(entries)


def candidates(on):
    """The references the stored next letter alone picks out (none stale: no full work-out)."""
    with reading() as session:
        rows, _sent = dao.letter_candidates(session, on, tracker.policy().fingerprint)
    return [row.reference for row in rows]


def refresh():
    with transaction() as session:
        return tracker.refresh_next_letters(session)


def stored_next_letter(reference):
    with reading() as session:
        row = dao.entry(session, reference)
        return row.next_letter_due, row.letters_policy


def test_a_fresh_import_is_stale_and_its_letters_due_are_worked_out_in_full(keyed):
    rows = invented_list()
    assert stale_count() == len(rows)
    assert assert_agree() > 0


def test_after_a_refresh_nothing_is_stale_and_the_query_alone_finds_the_letters_due(keyed):
    rows = invented_list()
    assert refresh() == len(rows)
    assert stale_count() == 0
    assert refresh() == 0  # nothing left to work out
    assert assert_agree() > 0
    for on in DAYS:  # every family the stored day picks out has a letter to send, and no more
        stored, _ = due_both_ways(on)
        assert candidates(on) == [reference for reference, _due, _overdue in stored]


def test_a_refresh_in_batches_stores_every_family_once(keyed):
    rows = invented_list()
    batches = []
    while True:
        with transaction() as session:
            stored = tracker.refresh_next_letters(session, limit=50)
        batches.append(stored)
        if stored < 50:
            break
    assert sum(batches) == len(rows) and stale_count() == 0
    assert assert_agree() > 0


def test_each_family_s_stored_day_is_its_next_unsent_letter(keyed):
    create_family("ND1", referral=date(2026, 5, 1))  # letters 1 May, 1 September, 1 January
    create_family("ND2", referral=date(2026, 5, 1), sent=[(1, date(2026, 5, 2))])
    create_family("ND3", referral=date(2026, 5, 1), seen=date(2026, 8, 1), sent=[(1, date(2026, 5, 2))])
    assert stored_next_letter("ND1") == (None, None)  # stale until worked out
    refresh()
    policy = tracker.policy().fingerprint
    assert stored_next_letter("ND1") == (date(2026, 5, 1), policy)
    assert stored_next_letter("ND2") == (date(2026, 9, 1), policy)
    assert stored_next_letter("ND3") == (None, policy)  # seen before letter 2: no letter left


def test_letters_recorded_as_sent_one_at_a_time_leave_the_family_fresh(keyed):
    invented_list()
    refresh()
    on = TODAY
    stored, _ = due_both_ways(on)
    with transaction() as session:
        for reference, [letter], _overdue in stored[:10]:
            tracker.mark_sent(session, reference, letter.sequence, on, "Kim", today=on)
    assert stale_count() == 0
    after, _ = due_both_ways(on)
    assert {r for r, _d, _o in stored[:10]}.isdisjoint({r for r, _d, _o in after})
    assert assert_agree() > 0


def test_every_letter_due_recorded_as_sent_leaves_none_due_that_day_and_the_next_due_later(keyed):
    invented_list()
    refresh()
    with transaction() as session:
        recorded = tracker.mark_all_due_sent(session, TODAY, "Kim")
    assert recorded > 0 and stale_count() == 0
    assert due_both_ways(TODAY) == ([], [])
    assert assert_agree() > 0


def test_letters_recorded_as_sent_without_a_refresh_still_agree(keyed):
    invented_list()
    refresh()
    stored, _ = due_both_ways(TODAY)
    with transaction() as session:  # as the demo does: recorded, not refreshed
        entries = dao.entries_by_reference(session)
        for reference, [letter], _overdue in stored[:5]:
            dao.record_sent(session, entries[reference], letter, TODAY, "Kim")
    assert stale_count() == 5
    assert assert_agree() > 0


@pytest.mark.parametrize("status", ["permanent-failure", "technical-failure", "returned-letter"])
def test_a_letter_failing_in_notify_is_due_again(keyed, status):
    create_family("ND1", referral=date(2026, 5, 1))
    refresh()
    on = date(2026, 5, 4)
    with transaction() as session:
        [family] = tracker.due_families(session, on)
        [letter] = family.due
        dao.record_sent(session, dao.entry(session, "ND1"), letter, on, "Kim", notify_id="n-1")
        tracker.refresh_next_letters(session)
    assert due_both_ways(on) == ([], [])
    assert stored_next_letter("ND1")[0] == date(2026, 9, 1)
    with transaction() as session:
        [sent] = dao.sent_letters(session, [dao.entry(session, "ND1").id])[dao.entry(session, "ND1").id]
        tracker.record_notify_status(session, sent.id, status, datetime(2026, 5, 6, tzinfo=UTC))
    stored, worked_out = due_both_ways(date(2026, 5, 6))
    assert stored == worked_out and [r for r, _d, _o in stored] == ["ND1"]
    assert stored_next_letter("ND1")[0] == date(2026, 5, 1)
    assert assert_agree([date(2026, 5, 6), date(2026, 9, 1), date(2027, 1, 2)]) > 0


def test_a_letter_failing_in_notify_without_a_refresh_is_due_again(keyed):
    create_family("ND1", referral=date(2026, 5, 1))
    on = date(2026, 5, 4)
    with transaction() as session:
        [family] = tracker.due_families(session, on)
        dao.record_sent(session, dao.entry(session, "ND1"), family.due[0], on, "Kim", notify_id="n-1")
    refresh()
    with transaction() as session:
        [sent] = dao.sent_letters(session)[dao.entry(session, "ND1").id]
        dao.set_notify_status(session, sent.id, "cancelled", datetime(2026, 5, 6, tzinfo=UTC))
    assert stale_count() == 1
    stored, worked_out = due_both_ways(date(2026, 5, 6))
    assert stored == worked_out and len(stored) == 1


def test_a_letter_notify_accepted_or_delivered_stays_sent(keyed):
    create_family("ND1", referral=date(2026, 5, 1))
    refresh()
    on = date(2026, 5, 4)
    with transaction() as session:
        [family] = tracker.due_families(session, on)
        dao.record_sent(session, dao.entry(session, "ND1"), family.due[0], on, "Kim", notify_id="n-1")
        tracker.refresh_next_letters(session)
        [sent] = dao.sent_letters(session)[dao.entry(session, "ND1").id]
        tracker.record_notify_status(session, sent.id, "received", datetime(2026, 5, 6, tzinfo=UTC))
    assert due_both_ways(date(2026, 5, 6)) == ([], [])
    assert stale_count() == 0


def reimport(reference, referral, seen=None, discharged=None):
    row = extract.Row(2, reference, "asd", "burnley", referral, seen, discharged, None, None, PERSONAL)
    with transaction() as session:
        dao.save_rows(session, crypto.configured_key(), [row])


@pytest.mark.parametrize("refreshed", [False, True])
def test_a_later_import_bringing_the_referral_forward_brings_the_letter_forward(keyed, refreshed):
    create_family("ND1", referral=date(2026, 11, 20), sent=[(1, date(2026, 11, 21))])
    refresh()
    assert stored_next_letter("ND1")[0] == date(2027, 3, 20)
    on = date(2026, 12, 10)
    assert due_both_ways(on) == ([], [])
    reimport("ND1", referral=date(2026, 7, 1))  # letter 2 now due 1 November
    assert stale_count() == 1
    if refreshed:
        refresh()
        assert stored_next_letter("ND1")[0] == date(2026, 11, 1)
    stored, worked_out = due_both_ways(on)
    assert stored == worked_out and [r for r, _d, _o in stored] == ["ND1"]
    assert assert_agree() > 0


@pytest.mark.parametrize("stopped", [{"seen": date(2026, 12, 5)}, {"discharged": date(2026, 12, 5)}])
@pytest.mark.parametrize("refreshed", [False, True])
def test_a_later_import_of_a_first_appointment_or_discharge_stops_the_letters(keyed, stopped, refreshed):
    create_family("ND1", referral=date(2026, 5, 1))
    create_family("ND2", referral=date(2026, 5, 1))
    refresh()
    assert [r for r, _d, _o in due_both_ways(date(2026, 12, 4))[0]] == ["ND1", "ND2"]
    reimport("ND1", referral=date(2026, 5, 1), **stopped)
    if refreshed:
        refresh()
    assert [r for r, _d, _o in due_both_ways(date(2026, 12, 4))[0]] == ["ND1", "ND2"]  # still waiting
    for on in (date(2026, 12, 5), date(2027, 6, 1)):
        stored, worked_out = due_both_ways(on)
        assert stored == worked_out and [r for r, _d, _o in stored] == ["ND2"]


def test_a_later_import_of_a_whole_changed_list_agrees(keyed):
    rows = invented_list()
    refresh()
    rng = random.Random(11)
    changed = []
    for row in rows[::3]:
        move = rng.choice(["earlier", "later", "seen", "discharged"])
        if move == "earlier":
            row = dataclasses.replace(
                row, referral_date=row.referral_date - timedelta(days=rng.randrange(20, 200))
            )
        elif move == "later":
            row = dataclasses.replace(
                row, referral_date=row.referral_date + timedelta(days=rng.randrange(1, 40))
            )
        elif move == "seen":
            row = dataclasses.replace(row, first_appointment=TODAY + timedelta(days=rng.randrange(-30, 30)))
        else:
            row = dataclasses.replace(row, discharged_on=TODAY + timedelta(days=rng.randrange(-30, 30)))
        changed.append(row)
    with transaction() as session:
        dao.save_rows(session, crypto.configured_key(), changed)
    assert 0 < stale_count() <= len(changed)
    assert assert_agree() > 0
    refresh()
    assert stale_count() == 0
    assert assert_agree() > 0


def test_as_days_pass_a_family_is_due_exactly_from_its_next_letter_s_day(keyed):
    create_family("ND1", referral=date(2026, 5, 1), sent=[(1, date(2026, 5, 2))])  # letter 2: 1 September
    create_family("ND2", referral=date(2026, 6, 30), sent=[(1, date(2026, 7, 1))])  # letter 2: 30 October
    refresh()
    day, seen = date(2026, 8, 25), []
    while day <= date(2026, 11, 5):
        stored, worked_out = due_both_ways(day)
        assert stored == worked_out, day
        seen.append((day, [r for r, _d, _o in stored]))
        day += timedelta(days=1)
    first_due = {}
    for day, references in seen:
        for reference in references:
            first_due.setdefault(reference, day)
    assert first_due == {"ND1": date(2026, 9, 1), "ND2": date(2026, 10, 30)}
    assert assert_agree() > 0


def test_a_changed_policy_makes_every_family_stale_and_they_still_agree(keyed, app):
    rows = invented_list()
    refresh()
    assert stale_count() == 0
    before = tracker.policy()
    asd = dataclasses.replace(before.pathways["asd"], interval_months=3)
    changed = dataclasses.replace(before, pathways={**before.pathways, "asd": asd})
    app.extensions["feedback.letter_policy"] = changed
    assert changed.fingerprint != before.fingerprint
    assert stale_count() == len(rows)
    assert assert_agree() > 0
    refresh()
    assert stale_count() == 0
    assert assert_agree() > 0
    app.extensions["feedback.letter_policy"] = before  # back again: all stale once more
    assert stale_count() == len(rows)
    assert assert_agree() > 0


def test_a_fingerprint_changes_with_what_decides_the_letters_only():
    policy = schedule.load_policy()
    assert policy.fingerprint == schedule.load_policy().fingerprint
    assert dataclasses.replace(policy, repeat_limit=5).fingerprint != policy.fingerprint
    later = dataclasses.replace(policy, programme_start=policy.programme_start + timedelta(days=1))
    assert later.fingerprint != policy.fingerprint
    assert dataclasses.replace(policy, overdue_working_days=99).fingerprint == policy.fingerprint


def test_one_family_s_letters_due_agree(keyed):
    rows = invented_list(count=60)
    for on in (TODAY, TODAY + timedelta(days=62)):
        for row in rows[::7]:
            stored, worked_out = due_both_ways(on, row.reference)
            assert stored == worked_out


def old_counts(on):
    """The letters due and overdue as they were counted before: every family worked out."""
    with reading() as session:
        every = tracker.families(session, on)
    return sum(len(f.due) for f in every), sum(len(f.overdue) for f in every)


@pytest.mark.parametrize("refreshed", [False, True])
def test_the_cli_and_the_morning_job_count_as_before(keyed, app, refreshed):
    invented_list()
    if refreshed:
        refresh()
    for on in (TODAY, TODAY + timedelta(days=31)):
        due, overdue = old_counts(on)
        assert due > 0 and overdue > 0
        result = run(app, "letters", "due", "--on", on.isoformat())
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[-1] == f"{due} letters due on {on}, {overdue} overdue."
        assert len(result.output.splitlines()) == due + 1
        assert jobs.letters_due(on) == f"{due} letters due, {overdue} overdue"


def test_an_import_leaves_every_family_s_next_letter_stored(keyed, app, tmp_path):
    from tests.waitlist.test_import import family, write

    extract_file = write(
        tmp_path / "list.csv",
        [family(f"ND{n}", referral_date=f"2026-0{1 + n % 9}-1{n % 10}") for n in range(30)],
    )
    result = run(app, "waitlist", "import", str(extract_file))
    assert result.exit_code == 0, result.output
    assert stale_count() == 0
    changed = [family(f"ND{n}", referral_date="2025-12-01") for n in range(0, 30, 4)]
    result = run(app, "waitlist", "import", str(write(tmp_path / "again.csv", changed)))
    assert result.exit_code == 0, result.output
    assert stale_count() == 0
    assert assert_agree() > 0


def test_the_demo_s_waiting_list_leaves_every_family_s_next_letter_stored(keyed, monkeypatch):
    from feedback import cli
    from feedback.waitlist import sending_demo

    # Sending nothing: the demo's own letters recorded as sent must not leave a family stale.
    monkeypatch.setattr(sending_demo, "send_some", lambda on, fernet: "")
    cli._fill_waiting_list(2026)
    assert stale_count() == 0
    with reading() as session:
        assert len(dao.all_entries(session)) > 1000


def test_store_next_letters_works_in_batches(keyed):
    rows = invented_list(count=120)
    assert jobs.store_next_letters(batch=50) == len(rows)
    assert stale_count() == 0


def test_feedback_init_stores_the_next_letter_of_every_family_it_finds_out_of_date(keyed, app):
    # As just after migration 0017 or a change to the letter policy: every family out of date.
    rows = invented_list(count=80)
    assert stale_count() == len(rows)
    result = run(app, "init")
    assert result.exit_code == 0, result.output
    assert f"Waiting list: next letter worked out and stored for {len(rows)} families." in result.output
    assert stale_count() == 0
    assert assert_agree() > 0
    again = run(app, "init")
    assert again.exit_code == 0, again.output
    assert "Waiting list:" not in again.output  # nothing out of date, nothing to say


def test_the_morning_job_leaves_no_family_out_of_date(keyed):
    invented_list(count=80)
    due, overdue = old_counts(TODAY)
    assert jobs.letters_due(TODAY) == f"{due} letters due, {overdue} overdue"
    assert stale_count() == 0

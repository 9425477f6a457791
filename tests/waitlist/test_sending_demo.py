"""The demo sends a few of the day's letters through a local fake of GOV.UK Notify and reads back
what became of them: nothing leaves the machine, and the one that fails is due again."""

from datetime import date

import pytest

from feedback.models import Letter, WaitingListEntry
from feedback.waitlist import crypto, sending_demo
from tests.conftest import rows
from tests.feedback.test_cli import run
from tests.waitlist.test_letters import create_family, printed

ON = date(2026, 11, 23)


@pytest.fixture
def keyed(app):
    app.config["DATA_KEY"] = crypto.new_key()
    return app


def test_the_demo_sends_due_letters_through_the_fake_and_the_failed_one_is_due_again(keyed):
    for number in range(1, 4):
        create_family(f"ND{number}", referral=date(2026, 11, 20))
    create_family("ND9", referral=date(2026, 11, 20), seen=date(2026, 11, 21))  # nothing due
    said = sending_demo.send_some(ON, crypto.configured_key())
    assert said.startswith("Sent 3 of today's due letters through a local fake of GOV.UK Notify")
    assert "2 received by the printer, 1 failed Notify's checks" in said
    letters = rows(Letter)
    assert len(letters) == 3 and all(letter.notify_id for letter in letters)
    assert sorted(letter.notify_status for letter in letters) == ["received", "received", "validation-failed"]
    [failed] = [letter for letter in letters if letter.notify_status == "validation-failed"]
    [family] = rows(WaitingListEntry, id=failed.entry_id)
    assert [letter.reference for letter in printed(ON)] == [family.reference]


def test_with_no_letter_due_the_demo_says_none_went(keyed):
    create_family("ND1", referral=date(2026, 11, 20), sent=[(1, date(2026, 11, 20))])
    assert sending_demo.send_some(ON, crypto.configured_key()).startswith("No letters were due today")


def test_the_demo_made_again_with_replace_makes_a_fresh_waiting_list(app):
    first = run(app, "demo", "--responses", "200")
    assert first.exit_code == 0, first.output
    assert "of today's due letters through a local fake of GOV.UK Notify" in first.output
    families, notified = len(rows(WaitingListEntry)), [x for x in rows(Letter) if x.notify_id]
    again = run(app, "demo", "--responses", "200", "--replace")
    assert again.exit_code == 0, again.output
    assert len(rows(WaitingListEntry)) == families
    assert len([x for x in rows(Letter) if x.notify_id]) == len(notified) > 0

"""`feedback demo` runs the sending loop on its own fake of GOV.UK Notify: nothing leaves the machine."""

from feedback.models import Appointment, Invitation, InvitationMessage
from surveys import sending_demo
from tests.conftest import everything_stored, rows


def test_the_demo_sends_its_invented_day_through_the_fake_and_records_what_became_of_it(app, monday, keys):
    said = []
    sending_demo.run_loop(2026, said.append)
    assert said[0].startswith("Sent 30 survey invitations for 30 invented appointments")
    assert said[0].endswith("29 delivered, 1 failed.")
    assert said[1].startswith("One of the texts: ") and "http://invalid.test/i/" in said[1]
    assert sorted({m.status for m in rows(InvitationMessage)}) == ["delivered", "permanent-failure"]
    assert len([i for i in rows(Invitation) if i.delivery == "delivered"]) == 29
    stored = everything_stored(app)
    assert b"07700900" not in stored and b"@example.org" not in stored
    assert {a.channel for a in rows(Appointment)} == {"sms", "email"}
    assert {a.language for a in rows(Appointment)} == {"en", "pl", "ur"}

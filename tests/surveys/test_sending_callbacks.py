"""What comes back from GOV.UK Notify: delivery receipts (callback or asking), STOP replies, and
the "stop these messages" link; and the response rate counting delivered invitations."""

from datetime import date

import pytest

from feedback.models import Appointment, DoNotContact, Invitation, InvitationMessage
from tests.conftest import create_invitation, parse, rows
from tests.feedback.test_cli import run
from tests.surveys.conftest import CALLBACK_TOKEN, appointment, import_records, mobile
from tests.surveys.test_sending_end_to_end import answer, response_rate


def send(app):
    return run(app, "jobs", "run", "send_invitations").output


def sent_to(notify, number):
    return [i for i, m in notify.messages.items() if m["to"] == number]


def path_of(link):
    return link.removeprefix("http://invalid.test")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}])
def test_a_callback_without_notify_s_bearer_token_is_refused(client, notify, headers):
    response = client.post(
        "/notify/delivery-status", json={"id": "x", "status": "delivered"}, headers=headers
    )
    assert response.status_code == 401


def test_callbacks_are_refused_when_no_token_is_configured(app, client):
    app.config["NOTIFY_CALLBACK_TOKEN"] = None
    response = client.post("/notify/delivery-status", json={}, headers={"Authorization": "Bearer "})
    assert response.status_code == 401


def test_delivery_receipts_count_delivered_invitations_in_the_response_rate(
    app, client, monday, notify, served, keys
):
    import_records([appointment(i, service="ehc-assessment") for i in range(4)], keys)
    send(app)
    ids = {m["to"]: i for i, m in notify.messages.items()}
    assert notify.report(ids[mobile(0)], "delivered").json() == {"result": "recorded"}
    notify.report(ids[mobile(1)], "delivered")
    notify.report(ids[mobile(2)], "permanent-failure")
    notify.report(ids[mobile(3)], "temporary-failure")
    assert notify.report(ids[mobile(0)], "delivered").json() == {"result": "no change"}
    answer(client, path_of(notify.messages[ids[mobile(0)]]["personalisation"]["link"]))
    assert sorted(i.delivery for i in rows(Invitation)) == ["delivered", "delivered", "failed", "failed"]
    assert response_rate(date(2026, 11, 1)) == (1, 2)


def test_a_permanent_failure_gets_no_reminder_and_a_temporary_one_does(app, monday, notify, served, keys):
    import_records([appointment(1), appointment(2)], keys)
    send(app)
    notify.report(sent_to(notify, mobile(1))[0], "permanent-failure")
    notify.report(sent_to(notify, mobile(2))[0], "temporary-failure")
    monday(days=3, minutes=1)
    send(app)
    assert len(sent_to(notify, mobile(1))) == 1 and len(sent_to(notify, mobile(2))) == 2
    assert all(a.contact is None for a in rows(Appointment))


def test_a_delivered_reminder_makes_its_invitation_count_as_delivered(app, monday, notify, served, keys):
    import_records([appointment(1)], keys)
    send(app)
    notify.report(sent_to(notify, mobile(1))[0], "temporary-failure")
    monday(days=3, minutes=1)
    send(app)
    notify.report(sent_to(notify, mobile(1))[1], "delivered")
    assert rows(Invitation)[0].delivery == "delivered"


def test_a_receipt_for_a_message_that_is_not_ours_changes_nothing(client, notify):
    response = client.post(
        "/notify/delivery-status",
        json={"id": "0" * 36, "status": "delivered"},
        headers={"Authorization": f"Bearer {CALLBACK_TOKEN}"},
    )
    assert response.status_code == 200 and response.get_json() == {"result": "not one of ours"}


def test_without_callbacks_the_delivery_job_asks_notify(app, monday, notify, keys):
    import_records([appointment(1), appointment(2)], keys)
    send(app)
    first, second = list(notify.messages)
    notify.statuses[first] = "delivered"
    outcome = run(app, "jobs", "run", "check_deliveries").output
    assert "delivered 1" in outcome and "sending 1" in outcome
    assert sorted(m.status for m in rows(InvitationMessage)) == ["delivered", "sent"]
    notify.statuses[second] = "technical-failure"
    monday(hours=1)
    run(app, "jobs", "run", "check_deliveries")
    assert sorted(i.delivery for i in rows(Invitation)) == ["delivered", "failed"]
    monday(hours=1)
    assert "none to check" in run(app, "jobs", "run", "check_deliveries").output


@pytest.mark.parametrize("reply", ["STOP", "stop", " Stop. ", "UNSUBSCRIBE"])
def test_a_stop_reply_means_no_more_messages_to_that_number(app, monday, notify, served, keys, reply):
    import_records([appointment(1), appointment(2, appointment_at="2026-11-23T09:00")], keys)
    assert notify.reply("447700900001", reply).json() == {"result": "recorded"}
    assert len(rows(DoNotContact)) == 1
    send(app)
    assert [m["to"] for m in notify.messages.values()] == [mobile(2)]
    counts, _ = import_records([appointment(1, appointment_id="NEXT-WEEK")], keys)
    assert counts["on the do-not-contact list"] == 1


@pytest.mark.parametrize("reply", ["Thank you", "Please stop sending me the wrong date", "STOPPED"])
def test_other_replies_change_nothing(notify, served, keys, reply):
    assert notify.reply("447700900001", reply).json() == {"result": "not a request to stop"}
    assert rows(DoNotContact) == []


def test_the_survey_page_from_a_text_offers_to_stop_the_messages(app, client, monday, notify, keys):
    import_records([appointment(1)], keys)
    send(app)
    link = path_of(next(iter(notify.messages.values()))["personalisation"]["link"])
    stop = parse(client.get(link)).find("a", string="Stop these messages")
    assert stop["href"] == f"{link}/stop"
    token, _ = create_invitation()
    assert parse(client.get(f"/i/{token}")).find("a", string="Stop these messages") is None  # a card's link


def test_the_stop_link_asks_first_then_lists_the_number_and_sends_no_reminder(
    app, client, monday, notify, keys
):
    app.config["WTF_CSRF_ENABLED"] = False
    import_records([appointment(1)], keys)
    send(app)
    link = path_of(next(iter(notify.messages.values()))["personalisation"]["link"])
    asked = client.get(f"{link}/stop")
    assert parse(asked).find("button").get_text() == "Stop these messages" and rows(DoNotContact) == []
    done = client.post(f"{link}/stop")
    assert parse(done).find("h1").get_text() == "You will not get more messages"
    assert [d.source for d in rows(DoNotContact)] == ["link"] and rows(Appointment)[0].contact is None
    monday(days=3, minutes=1)
    send(app)
    assert len(notify.messages) == 1
    assert parse(client.post(f"{link}/stop")).find("h1").get_text().startswith("We no longer hold")


def test_the_stop_link_of_an_unknown_token_says_it_does_not_work(client):
    assert client.get(f"/i/{'B' * 24}/stop").status_code == 404

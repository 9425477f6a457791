"""The send_invitations job on the fake GOV.UK Notify: when it sends, what, in which language, how
it never sends twice, and what it does when Notify refuses or asks it to wait."""

import threading
from datetime import timedelta

import pytest

from feedback import clock
from feedback.db import transaction
from feedback.models import Appointment, Invitation, InvitationMessage
from surveys import contact, intake, notify_client, sending
from surveys.throttle import Throttle
from tests.conftest import parse, rows
from tests.feedback.test_cli import run
from tests.surveys.conftest import appointment, import_records, mobile


def send(app):
    """Run the job as the scheduler would; return its one-line outcome (or the failure)."""
    return run(app, "jobs", "run", "send_invitations").output


def one_run(app):
    """Run the sending step itself (no hours, no runner): as a second scheduler would."""
    settings = sending.Settings(
        intake.policy(), contact.configured_keys(), app.config["BASE_URL"], 14, clock.now()
    )
    apis = [notify_client.client(app.config) for _ in range(2)]
    return sending.run(apis, settings, Throttle(0))


def messages(**filters):
    return rows(InvitationMessage, **filters)


@pytest.mark.parametrize(("hours", "sent"), [("09-20", 0), ("06-22", 1)])
def test_nothing_is_sent_outside_sending_hours(app, monday, notify, keys, hours, sent):
    import_records([appointment(1)], keys)
    monday(hours=11)  # 21:00 in England
    app.config["SEND_HOURS"] = hours
    outcome = send(app)
    assert len(notify.messages) == sent
    assert ("outside sending hours" in outcome) is (sent == 0)


def test_an_invitation_goes_an_hour_after_the_appointment_not_before(app, monday, notify, keys):
    import_records([appointment(1, appointment_at="2026-11-23T09:30")], keys)
    send(app)
    assert notify.messages == {}
    monday(minutes=30)
    send(app)
    [sent] = notify.messages.values()
    assert sent["to"] == mobile(1) and sent["reference"] == f"sfb-message-{messages()[0].id}"
    assert sent["body"].startswith("CAMHS: how did your appointment go?")


def test_two_schedulers_at_once_send_each_appointment_one_invitation(app, monday, notify, keys):
    import_records([appointment(i) for i in range(60)], keys)
    results = []

    def scheduler():
        with app.app_context():
            results.append(one_run(app).counts["invitation sent"])

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 60 and len(notify.messages) == 60
    assert sorted(m["to"] for m in notify.messages.values()) == sorted(mobile(i) for i in range(60))


def claim_and_die(app):
    """Claim a batch as a run does, then stop before sending (a process killed mid-run)."""
    settings = sending.Settings(
        intake.policy(), contact.configured_keys(), app.config["BASE_URL"], 14, clock.now()
    )
    with transaction() as session:
        return sending.claim_invitations(session, settings, {})


@pytest.mark.parametrize("notify_got_it", [True, False])
def test_a_run_that_died_after_claiming_is_finished_without_sending_twice(
    app, monday, notify, keys, notify_got_it
):
    import_records([appointment(1)], keys)
    [claimed] = claim_and_die(app)
    if notify_got_it:  # it died after Notify accepted the message, before recording it
        notify_client.send(notify_client.client(app.config), claimed.outgoing)
    monday(minutes=5)
    send(app)
    assert len(notify.messages) == int(notify_got_it)  # left alone while its run may be alive
    monday(minutes=10)
    send(app)
    [message] = messages()
    assert len(notify.messages) == 1 and message.status == "sent"
    assert message.notify_id == next(iter(notify.messages))


def test_notify_refusing_a_message_records_its_reason_and_never_tries_again(app, monday, notify, keys):
    import_records([appointment(1), appointment(2)], keys)
    notify.failures.append((400, "BadRequestError", "Can't send to this recipient using a team-only API key"))
    send(app)
    refused = [m for m in messages() if m.status == "refused"]
    assert [m.reason for m in refused] == ["400 Can't send to this recipient using a team-only API key"]
    [failed] = [i for i in rows(Invitation) if i.delivery == "failed"]
    assert len(notify.messages) == 1
    monday(days=3)
    send(app)
    assert len(notify.messages) == 2  # the other's reminder; nothing more to the refused one
    assert [a.contact for a in rows(Appointment)] == [None, None] and failed


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (429, "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
        (500, "Exception", "Internal server error"),
    ],
)
def test_a_message_notify_asks_to_retry_goes_later_once(app, monday, notify, keys, status, error, text):
    import_records([appointment(1)], keys)
    notify.failures.append((status, error, text))
    first = send(app)
    [message] = messages()
    assert message.status == "retry" and message.reason == f"{status} {text}" and notify.messages == {}
    assert ("failed" in first) is (status == 429)  # a rate limit stops the run; staff see it if it goes on
    monday(seconds=30)
    send(app)
    assert notify.messages == {}  # not before its backoff
    monday(minutes=10)
    send(app)
    assert len(notify.messages) == 1 and messages()[0].status == "sent"


def test_notify_s_daily_limit_holds_the_message_for_an_hour(app, monday, notify, keys):
    import_records([appointment(1), appointment(2)], keys)
    notify.failures.extend([(429, "TooManyRequestsError", "Exceeded send limits (250000) for today")] * 2)
    assert "asked us to wait" in send(app)
    notify.failures.clear()  # the second may never have been asked: the run stopped at the first
    assert {m.status for m in messages()} == {"retry"} and notify.messages == {}
    monday(minutes=50)
    send(app)
    assert notify.messages == {}
    monday(minutes=15)
    send(app)
    assert len(notify.messages) == 2


def test_a_retry_after_an_unclear_answer_asks_notify_first_and_does_not_send_again(app, monday, notify, keys):
    import_records([appointment(1)], keys)
    notify.failures.append((500, "Exception", "Internal server error"))
    send(app)
    [message] = messages()
    notify.messages["accepted-after-all"] = {
        "type": "sms",
        "to": mobile(1),
        "body": "",
        "template_id": "",
        "reference": f"sfb-message-{message.id}",
        "personalisation": {},
    }
    notify.statuses["accepted-after-all"] = "sending"
    monday(minutes=10)
    send(app)
    assert list(notify.messages) == ["accepted-after-all"]
    assert messages()[0].notify_id == "accepted-after-all"


def test_after_six_tries_a_message_is_given_up_with_notify_s_last_reason(app, monday, notify, keys):
    import_records([appointment(1)], keys)
    for _ in range(sending.MAX_ATTEMPTS):
        notify.failures.append((503, "Exception", "Service unavailable"))
        send(app)
        monday(hours=1, minutes=1)
    [message] = messages()
    assert message.status == "refused" and message.reason.startswith("gave up after 6 tries: 503")
    assert rows(Appointment)[0].contact is None


def test_a_wrong_api_key_stops_the_run_and_sends_nothing(app, monday, notify, keys):
    app.config["NOTIFY_API_KEY"] = app.config["NOTIFY_API_KEY"][:-36] + "00000000-0000-0000-0000-000000000000"
    import_records([appointment(1)], keys)
    outcome = send(app)
    assert "failed" in outcome and "refused the API key" in outcome
    assert notify.messages == {} and messages()[0].status == "retry"


def test_without_notify_configured_the_job_fails_only_when_there_is_something_to_send(app, monday, keys):
    assert "no appointments waiting" in send(app)
    import_records([appointment(1)], keys)
    monday(minutes=10)
    assert "FEEDBACK_NOTIFY_API_KEY is not set" in send(app)


def test_an_email_carries_the_link_and_a_link_to_stop(app, monday, notify, keys):
    import_records([appointment(1, mobile="", email="parent@example.org")], keys)
    send(app)
    [sent] = notify.messages.values()
    values = sent["personalisation"]
    assert sent["type"] == "email" and sent["to"] == "parent@example.org"
    assert values["stop_link"] == values["link"] + "/stop"
    assert values["service"] == "CAMHS (children and young people's mental health)"


@pytest.mark.parametrize(
    ("language", "opening"),
    [
        ("pl", "CAMHS: jak minela wizyta?"),
        ("Urdu", "CAMHS: ملاقات کیسی رہی؟"),
        ("", "CAMHS: how did"),
        ("Punjabi", "CAMHS: how did"),  # no text or survey in Punjabi yet: both are in English
    ],
)
def test_a_message_is_in_the_appointment_s_language_and_so_is_its_survey(
    app, client, monday, notify, keys, language, opening
):
    import_records([appointment(1, language=language)], keys)
    send(app)
    [sent] = notify.messages.values()
    assert sent["body"].startswith(opening)
    page = client.get(sent["personalisation"]["link"].removeprefix("http://invalid.test"))
    assert parse(page).html["lang"] == {"pl": "pl", "Urdu": "ur", "": "en", "Punjabi": "en"}[language]


def test_a_young_person_is_sent_the_easy_read_survey_for_their_service(app, client, monday, notify, keys):
    import_records([appointment(1, service="break-time", respondent="young_person")], keys)
    send(app)
    [sent] = notify.messages.values()
    link = sent["personalisation"]["link"]
    assert link.endswith("?easy=1") and sent["body"].startswith("Break Time:")
    assert rows(Invitation)[0].instrument_slug == "break-time-young-person"
    assert client.get(link.removeprefix("http://invalid.test")).status_code == 200


def test_a_number_on_the_do_not_contact_list_is_never_sent_to(app, monday, notify, keys):
    import_records([appointment(1)], keys)
    with transaction() as session:
        from surveys import sending_dao

        sending_dao.add_do_not_contact(session, contact.contact_hash(keys, mobile(1)), "link", clock.now())
    outcome = send(app)
    assert "opted out 1" in outcome and notify.messages == {}
    assert rows(Appointment)[0].contact is None


def test_contact_details_are_erased_fourteen_days_after_the_appointment_even_if_nothing_went(
    app, monday, notify, keys
):
    import_records([appointment(1)], keys)
    notify.failures.extend([(500, "Exception", "Internal server error")] * 20)
    send(app)
    monday(days=14)
    send(app)
    [held] = rows(Appointment)
    assert held.contact is None and held.stage == "done"
    assert messages()[0].status == "refused" and "erased" in messages()[0].reason


def test_answering_erases_the_contact_details_and_no_reminder_follows(app, client, monday, notify, keys):
    from tests.surveys.test_sending_end_to_end import answer

    import_records([appointment(1)], keys)
    send(app)
    [sent] = notify.messages.values()
    answer(client, sent["personalisation"]["link"].removeprefix("http://invalid.test"))
    monday(minutes=10)
    assert "erased 1" in send(app)
    assert rows(Appointment)[0].contact is None
    monday(days=3)
    send(app)
    assert len(notify.messages) == 1


def test_the_reminder_is_the_last_message_and_its_sending_erases_the_contact(app, monday, notify, keys):
    import_records([appointment(1)], keys)
    send(app)
    assert rows(Appointment)[0].contact is not None  # held for the reminder
    monday(days=3, minutes=1)
    send(app)
    assert [m.kind for m in messages()] == ["invitation", "reminder"]
    assert rows(Appointment)[0].contact is None and rows(Appointment)[0].erased_at is not None


def test_a_text_that_would_not_fit_in_two_fragments_is_not_sent(app, monday, notify, keys):
    app.config["BASE_URL"] = "https://" + "very-long-address." * 12 + "example.gov.uk"
    import_records([appointment(1)], keys)
    send(app)
    assert notify.messages == {}
    assert messages()[0].reason.startswith("the text would take 3 fragments")


def test_the_run_keeps_under_notify_s_limit_with_the_throttle_on(app, monday, notify, keys, monkeypatch):
    """The job's own throttle, on a simulated clock: 3,500 messages never exceed 3,000 in a minute."""
    from tests.surveys.test_sending_policy import SimulatedTime, busiest_minute

    import_records([appointment(i % 1000, appointment_id=f"T{i}") for i in range(3500)], keys)
    time, sent_at = SimulatedTime(), []
    real_send = notify_client.send

    def timed_send(api, outgoing):
        sent_at.append(time.now)
        return real_send(api, outgoing)

    monkeypatch.setattr(notify_client, "send", timed_send)
    settings = sending.Settings(intake.policy(), keys, app.config["BASE_URL"], 14, clock.now())
    apis = [notify_client.client(app.config) for _ in range(sending.SENDERS)]
    run_ = sending.run(apis, settings, Throttle(2400, time.monotonic, time.sleep))
    assert run_.counts["invitation sent"] == 3500 and len(notify.messages) == 3500
    assert busiest_minute(sorted(sent_at)) <= 3000
    assert time.now >= timedelta(minutes=1).total_seconds()

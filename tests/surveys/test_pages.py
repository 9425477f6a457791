"""The respondents' pages: answering, validation, idempotency, invitations and kiosk mode."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for

from feedback.models import Answer, Comment, Invitation, Response
from tests.conftest import create_invitation, form_fields, parse, rows

SERVICE_LINK = {"slug": "service-experience", "service": "camhs", "district": "preston"}


def open_form(client, **args):
    link = {**SERVICE_LINK, **args}
    return client.get(url_for("respondents.open_survey", **link))


def answer(client, url, answers, fields=None):
    """Post answers to a survey page, with the hidden fields from its form."""
    return client.post(url, data={**(fields or {}), **answers})


def post_open_form(client, answers, **args):
    page = open_form(client, **args)
    url = url_for("respondents.open_survey", **{**SERVICE_LINK, **args})
    return answer(client, url, answers, form_fields(page))


def test_form_shows_each_question_in_a_fieldset_with_a_legend(client):
    page = parse(open_form(client))
    legends = [legend.get_text(" ", strip=True) for legend in page.select("fieldset legend")]
    assert legends[0].startswith("Overall, how was your experience of CAMHS")
    assert page.select_one("label[for=comment]") is not None
    assert "anonymous" in page.select_one(".inset").get_text()


def test_valid_answer_is_stored_with_version_service_district_and_channel(client):
    result = post_open_form(
        client,
        {"overall": "good", "right_support": "partly", "comment": "  The staff were kind and helpful.  "},
    )
    assert result.status_code == 303
    [response] = rows(Response)
    assert (response.instrument_slug, response.instrument_version) == ("service-experience", 1)
    assert (response.service_slug, response.provider_slug, response.district_slug) == (
        "camhs",
        "lscft",
        "preston",
    )
    assert response.channel == "form"
    assert not response.invited
    answers = {a.question_key: a.value for a in rows(Answer, response_id=response.id)}
    assert answers == {"overall": "good", "right_support": "partly"}
    [comment] = rows(Comment, response_id=response.id)
    assert comment.text == "The staff were kind and helpful."
    assert comment.polarity > 0


def test_thank_you_page_follows_a_stored_answer(client):
    result = post_open_form(client, {"overall": "very_good"})
    thanks = parse(client.get(result.headers["Location"]))
    assert thanks.h1.get_text(strip=True) == "Thank you"


def test_missing_required_answer_shows_error_summary_keeps_answers_and_stores_nothing(client):
    result = post_open_form(client, {"right_support": "yes", "comment": "Good parking"})
    page = parse(result)
    summary = page.select_one(".error-summary")
    assert summary is not None
    assert summary.a["href"] == "#overall-0"
    assert page.title.get_text().startswith("Error:")
    assert page.select_one("#right_support-0")["value"] == "yes"
    assert page.select_one("#right_support-0").has_attr("checked")
    assert page.select_one("#comment").get_text() == "Good parking"
    assert rows(Response) == []


def test_answer_that_is_not_one_of_the_options_is_refused(client):
    result = post_open_form(client, {"overall": "excellent"})
    assert "Choose one of the answers shown" in parse(result).select_one(".error-summary").get_text()
    assert rows(Response) == []


def test_comment_over_the_stated_limit_is_refused_and_kept_for_editing(client):
    page = parse(open_form(client))
    assert "up to 1000 characters" in page.select_one("#comment-hint").get_text()
    result = post_open_form(client, {"overall": "good", "comment": "x" * 1001})
    assert "1000 characters or fewer" in parse(result).select_one(".error-summary").get_text()
    assert rows(Response) == []


def test_html_in_a_comment_is_stored_as_text_and_never_rendered_as_markup(client):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    result = post_open_form(client, {"comment": script})  # missing answer: the form comes back
    page = parse(result)
    # The only scripts are the site's own files (the error summary's); none came from the comment.
    assert [s for s in page.select("script") if s.string or not s["src"].startswith("/static/")] == []
    assert page.select_one("#comment").get_text() == script
    post_open_form(client, {"overall": "poor", "comment": script})
    [comment] = rows(Comment)
    assert comment.text == script


def test_extra_and_wrongly_typed_fields_are_ignored(client):
    result = post_open_form(
        client, {"overall": "good", "is_admin": "1", "score": "100", "service_slug": "salt"}
    )
    assert result.status_code == 303
    [response] = rows(Response)
    assert response.service_slug == "camhs"
    assert response.score is None


def test_double_submit_stores_one_response(client):
    page = open_form(client)
    fields = form_fields(page)
    url = url_for("respondents.open_survey", **SERVICE_LINK)
    first = answer(client, url, {"overall": "good"}, fields)
    second = answer(client, url, {"overall": "good"}, fields)
    assert first.status_code == second.status_code == 303
    assert len(rows(Response)) == 1


def test_tampered_submission_id_stores_nothing(client):
    fields = form_fields(open_form(client))
    fields["submission_id"] = "1; DROP TABLE response"
    result = answer(client, url_for("respondents.open_survey", **SERVICE_LINK), {"overall": "good"}, fields)
    assert result.status_code == 200
    assert parse(result).select_one(".error-summary") is not None
    assert rows(Response) == []


@pytest.mark.parametrize(
    ("link", "heading"),
    [
        ({"slug": "no-such-survey", "service": "camhs"}, "There is no survey called “no-such-survey”"),
        (
            {"slug": "service-experience", "service": "no-such-service"},
            "There is no service called “no-such-service”",
        ),
        (
            {"slug": "service-experience", "service": "camhs", "district": "atlantis"},
            "There is no district called “atlantis”",
        ),
        ({"slug": "service-experience"}, "This link does not name a service"),
    ],
)
def test_unknown_survey_service_or_district_is_a_plain_404_that_names_it(client, link, heading):
    result = client.get(url_for("respondents.open_survey", **link))
    assert result.status_code == 404
    assert parse(result).h1.get_text(strip=True) == heading
    assert "Traceback" not in result.get_data(as_text=True)


def test_survey_with_a_default_service_needs_no_service_in_the_link(client):
    page = parse(client.get(url_for("respondents.open_survey", slug="local-offer")))
    assert page.h1.get_text(strip=True) == "The Local Offer website"


def test_csrf_failure_shows_page_expired_and_stores_nothing(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    fields = form_fields(open_form(client))
    fields["csrf_token"] = "expired-or-forged"
    result = answer(client, url_for("respondents.open_survey", **SERVICE_LINK), {"overall": "good"}, fields)
    assert result.status_code == 400
    assert parse(result).h1.get_text(strip=True) == "This page has expired"
    assert rows(Response) == []


def test_oversized_post_is_refused_plainly(client):
    fields = form_fields(open_form(client))
    result = answer(
        client,
        url_for("respondents.open_survey", **SERVICE_LINK),
        {"overall": "good", "comment": "x" * 100_000},
        fields,
    )
    assert result.status_code == 413
    assert rows(Response) == []


def test_easy_read_version_has_pictures_and_maps_to_the_standard_scale(client):
    page = parse(open_form(client, easy="1"))
    assert "easy-read" in page.body["class"]
    labels = [label.get_text(" ", strip=True) for label in page.select("label[for^=overall-]")]
    assert labels == ["Very good", "Good", "OK", "Bad", "Very bad", "I don't know"]
    assert all(label.img for label in page.select("label[for^=overall-]"))
    post_open_form(client, {"overall": "neither"}, easy="1")
    [response] = rows(Response)
    assert response.easy_read
    assert rows(Answer)[0].value == "neither"


def test_young_peoples_instrument_is_always_easy_read(client):
    page = parse(client.get(url_for("respondents.open_survey", slug="break-time-young-person")))
    assert "easy-read" in page.body["class"]
    assert page.find("a", string="Standard version of this survey") is None


def test_quiz_score_is_stored_with_the_response(client):
    url = url_for("respondents.open_survey", slug="board-quiz")
    fields = form_fields(client.get(url))
    answers = {
        "q_assessment_weeks": "w20",
        "q_age_range": "a0_25",
        "q_transition_age": "y14",
        "q_local_offer": "website",
        "q_review_response": "w12",
    }
    assert answer(client, url, answers, fields).status_code == 303
    [response] = rows(Response)
    assert response.score == 80
    assert response.respondent_type == "board_member"


def test_kiosk_mode_records_the_channel_and_resets_for_the_next_person(client):
    result = post_open_form(client, {"overall": "good"}, mode="kiosk")
    assert rows(Response)[0].channel == "kiosk"
    thanks = client.get(result.headers["Location"])
    assert thanks.headers["Cache-Control"] == "no-store"
    page = parse(thanks)
    restart = page.select_one("#kiosk-reset")["data-restart"]
    assert "mode=kiosk" in restart
    fresh = parse(client.get(restart))
    assert fresh.select("input[checked]") == []
    assert fresh.select_one("#comment").get_text() == ""


def test_kiosk_form_is_not_cached_so_back_shows_no_answer(client):
    assert open_form(client, mode="kiosk").headers["Cache-Control"] == "no-store"


def invitation_url(token):
    return url_for("respondents.invitation", token=token)


def test_invitation_answer_is_stored_against_its_service_district_and_appointment_month(client):
    token, _ = create_invitation(service_slug="salt", district_slug="burnley")
    page = client.get(invitation_url(token))
    assert page.status_code == 200
    result = answer(client, invitation_url(token), {"overall": "good"}, form_fields(page))
    assert result.status_code == 303
    [response] = rows(Response)
    assert (response.service_slug, response.district_slug) == ("salt", "burnley")
    assert response.invited
    assert response.month.isoformat() == "2026-10-01"
    assert rows(Invitation)[0].used


SPENT = "You have already answered, or this link has expired"


def _spent_page(result):
    """The status, heading and words of a refused link's page (what a guesser could compare)."""
    page = parse(result)
    return result.status_code, page.h1.get_text(strip=True), page.main.get_text(" ", strip=True)


def test_used_invitation_shows_already_answered_and_stores_no_more(client):
    token, _ = create_invitation()
    page = client.get(invitation_url(token))
    answer(client, invitation_url(token), {"overall": "good"}, form_fields(page))
    again = client.get(invitation_url(token))
    assert parse(again).h1.get_text(strip=True) == SPENT
    assert "thank you: your answers were saved" in parse(again).get_text()
    replay = answer(
        client,
        invitation_url(token),
        {"overall": "poor"},
        form_fields(page) | {"submission_id": "0b9e5e0c-6f7f-4d5b-9a59-0d7f9c1b2a3e"},
    )
    assert parse(replay).h1.get_text(strip=True) == SPENT
    assert len(rows(Response)) == 1


def test_expired_invitation_cannot_be_answered(client):
    past = datetime.now(UTC) - timedelta(days=1)
    token, _ = create_invitation(created_at=past - timedelta(days=14), expires_at=past)
    page = client.get(invitation_url(token))
    assert (page.status_code, parse(page).h1.get_text(strip=True)) == (404, SPENT)
    fields = form_fields(open_form(client))  # a valid form token from this browser session
    result = answer(client, invitation_url(token), {"overall": "good"}, fields)
    assert (result.status_code, parse(result).h1.get_text(strip=True)) == (404, SPENT)
    assert rows(Response) == []


def test_used_expired_malformed_and_guessed_links_get_the_same_page(client):
    used, _ = create_invitation()
    answer(client, invitation_url(used), {"overall": "good"}, form_fields(client.get(invitation_url(used))))
    past = datetime.now(UTC) - timedelta(days=1)
    expired, _ = create_invitation(created_at=past - timedelta(days=14), expires_at=past)
    pages = {
        _spent_page(client.get(invitation_url(token)))
        for token in (used, expired, "A" * 24, "short", "x" * 200, "%3Cscript%3E")
    }
    assert len(pages) == 1
    [(status, heading, _)] = pages
    assert (status, heading) == (404, SPENT)


def test_privacy_notice_says_answers_are_anonymous(client):
    page = parse(client.get(url_for("pages.privacy")))
    assert "You are anonymous" in page.get_text()


def test_healthz_reports_the_database_ok(client):
    assert client.get("/healthz").get_json()["database"] == "ok"


def test_respondent_pages_carry_security_headers(client):
    headers = open_form(client).headers
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"

"""The sending policy as data, text-message length, sending hours and the throttle: pure code."""

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedback.clock import LONDON
from surveys import sending_policy
from surveys.sending_policy import fragments, load_policy, parse_hours, within_hours
from surveys.throttle import Throttle, within_limit

REFERENCE = Path(__file__).resolve().parents[2] / "feedback" / "reference.toml"
# A realistic service address: the link in a text is this, /i/, 24 characters and maybe ?easy=1.
BASE_URL = "https://feedback.example.gov.uk"
LONGEST_LINK = f"{BASE_URL}/i/{'A' * 24}?easy=1"


def services():
    with REFERENCE.open("rb") as f:
        return {slug: entry["name"] for slug, entry in tomllib.load(f)["services"].items()}


@pytest.mark.parametrize("kind", ["invitation", "reminder"])
@pytest.mark.parametrize("slug", sorted(services()))
def test_every_english_text_message_fits_in_two_fragments_for_every_service(slug, kind):
    policy = load_policy()
    name = policy.short_name(slug, services()[slug])
    text = policy.template(slug, "sms", "en", kind).render({"service": name, "link": LONGEST_LINK})
    assert fragments(text) <= 2, (slug, kind, len(text))


@pytest.mark.parametrize("language", ["pl", "ur"])
@pytest.mark.parametrize("kind", ["invitation", "reminder"])
def test_the_other_languages_fit_in_two_fragments_with_the_longest_short_name(language, kind):
    policy = load_policy()
    longest = max((policy.short_name(s, n) for s, n in services().items()), key=len)
    link = f"{LONGEST_LINK}&lang={language}"  # the survey opens in the message's language
    text = policy.template("camhs", "sms", language, kind).render({"service": longest, "link": link})
    assert fragments(text) <= 2, (language, kind, len(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),
        ("€" * 81, 2),  # an extension character costs two
        ("ł" + "a" * 69, 1),
        ("ł" + "a" * 70, 2),
        ("ł" + "a" * 133, 2),
        ("ł" + "a" * 134, 3),  # UCS-2
    ],
)
def test_fragments_are_counted_as_a_phone_network_counts_them(text, expected):
    assert fragments(text) == expected


def test_a_text_in_a_language_without_a_template_is_sent_in_english():
    policy = load_policy()
    english = policy.templates[("sms", "en", "invitation")]
    assert policy.template("camhs", "sms", "so", "invitation") == english


@pytest.mark.parametrize(
    ("service", "respondent", "survey"),
    [
        ("camhs", "parent_carer", "service-experience"),
        ("break-time", "young_person", "break-time-young-person"),
        ("break-time", "parent_carer", "break-time-parent"),
        ("ehc-assessment", "parent_carer", "ehcp-annual-review"),
        ("ehc-assessment", "young_person", "service-experience"),
    ],
)
def test_the_survey_is_chosen_by_service_and_respondent(service, respondent, survey):
    assert load_policy().survey_for(service, respondent) == survey


def test_a_policy_without_an_english_template_is_refused(tmp_path):
    text = sending_policy.POLICY_FILE.read_text().replace(
        "[templates.sms.en.reminder]", "[templates.sms.pl.reminder2]"
    )
    (tmp_path / "policy.toml").write_text(text)
    with pytest.raises(sending_policy.PolicyError, match="no English sms reminder template"):
        load_policy(tmp_path / "policy.toml")


@pytest.mark.parametrize(
    ("text", "hours"), [("09-20", (9, 20)), ("9-20", (9, 20)), (" 08 - 21 ", (8, 21)), ("0-24", (0, 24))]
)
def test_sending_hours_are_read_from_the_setting(text, hours):
    assert parse_hours(text) == hours


@pytest.mark.parametrize("text", ["", "9", "20-09", "09-25", "nine-five", "09:00-20:00"])
def test_sending_hours_that_make_no_sense_are_refused_with_the_form_to_use(text):
    with pytest.raises(ValueError, match="09-20"):
        parse_hours(text)


@pytest.mark.parametrize(
    ("utc", "inside"),
    [
        (datetime(2026, 11, 23, 8, 59, tzinfo=UTC), False),
        (datetime(2026, 11, 23, 9, 0, tzinfo=UTC), True),
        (datetime(2026, 11, 23, 19, 59, tzinfo=UTC), True),
        (datetime(2026, 11, 23, 20, 0, tzinfo=UTC), False),
        # In summer, UK time is an hour ahead of UTC: 08:30 UTC is 09:30 in England.
        (datetime(2026, 6, 15, 8, 30, tzinfo=UTC), True),
        (datetime(2026, 6, 15, 19, 30, tzinfo=UTC), False),
    ],
)
def test_sending_hours_are_uk_time_whatever_the_season(utc, inside):
    assert within_hours(utc.astimezone(LONDON), (9, 20)) is inside


class SimulatedTime:
    """A clock that moves only when the throttle sleeps."""

    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def busiest_minute(times):
    """Return the most requests in any 60 seconds."""
    most, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 60:
            start += 1
        most = max(most, end - start + 1)
    return most


def test_with_the_throttle_on_no_minute_holds_more_than_notify_allows():
    time = SimulatedTime()
    throttle, sent = Throttle(2400, time.monotonic, time.sleep), []
    for _ in range(10_000):
        throttle.wait()
        sent.append(time.now)
    assert busiest_minute(sent) <= 3000
    assert busiest_minute(sent) >= 2400  # and it is not needlessly slow
    assert 245 <= sent[-1] <= 250  # 10,000 at 40 a second


def test_with_the_throttle_off_nothing_waits():
    time = SimulatedTime()
    throttle = Throttle(0, time.monotonic, time.sleep)
    for _ in range(5000):
        throttle.wait()
    assert time.now == 0


def test_a_setting_at_or_over_notify_s_limit_is_known_to_be_over_it():
    assert within_limit(2400) and not within_limit(3000) and not within_limit(2990)


def test_a_service_with_its_own_notify_templates_uses_them_and_the_others_the_shared_ones(tmp_path):
    text = sending_policy.POLICY_FILE.read_text() + (
        '\n[services.camhs.templates.sms.en.invitation]\nid = "camhs-own"\n'
        'text = "((service)): tell us about today: ((link))"\n'
    )
    (tmp_path / "policy.toml").write_text(text)
    policy = load_policy(tmp_path / "policy.toml")
    assert policy.template("camhs", "sms", "en", "invitation").id == "camhs-own"
    shared = policy.templates
    assert policy.template("camhs", "sms", "pl", "invitation") == shared[("sms", "pl", "invitation")]
    assert policy.template("salt", "sms", "en", "invitation") == shared[("sms", "en", "invitation")]

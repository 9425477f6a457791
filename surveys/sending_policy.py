"""The sending policy as data (surveys/sending.toml): which survey, which Notify template, when,
and how long a text message may be. Pure code: no Flask, no database, no network.
"""

import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

POLICY_FILE = Path(__file__).parent / "sending.toml"
KINDS = ("invitation", "reminder")
CHANNELS = ("sms", "email")
PLACEHOLDER = re.compile(r"\(\(([a-z_]+)\)\)")
MAX_FRAGMENTS = 2
# The GSM 03.38 alphabet: a character outside it makes the whole text UCS-2 (70 a fragment, not 160);
# the extension characters cost two.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRS"
    "TUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")


class PolicyError(ValueError):
    """The policy file is malformed; the message says where."""


@dataclass(frozen=True)
class Template:
    """A Notify template: its id, and a copy of its text (and an email's subject)."""

    id: str
    text: str
    subject: str = ""

    def render(self, values):
        """Return the text with its ((placeholders)) filled, as Notify will send it."""
        return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), self.text)


@dataclass(frozen=True)
class Policy:
    send_after: timedelta
    reminder_after: timedelta
    keep_contact: timedelta
    surveys: dict  # respondent -> survey slug
    service_surveys: dict  # service -> {respondent: survey slug}
    languages: dict  # code -> name
    short_names: dict
    templates: dict  # (channel, language, kind) -> Template
    service_templates: dict = field(default_factory=dict)  # (service, channel, language, kind) -> Template

    def survey_for(self, service, respondent):
        """Return the survey an appointment with ``service`` asks ``respondent`` about."""
        return self.service_surveys.get(service, {}).get(respondent) or self.surveys[respondent]

    def template(self, service, channel, language, kind):
        """Return the template for a message: the service's own, else the shared one; English if
        there is none in the language."""
        for lang in (language, "en"):
            found = self.service_templates.get((service, channel, lang, kind)) or self.templates.get(
                (channel, lang, kind)
            )
            if found:
                return found
        raise PolicyError(f"no {channel} {kind} template in English")

    def short_name(self, service_slug, service_name):
        """Return the name a text message gives a service."""
        return self.short_names.get(service_slug, service_name)


def load_policy(path=POLICY_FILE):
    """Read and check a sending policy file."""
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    try:
        surveys = dict(raw["surveys"])
        service_surveys = surveys.pop("services", {})
        policy = Policy(
            send_after=timedelta(minutes=int(raw["send_after_minutes"])),
            reminder_after=timedelta(days=int(raw["reminder_after_days"])),
            keep_contact=timedelta(days=int(raw["keep_contact_days"])),
            surveys=surveys,
            service_surveys=service_surveys,
            languages=dict(raw["languages"]),
            short_names=dict(raw.get("short_names", {})),
            templates=_templates(raw["templates"]),
            service_templates={
                (service, *key): t
                for service, entry in raw.get("services", {}).items()
                for key, t in _templates(entry.get("templates", {})).items()
            },
        )
    except (KeyError, TypeError, ValueError) as error:
        raise PolicyError(f"{path}: {error}") from None
    _check(policy, path)
    return policy


def _templates(table):
    found = {}
    for channel, languages in table.items():
        for language, kinds in languages.items():
            for kind, entry in kinds.items():
                found[(channel, language, kind)] = Template(
                    entry["id"], entry["text"], entry.get("subject", "")
                )
    return found


def _check(policy, path):
    for respondent in ("parent_carer", "young_person"):
        if respondent not in policy.surveys:
            raise PolicyError(f"{path}: [surveys] has no {respondent}")
    if "en" not in policy.languages:
        raise PolicyError(f"{path}: [languages] must include en")
    for channel in CHANNELS:
        for kind in KINDS:
            if (channel, "en", kind) not in policy.templates:
                raise PolicyError(f"{path}: no English {channel} {kind} template")
    for key in [*policy.templates, *(k[1:] for k in policy.service_templates)]:
        if key[0] not in CHANNELS or key[2] not in KINDS or key[1] not in policy.languages:
            raise PolicyError(f"{path}: templates.{'.'.join(key)} is not a channel, language and kind")


def fragments(text):
    """Return how many SMS fragments a text takes (GSM 7-bit, or UCS-2 if it needs it)."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text):
        length = sum(2 if ch in GSM_EXTENSION else 1 for ch in text)
        single, part = 160, 153
    else:
        length = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)  # UTF-16 code units
        single, part = 70, 67
    if length <= single:
        return 1
    return -(-length // part)


def parse_hours(text):
    """Read sending hours written as "09-20": return (first hour, hour to stop by)."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*", text or "")
    if not match:
        raise ValueError("FEEDBACK_SEND_HOURS must look like 09-20 (from 9 am, stopping by 8 pm)")
    start, end = int(match.group(1)), int(match.group(2))
    if not 0 <= start < end <= 24:
        raise ValueError(
            "FEEDBACK_SEND_HOURS must run from an earlier hour to a later one within 0-24, like 09-20"
        )
    return start, end


def within_hours(london_time, hours):
    """Return whether a time in England is within the sending hours."""
    start, end = hours
    return start <= london_time.hour < end

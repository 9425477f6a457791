"""A realistic synthetic year of answers: invented, plausible, with trends and a few bad months.

Nothing here is real: no person, no real comment. Random numbers come from a seeded generator,
so the same seed gives the same year.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from analysis.sentiment import polarity
from feedback import clock, demo_dao
from surveys import dao

# Which instrument each service asks, and how much of the year's feedback it gets.
SERVICE_MIX = {
    "camhs": ("service-experience", 14),
    "learning-disability": ("service-experience", 6),
    "occupational-therapy": ("service-experience", 8),
    "physiotherapy": ("service-experience", 8),
    "salt": ("service-experience", 12),
    "integrated-therapies": ("service-experience", 6),
    "asd-nd-pathway": ("asd-support", 12),
    "break-time": ("break-time-parent", 7),
    "local-offer": ("local-offer", 10),
    "ehc-assessment": ("ehcp-annual-review", 5),
    "transitions": ("transition", 5),
    "partnership-board": ("board-quiz", 1),
}
EXTRA_INSTRUMENTS = {"break-time": "break-time-young-person", "ehc-assessment": "ehc-needs-assessment"}
# A few bad months, as real services have: (service, months before the latest, drop in share).
BAD_MONTHS = {("camhs", 4): 0.25, ("salt", 7): 0.2, ("asd-nd-pathway", 9): 0.2}

POSITIVE = [
    "The staff were kind and really listened to us.",
    "Very helpful appointment, we came away with a clear plan.",
    "Our therapist was brilliant with our son and explained everything.",
    "Friendly team, good advice, and the room was calm and quiet.",
    "Great session, my daughter enjoyed it and wants to go back.",
    "Clear information and a helpful follow-up call.",
]
NEGATIVE = [
    "We waited far too long and nobody told us what was happening.",
    "The appointment was rushed and we did not get answers.",
    "Hard to get through on the phone, very frustrating.",
    "The letter was confusing and the waiting room was too noisy for my child.",
    "Nobody explained what happens next, we felt lost.",
    "Long wait, poor communication, and the parking is terrible.",
]
MIXED = [
    "Nice staff but the wait for the first appointment was long.",
    "Some useful advice, though it would help to have it written down.",
]


@dataclass(frozen=True)
class DemoInstrument:
    id: int
    slug: str
    version: int
    respondent_type: str
    questions: tuple  # of surveys.definitions.Question


def dimensions(session):
    """Return (instruments by slug, {service: provider}, district slugs) for generation."""
    slugs = {slug for slug, _ in SERVICE_MIX.values()} | set(EXTRA_INSTRUMENTS.values())
    instruments = {}
    for slug in sorted(slugs):
        row = dao.latest_instrument(session, slug)
        instruments[slug] = DemoInstrument(
            row.id, slug, row.version, row.respondent_type, dao.definition_of(row).questions
        )
    return instruments, demo_dao.service_providers(session), demo_dao.district_slugs(session)


def months_back(latest, count):
    """Return the first days of ``count`` months ending with ``latest``'s month, oldest first."""
    months, month = [], latest.replace(day=1)
    for _ in range(count):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months[::-1]


def good_share(service, months_ago, progress):
    """Return the chance of a positive answer: improving through the year, with bad months."""
    base = 0.48 + 0.27 * progress + (0.05 if service in ("physiotherapy", "break-time") else 0)
    return max(0.05, min(0.95, base - BAD_MONTHS.get((service, months_ago), 0)))


def pick(rng, question, share):
    """Pick an option code for a question, given the chance of a positive answer."""
    codes = [o.code for o in question.options]
    if question.correct:
        wrong = [c for c in codes if c != question.correct]
        return question.correct if rng.random() < share else rng.choice(wrong)
    if rng.random() < 0.04 and "dont_know" in codes:
        return "dont_know"
    if codes[0] in ("very_good", "strongly_agree"):
        roll = rng.random()
        if roll < share:
            return codes[0] if rng.random() < 0.55 else codes[1]
        return rng.choices(codes[2:5], weights=[4, 3, 2])[0]
    if rng.random() < share:
        return "yes"
    return "partly" if "partly" in codes and rng.random() < 0.5 else "no"


def comment_for(rng, share):
    """Pick an invented comment, more often negative in a worse month."""
    roll = rng.random()
    if roll < share * 0.85:
        return rng.choice(POSITIVE)
    return rng.choice(MIXED) if roll < share else rng.choice(NEGATIVE)


def _submitted_at(rng, month):
    day = min(month + timedelta(days=rng.randrange(28)), clock.today())  # never in the future
    return datetime.combine(day, time(rng.randrange(8, 20), rng.randrange(60)), UTC)


def generate(rng, instruments, services, districts, months, count):
    """Yield (response row, {question: code}, comment or None) for ``count`` responses."""
    names = list(SERVICE_MIX)
    weights = [SERVICE_MIX[s][1] for s in names]
    month_weights = [1 + 0.06 * i for i in range(len(months))]  # feedback grows as it beds in
    for _ in range(count):
        service = rng.choices(names, weights)[0]
        slug = SERVICE_MIX[service][0]
        if service in EXTRA_INSTRUMENTS and rng.random() < 0.35:
            slug = EXTRA_INSTRUMENTS[service]
        instrument = instruments[slug]
        index = rng.choices(range(len(months)), month_weights)[0]
        share = good_share(service, len(months) - 1 - index, index / max(1, len(months) - 1))
        answers = {}
        for question in instrument.questions:
            if question.asked_if and answers.get(question.asked_if[0]) not in question.asked_if[1]:
                continue  # routed: asked only after the answer that leads to it
            if question.type == "choice" and (question.required or rng.random() < 0.85):
                answers[question.key] = pick(rng, question, share)
        text_keys = [q.key for q in instrument.questions if q.type == "text"]
        comment = (text_keys[0], comment_for(rng, share)) if text_keys and rng.random() < 0.25 else None
        channel = "form" if slug == "ehcp-annual-review" else rng.choices(["form", "kiosk"], [5, 1])[0]
        row = {
            "submission_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "instrument_id": instrument.id,
            "instrument_slug": slug,
            "instrument_version": instrument.version,
            "channel": channel,
            "invited": slug == "ehcp-annual-review" or (channel == "form" and rng.random() < 0.6),
            "easy_read": instrument.respondent_type == "young_person",
            "service_slug": service,
            "provider_slug": services[service],
            "district_slug": rng.choice(districts),
            "respondent_type": instrument.respondent_type,
            "month": months[index],
            "submitted_at": _submitted_at(rng, months[index]),
            "partial": False,
            "score": None,
        }
        scored = [q for q in instrument.questions if q.correct]
        if scored:
            row["score"] = round(100 * sum(answers.get(q.key) == q.correct for q in scored) / len(scored))
        yield row, answers, comment


def insert_batch(session, batch, polarity_cache):
    """Insert a batch of generated responses with their answers and comments."""
    ids = demo_dao.insert_responses(session, [row for row, _, _ in batch])
    answers, comments = [], []
    for response_id, (row, chosen, comment) in zip(ids, batch, strict=True):
        answers.extend({"response_id": response_id, "question_key": k, "value": v} for k, v in chosen.items())
        if comment:
            key, text = comment
            if text not in polarity_cache:
                polarity_cache[text] = polarity(text)
            comments.append(
                {
                    "response_id": response_id,
                    "question_key": key,
                    "text": text,
                    "polarity": polarity_cache[text],
                    "created_at": row["submitted_at"],
                }
            )
    demo_dao.insert_answers(session, answers)
    demo_dao.insert_comments(session, comments)


def insert_invitations(session, rng, months, annual_reviews):
    """Insert the annual review invitations, the response rate rising from 2% to 8%."""
    for index, month in enumerate(months):
        rate = 0.02 + 0.06 * index / max(1, len(months) - 1)
        rows = invitations_sent(rng, month, annual_reviews[month], rate)
        demo_dao.insert_invitations(session, rows)


def invitations_sent(rng, month, responses, rate):
    """Return invitation rows for a month: enough that ``responses`` is ``rate`` of them."""
    sent = max(responses, round(responses / rate)) if responses else 0
    expires = datetime.combine(month + timedelta(days=45), time(), UTC)
    created = datetime.combine(month, time(9), UTC)
    return [
        {
            "token_hash": secrets.token_hex(32),
            "instrument_slug": "ehcp-annual-review",
            "service_slug": "ehc-assessment",
            "district_slug": None,
            "appointment_date": month,
            "month": month,
            "created_at": created,
            "expires_at": expires,
            "used": i < responses,
        }
        for i in range(sent)
    ]


def manual_values(rng, plans, months):
    """Return (plan, ref, month, value) for every KPI entered by hand, month by month: a start
    near the plan's baseline (or its first target less a little) climbing towards its last
    target, with some noise, so the demo's scorecard shows every kind of KPI."""
    values = []
    for plan in plans:
        for kpi in plan.kpis:
            if kpi.surveyed:
                continue
            targets = [percent for _, percent in kpi.trajectory] or [60.0]
            start = kpi.baseline if kpi.baseline is not None else max(targets[0] - 15, 0)
            for index, month in enumerate(months):
                progress = index / max(len(months) - 1, 1)
                value = start + (targets[-1] - start) * progress + rng.uniform(-6, 6)
                values.append((plan.slug, kpi.ref, month, round(min(max(value, 0), 100), 1)))
    return values

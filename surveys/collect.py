"""Turn a validated survey form into a stored response: answers, comments and score."""

import uuid
from dataclasses import dataclass
from datetime import date

from analysis.sentiment import polarity
from feedback.clock import LONDON
from surveys import dao


@dataclass
class Submission:
    """Where a response came from: everything it is counted by, and nothing about the person."""

    instrument_id: int
    instrument_version: int
    service_slug: str
    provider_slug: str | None
    district_slug: str | None
    channel: str
    easy_read: bool = False
    invitation_id: int | None = None
    appointment_date: date | None = None
    pathway: str | None = None  # from a waiting-list letter's link: which letter, never who
    letter_number: int | None = None
    language: str = "en"  # the language the questions were read in; the codes are the same


@dataclass(frozen=True)
class NewComment:
    """A comment to store with a response: the question it answers, its text and polarity, and
    whether the chat flagged it as a risk and showed the help message."""

    question_key: str
    text: str
    polarity: float
    flagged: bool = False
    help_shown: bool = False


def month_counted(appointment_date, submitted_at):
    """Return the first day of the month a response counts in: the appointment's, if known."""
    day = appointment_date or submitted_at.astimezone(LONDON).date()
    return day.replace(day=1)


def quiz_score(definition, answers):
    """Return the percentage of scored questions answered correctly, or None if unscored."""
    scored = [q for q in definition.questions if q.correct]
    if not scored:
        return None
    right = sum(1 for q in scored if answers.get(q.key) == q.correct)
    return round(100 * right / len(scored))


def split_answers(definition, data):
    """Split form data into ({key: option code}, [(key, text)]), dropping blanks and answers to
    questions that were not asked (routing: see Question.asked_if)."""
    answers, comments = {}, []
    for question in definition.questions:
        value = data.get(question.key)
        if not value or not definition.is_asked(question.key, answers):
            continue
        if question.type == "text":
            comments.append((question.key, value))
        else:
            answers[question.key] = value
    return answers, comments


def valid_submission_id(value):
    """Return whether a submission id is a canonical UUID (as the form generates)."""
    try:
        return str(uuid.UUID(value)) == value
    except (TypeError, ValueError, AttributeError):
        return False


def store(session, definition, submission, submission_id, data, now):
    """Store one response; return 'stored', 'duplicate' or 'used' (invitation already spent)."""
    if submission.invitation_id is not None:
        # Only a new answer spends the link: a retry of one already stored is a duplicate.
        if dao.submission_exists(session, submission_id):
            return "duplicate"
        if not dao.claim_invitation(session, submission.invitation_id):
            return "used"
    answers, comments = split_answers(definition, data)
    comments = [NewComment(k, t, polarity(t)) for k, t in comments]
    return store_answers(session, definition, submission, submission_id, answers, comments, now)


def store_answers(session, definition, submission, submission_id, answers, comments, now, partial=False):
    """Store answers {key: code} and comments [NewComment] as one response; return
    'stored', or 'duplicate' if a response with this submission id is already stored."""
    columns = {
        "submission_id": submission_id,
        "instrument_id": submission.instrument_id,
        "instrument_slug": definition.slug,
        "instrument_version": submission.instrument_version,
        "channel": submission.channel,
        "invited": submission.invitation_id is not None,
        "easy_read": submission.easy_read,
        "service_slug": submission.service_slug,
        "provider_slug": submission.provider_slug,
        "district_slug": submission.district_slug,
        "respondent_type": definition.respondent_type,
        "month": month_counted(submission.appointment_date, now),
        "submitted_at": now,
        "score": quiz_score(definition, answers),
        "partial": partial,
        "pathway": submission.pathway,
        "letter_number": submission.letter_number,
        "language": submission.language,
    }
    stored = dao.insert_response(session, columns, answers, comments)
    return "duplicate" if stored is None else "stored"

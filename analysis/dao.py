"""Queries of the analysis package: plans, a month's counts for the snapshot, snapshots, comments."""

import json
from dataclasses import asdict
from datetime import date

from sqlalchemy import and_, delete, func, or_, text, update
from sqlmodel import select

from analysis import counting, definitions
from feedback.models import (
    ActionTaken,
    Answer,
    AnswerTally,
    Comment,
    District,
    Invitation,
    KpiManualValue,
    KpiRow,
    KpiSnapshot,
    MonthlyReport,
    MonthTally,
    PlanRow,
    Provider,
    Response,
    ResponseTally,
    Service,
)


def save_plans(session, plans):
    """Insert or replace every plan and its KPIs."""
    for position, plan in enumerate(plans):
        session.merge(
            PlanRow(
                slug=plan.slug,
                name=plan.name,
                start=plan.start,
                amber_margin=plan.amber_margin,
                position=position,
            )
        )
        session.flush()
        session.execute(delete(KpiRow).where(KpiRow.plan_slug == plan.slug))
        session.add_all(
            KpiRow(
                plan_slug=plan.slug,
                ref=kpi.ref,
                position=index,
                definition=json.dumps(asdict(kpi), default=str),
            )
            for index, kpi in enumerate(plan.kpis)
        )
    session.flush()


def _kpi_from_json(text):
    return definitions.kpi_from_dict(json.loads(text))


def plans(session):
    """Return every loaded plan with its KPIs, in file order."""
    result = []
    for row in session.exec(select(PlanRow).order_by(PlanRow.position)):
        kpis = session.exec(
            select(KpiRow.definition).where(KpiRow.plan_slug == row.slug).order_by(KpiRow.position)
        ).all()
        result.append(
            definitions.Plan(
                row.slug, row.name, row.start, row.amber_margin, tuple(_kpi_from_json(k) for k in kpis)
            )
        )
    return result


# PostgreSQL's planner defaults price a month's index look-ups above a scan of every answer, sort
# the groups on disk and compile the query (jit): 17 s for a month's GROUP BY on 10,000,000
# responses, against 1.9 s with these (bench/postgres.py). SET LOCAL: for this transaction only.
MONTH_COUNT_SETTINGS = (("random_page_cost", "1.1"), ("jit", "off"), ("work_mem", "128MB"))


def prepare_month_counts(session):
    """Ready the write transaction that counts a month's new answers, before its first query.

    On PostgreSQL: one snapshot for the whole transaction (REPEATABLE READ), so the responses
    marked counted are exactly those it counted, whatever commits meanwhile; the tallies locked,
    so two rebuilds take turns; and the planner settings the counts need. SQLite's write
    transaction (BEGIN IMMEDIATE) already has all three."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        session.execute(text("LOCK TABLE answer_tally IN SHARE ROW EXCLUSIVE MODE"))
        for name, value in MONTH_COUNT_SETTINGS:
            session.execute(text(f"SET LOCAL {name} = '{value}'"))


# Written as the partial index ix_response_uncounted is, so both databases use that index.
_UNCOUNTED = text("NOT response.counted")
_RESPONSE_PLACE = (Response.service_slug, Response.provider_slug, Response.district_slug)
_ANSWER_PLACE = (*_RESPONSE_PLACE, Response.letter_number)


def uncounted_batch(month, size, after=0):
    """The ids of the month's first ``size`` responses not counted yet with an id above
    ``after``, in order (by the partial index; ``after`` skips the ones a rebuild has just
    marked, which PostgreSQL's index still lists until a vacuum)."""
    query = select(Response.id).where(Response.month == month, _UNCOUNTED, Response.id > after)
    return query.order_by(Response.id).limit(size)


def batch_end(session, batch):
    """Return the highest id in a batch (``uncounted_batch``), or None if it is empty."""
    return session.execute(select(func.max(batch.subquery().c.id))).scalar()


def new_answers_query(batch):
    """The GROUP BY of the answers of a batch of responses (``uncounted_batch``)."""
    group = (Response.instrument_slug, Answer.question_key, Answer.value, *_ANSWER_PLACE)
    return (
        select(*group, func.count())
        .select_from(Response)
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.id.in_(batch))
        .group_by(*group)
    )


def new_responses_query(batch):
    """The GROUP BY of a batch of responses (``uncounted_batch``) that are scored or invited."""
    group = (Response.instrument_slug, Response.score, Response.invited, *_RESPONSE_PLACE)
    return (
        select(*group, func.count())
        .where(Response.id.in_(batch))
        .where(or_(Response.score.is_not(None), Response.invited.is_(True)))
        .group_by(*group)
    )


def new_answer_counts(session, batch):
    """Return the answers of a batch of responses as AnswerCounts: one GROUP BY by question,
    value and place."""
    return [counting.AnswerCount(*row) for row in session.execute(new_answers_query(batch))]


def new_response_counts(session, batch):
    """Return a batch of responses that are scored or invited, as ResponseCounts grouped by
    place."""
    return [counting.ResponseCount(*row) for row in session.execute(new_responses_query(batch))]


def mark_counted(session, batch):
    """Mark a batch of responses counted; return how many."""
    statement = update(Response).where(Response.id.in_(batch)).values(counted=True)
    return session.execute(statement).rowcount


def forget_counts(session, month):
    """Empty the month's tallies and mark all its responses not counted (the next rebuild
    counts them all)."""
    session.execute(update(Response).where(Response.month == month).values(counted=False))
    for model in (AnswerTally, ResponseTally, MonthTally):
        session.execute(delete(model).where(model.month == month))


def responses_marked(session, month):
    """Return how many of the month's responses are marked counted. Fewer than its tallies hold
    means some were deleted, or their flags reset, outside the rebuild: the month must be
    counted afresh. Two counts on indexes, no join."""
    in_month = session.execute(select(func.count()).where(Response.month == month)).scalar_one()
    uncounted = session.execute(select(func.count()).where(Response.month == month, _UNCOUNTED)).scalar_one()
    return in_month - uncounted


def responses_held(session, month):
    """Return how many responses the month's tallies hold."""
    return session.execute(select(MonthTally.responses).where(MonthTally.month == month)).scalar() or 0


def replace_month_tally(session, month, responses):
    """Record how many of the month's responses its tallies now hold."""
    session.execute(delete(MonthTally).where(MonthTally.month == month))
    session.add(MonthTally(month=month, responses=responses))


_ANSWER_TALLY = (
    AnswerTally.instrument_slug,
    AnswerTally.question_key,
    AnswerTally.value,
    AnswerTally.service_slug,
    AnswerTally.provider_slug,
    AnswerTally.district_slug,
    AnswerTally.letter_number,
    AnswerTally.count,
)
_RESPONSE_TALLY = (
    ResponseTally.instrument_slug,
    ResponseTally.score,
    ResponseTally.invited,
    ResponseTally.service_slug,
    ResponseTally.provider_slug,
    ResponseTally.district_slug,
    ResponseTally.count,
)


def tallies(session, month):
    """Return the month's counted answers and responses as ([AnswerCount], [ResponseCount])."""
    answers = session.execute(select(*_ANSWER_TALLY).where(AnswerTally.month == month))
    responses = session.execute(select(*_RESPONSE_TALLY).where(ResponseTally.month == month))
    return (
        [counting.AnswerCount(*row) for row in answers],
        [counting.ResponseCount(*row) for row in responses],
    )


def replace_tallies(session, month, answers, responses):
    """Replace the month's tallies with ``answers`` (AnswerCounts) and ``responses``
    (ResponseCounts), in the caller's transaction."""
    for model, rows, columns in (
        (AnswerTally, answers, _ANSWER_TALLY),
        (ResponseTally, responses, _RESPONSE_TALLY),
    ):
        session.execute(delete(model).where(model.month == month))
        if rows:
            names = [column.key for column in columns]
            session.execute(
                model.__table__.insert(),
                [{"month": month, **dict(zip(names, row, strict=True))} for row in rows],
            )


def invitation_counts(session, month):
    """Return the month's invitations that count as InvitationCounts, grouped by place.

    Links sent by text message or email count once Notify says they were delivered (a link
    handed over on a card or in a CSV has no delivery status and counts as given).
    """
    place = (Invitation.service_slug, Service.provider_slug, Invitation.district_slug)
    query = (
        select(Invitation.instrument_slug, *place, func.count())
        .join(Service, Service.slug == Invitation.service_slug)
        .where(
            Invitation.month == month,
            or_(Invitation.delivery.is_(None), Invitation.delivery == "delivered"),
        )
        .group_by(Invitation.instrument_slug, *place)
    )
    return [counting.InvitationCount(*row) for row in session.execute(query)]


def replace_snapshots(session, month, rows, computed_at):
    """Replace a month's snapshots with ``rows`` (SnapshotCounts), in the caller's transaction."""
    session.execute(delete(KpiSnapshot).where(KpiSnapshot.month == month))
    if rows:
        session.execute(
            KpiSnapshot.__table__.insert(),
            [
                {
                    "plan_slug": row.plan,
                    "ref": row.ref,
                    "month": month,
                    "scope_type": row.scope_type,
                    "scope_key": row.scope_key,
                    "numerator": row.numerator,
                    "denominator": row.denominator,
                    "base": row.base,
                    "computed_at": computed_at,
                }
                for row in rows
            ],
        )
    return len(rows)


def snapshot_counts(session, months, scope="all"):
    """Return {(plan, ref, month, scope key): (numerator, denominator)} for the months, with the
    baseline as a third item for reductions."""
    query = select(KpiSnapshot).where(KpiSnapshot.month.in_(months), KpiSnapshot.scope_type == scope)
    return {
        (s.plan_slug, s.ref, s.month, s.scope_key): (s.numerator, s.denominator)
        if s.base is None
        else (s.numerator, s.denominator, s.base)
        for s in session.exec(query)
    }


def computed_times(session, months):
    """Return {month: when its snapshots were last worked out} for the months that have them."""
    query = (
        select(KpiSnapshot.month, func.max(KpiSnapshot.computed_at))
        .where(KpiSnapshot.month.in_(months))
        .group_by(KpiSnapshot.month)
    )
    return dict(session.execute(query).all())


def has_snapshots(session, month):
    """Return whether the month has been aggregated."""
    return session.exec(select(KpiSnapshot.id).where(KpiSnapshot.month == month).limit(1)).first() is not None


def months_with_responses(session):
    """Return the months that hold any response, newest first."""
    return list(session.exec(select(Response.month).distinct().order_by(Response.month.desc())))


def months_with_figures(session):
    """Return the months that have KPI snapshots, newest first (cheap: snapshots are few)."""
    return list(session.exec(select(KpiSnapshot.month).distinct().order_by(KpiSnapshot.month.desc())))


def manual_values(session, months):
    """Return {(plan, ref, month): KpiManualValue} for the months."""
    query = select(KpiManualValue).where(KpiManualValue.month.in_(months))
    return {(v.plan_slug, v.ref, v.month): v for v in session.exec(query)}


def save_manual_value(session, plan_slug, ref, month, value, entered_by, note=None):
    """Store (or replace) a hand-entered monthly value."""
    session.execute(
        delete(KpiManualValue).where(
            KpiManualValue.plan_slug == plan_slug, KpiManualValue.ref == ref, KpiManualValue.month == month
        )
    )
    session.add(
        KpiManualValue(
            plan_slug=plan_slug, ref=ref, month=month, value=value, entered_by=entered_by, note=note
        )
    )


def comments(session, service=None, month=None, search=None, limit=200, services=None):
    """Return (comment, response) pairs, newest first, filtered by service, month and words
    (and, if ``services`` is given, only from those services)."""
    query = select(Comment, Response).join(Response, Comment.response_id == Response.id)
    if services is not None:
        query = query.where(Response.service_slug.in_(sorted(services)))
    if service:
        query = query.where(Response.service_slug == service)
    if month:
        query = query.where(Response.month == month)
    if search:
        words = [w for w in search.split() if w][:5]
        query = query.where(or_(*(Comment.text.ilike(f"%{_escape_like(w)}%", escape="\\") for w in words)))
    # Comments flagged for safeguarding come first, then the newest.
    order = (Comment.flagged.desc(), Comment.created_at.desc(), Comment.id.desc())
    return list(session.exec(query.order_by(*order).limit(limit)))


def _escape_like(word):
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fft_return(session, month, questions):
    """Return ([(service, answer, channel, count)], {service: invitations}) for the month's FFT
    return: answers to the FFT question only (``questions``: {instrument: question key})."""
    which = or_(
        *(
            and_(Response.instrument_slug == slug, Answer.question_key == key)
            for slug, key in sorted(questions.items())
        )
    )
    counts = session.execute(
        select(Response.service_slug, Answer.value, Response.channel, func.count())
        .select_from(Answer)
        .join(Response, Answer.response_id == Response.id)
        .where(Response.month == month, which)
        .group_by(Response.service_slug, Answer.value, Response.channel)
    ).all()
    eligible = session.execute(
        select(Invitation.service_slug, func.count())
        .where(Invitation.month == month, Invitation.instrument_slug.in_(sorted(questions)))
        .group_by(Invitation.service_slug)
    ).all()
    return [tuple(row) for row in counts], dict(eligible)


def save_report(session, month, html):
    """Store (or replace) the board report for a month."""
    session.execute(delete(MonthlyReport).where(MonthlyReport.month == month))
    session.add(MonthlyReport(month=month, html=html))


def report(session, month: date):
    """Return the stored board report for a month, or None."""
    return session.get(MonthlyReport, month)


def reports(session):
    """Return the months that have a board report, newest first."""
    return list(session.exec(select(MonthlyReport.month).order_by(MonthlyReport.month.desc())))


def services(session):
    """Return every service, by name."""
    return list(session.exec(select(Service).order_by(Service.name)))


def scope_names(session):
    """Return {"service:slug": name, "provider:slug": name, "district:slug": name} (a letter's
    scope, "letter:2", is named by its number)."""
    names = {}
    for model, scope in ((Service, "service"), (Provider, "provider"), (District, "district")):
        names.update({f"{scope}:{row.slug}": row.name for row in session.exec(select(model))})
    return names


def delete_actions_recorded_by(session, recorded_by):
    """Delete every action taken that this person recorded (the demo replaces its own)."""
    session.execute(delete(ActionTaken).where(ActionTaken.recorded_by == recorded_by))

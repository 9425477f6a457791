"""Queries for KPIs: loading definitions, aggregating answers in SQL, reading snapshots."""

import json
from dataclasses import asdict
from datetime import date

from sqlalchemy import and_, delete, func, insert, literal, or_
from sqlmodel import select

from analysis import definitions
from feedback import clock
from feedback.models import (
    Answer,
    Comment,
    District,
    Invitation,
    KpiManualValue,
    KpiRow,
    KpiSnapshot,
    MonthlyReport,
    PlanRow,
    Provider,
    Response,
    Service,
)

SCOPES = ("all", "service", "provider", "district", "letter")


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


def _scope_column(scope, model=Response):
    return None if scope == "all" else getattr(model, f"{scope}_slug")


def _letter_key(number):
    """Return the scope key of a waiting-list letter's number (answers from its short link)."""
    return None if number is None else str(number)


def _grouped(session, query, key):
    """Run an aggregate grouped by ``key`` (or over everything when key is None)."""
    if key is None:  # PostgreSQL refuses GROUP BY on a constant, so "all" has no GROUP BY
        query = query.add_columns(literal("all").label("scope_key"))
    else:
        query = query.add_columns(key.label("scope_key")).group_by(key)
    return {
        row.scope_key: row for row in session.execute(query) if row.scope_key is not None and row.denominator
    }


def _scope_key(scope, service, provider, district, letter=None):
    return {
        "all": "all",
        "service": service,
        "provider": provider,
        "district": district,
        "letter": _letter_key(letter),
    }[scope]


def _month_answers(session, month):
    """Return {(instrument, question): [(value, service, provider, district, letter, count), ...]}
    for a month, from one GROUP BY over its answers that every share KPI and scope then reads."""
    cache = session.info.setdefault("month_answers", {})
    if month not in cache:
        cache.update(_answers_by_month(session, [month]))
    return cache[month]


def _answers_by_month(session, months):
    """One GROUP BY over the months' answers: {month: {(instrument, question): [counts]}}."""
    query = (
        select(
            Response.month,
            Response.instrument_slug,
            Answer.question_key,
            Answer.value,
            Response.service_slug,
            Response.provider_slug,
            Response.district_slug,
            Response.letter_number,
            func.count(),
        )
        .select_from(Answer)
        .join(Response, Answer.response_id == Response.id)
        .where(Response.month.in_(months))
        .group_by(
            Response.month,
            Response.instrument_slug,
            Answer.question_key,
            Answer.value,
            Response.service_slug,
            Response.provider_slug,
            Response.district_slug,
            Response.letter_number,
        )
    )
    grouped = {month: {} for month in months}
    for month, instrument, question, *rest in session.execute(query):
        grouped[month].setdefault((instrument, question), []).append(tuple(rest))
    return grouped


def rebuild_inputs(session, months):
    """Read, once, what rebuilding several months needs: every month's answer counts in one
    GROUP BY, and the waiting list's schedules (for ``session.info`` of each month's rebuild)."""
    inputs = {"waitlist": _waitlist_families(session)}
    if len(months) > 1:
        inputs["month_answers"] = _answers_by_month(session, list(months))
    return inputs


def _add(result, key, numerator, denominator):
    if key is not None and denominator:
        n, d = result.get(key, (0, 0))
        result[key] = (n + numerator, d + denominator)


def share_counts(session, kpi, month, scope):
    """Return {scope key: (positive answers, all answers)} for a share KPI in a month."""
    result = {}
    for value, service, provider, district, letter, n in _month_answers(session, month).get(
        (kpi.instrument, kpi.question), []
    ):
        if (kpi.providers and provider not in kpi.providers) or (
            kpi.services and service not in kpi.services
        ):
            continue
        if kpi.dont_know == "excluded" and value == "dont_know":
            continue
        _add(
            result,
            _scope_key(scope, service, provider, district, letter),
            n if value in kpi.positive else 0,
            n,
        )
    return result


def _month_scores(session, month):
    """Return {instrument: [(score, service, provider, district, count), ...]} for a month."""
    cache = session.info.setdefault("month_scores", {})
    if month not in cache:
        query = (
            select(
                Response.instrument_slug,
                Response.score,
                Response.service_slug,
                Response.provider_slug,
                Response.district_slug,
                func.count(),
            )
            .where(Response.month == month, Response.score.is_not(None))
            .group_by(
                Response.instrument_slug,
                Response.score,
                Response.service_slug,
                Response.provider_slug,
                Response.district_slug,
            )
        )
        grouped = {}
        for instrument, *rest in session.execute(query):
            grouped.setdefault(instrument, []).append(tuple(rest))
        cache[month] = grouped
    return cache[month]


def quiz_counts(session, kpi, month, scope):
    """Return {scope key: (respondents at or above the threshold, respondents)}."""
    result = {}
    if scope == "letter":  # letters link only to the waiting-list survey, which has no quiz
        return result
    for score, service, provider, district, n in _month_scores(session, month).get(kpi.instrument, []):
        _add(result, _scope_key(scope, service, provider, district), n if score >= kpi.threshold else 0, n)
    return result


def response_rate_counts(session, kpi, month, scope):
    """Return {scope key: (responses to invitations, invitations)} for the month."""
    if scope == "letter":  # an answer from a letter's link is not an invitation's
        return {}
    answered = _grouped(
        session,
        select(func.count().label("denominator")).where(
            Response.month == month, Response.instrument_slug == kpi.instrument, Response.invited.is_(True)
        ),
        _scope_column(scope),
    )
    # Links sent by text message or email count once Notify says they were delivered (a link
    # handed over on a card or in a CSV has no delivery status and counts as given).
    invited = (
        select(func.count().label("denominator"))
        .select_from(Invitation)
        .where(
            Invitation.month == month,
            Invitation.instrument_slug == kpi.instrument,
            or_(Invitation.delivery.is_(None), Invitation.delivery == "delivered"),
        )
    )
    if scope == "provider":
        invited = invited.join(Service, Service.slug == Invitation.service_slug)
        sent = _grouped(session, invited, Service.provider_slug)
    else:
        sent = _grouped(session, invited, _scope_column(scope, Invitation))
    return {
        k: (answered[k].denominator if k in answered else 0, sent[k].denominator if k in sent else 0)
        for k in set(answered) | set(sent)
    }


def waitlist_counts(session, kpi, month, scope):
    """Return {scope key: (numerator, denominator)} for a waiting-list KPI (all or by district)."""
    if scope not in ("all", "district"):
        return {}
    from feedback.waitlist import kpis as waitlist_kpis

    families = _waitlist_families(session)
    cache = session.info.setdefault("waitlist_counts", {})
    source = (kpi.metric, kpi.pathways, kpi.weeks, kpi.baseline_period, month)
    if source not in cache:
        # One pass over the families gives the figure for the whole area and for each district.
        chosen = [f for f in families if not kpi.pathways or f.entry.pathway in kpi.pathways]
        if kpi.is_reduction:
            cache[source] = waitlist_kpis.wait_reduction_by_district(
                chosen, month, clock.today(), kpi.baseline_period
            )
        else:
            cache[source] = waitlist_kpis.counts_by_district(
                kpi.metric, chosen, month, clock.today(), kpi.weeks
            )
    return {key: counts for key, counts in cache[source].items() if (key == "all") == (scope == "all")}


def _waitlist_families(session):
    """Load every family's schedule and letters once per rebuild, not once per KPI, scope and month."""
    if "waitlist" not in session.info:
        from feedback.waitlist import dao as waitlist_dao
        from feedback.waitlist import kpis as waitlist_kpis
        from feedback.waitlist import tracker

        letters = waitlist_dao.sent_letters(session, None)
        session.info["waitlist"] = waitlist_kpis.prepare(
            waitlist_dao.all_entries(session), letters, tracker.policy()
        )
    return session.info["waitlist"]


COUNTERS = {
    "share": share_counts,
    "quiz_threshold": quiz_counts,
    "response_rate": response_rate_counts,
    "waitlist": waitlist_counts,
}


def rebuild_month(session, plan_list, month, now):
    """Replace a month's snapshots with fresh counts, in the caller's transaction."""
    session.execute(delete(KpiSnapshot).where(KpiSnapshot.month == month))
    rows, cache = [], {}
    for plan in plan_list:
        for kpi in plan.kpis:
            if not kpi.surveyed:
                continue
            source = (
                kpi.measure,
                kpi.instrument,
                kpi.question,
                kpi.positive,
                kpi.providers,
                kpi.services,
                kpi.dont_know,
                kpi.threshold,
                kpi.metric,
                kpi.pathways,
                kpi.weeks,
                kpi.baseline_period,
            )
            for scope in SCOPES:
                if (source, scope) not in cache:
                    cache[(source, scope)] = COUNTERS[kpi.measure](session, kpi, month, scope)
                rows.extend(
                    {
                        "plan_slug": plan.slug,
                        "ref": kpi.ref,
                        "month": month,
                        "scope_type": scope,
                        "scope_key": key,
                        "numerator": n,
                        "denominator": d,
                        "base": base[0] if base else None,
                        "computed_at": now,
                    }
                    for key, (n, d, *base) in cache[(source, scope)].items()
                )
    if rows:
        session.execute(insert(KpiSnapshot), rows)
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

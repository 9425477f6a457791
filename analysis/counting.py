"""Counting: a month's KPI counts (numerator, denominator) for every scope, from grouped rows.

Pure code: plain values in, plain values out; no Flask, no database. The job hands in what
the data-access layer read for the month (answers, responses and invitations, each already
counted by SQL in small groups) and the waiting list's figures (worked out by the waiting
list's own KPI functions); ``month_snapshot`` returns the rows to store as the month's
snapshot. The rules here are the KPI definitions' (analysis/kpis/*.toml):

- share: answers to a question that are positive / all answers to it (``dont_know`` counted
  in the total or left out; only the providers or services the KPI names);
- quiz_threshold: respondents scoring at or above the threshold / scored respondents;
- response_rate: responses to invitations / invitations (handed over, or delivered);
- waitlist: the waiting list's own counts, for the whole area and by district.
"""

from collections.abc import Iterable, Mapping
from typing import NamedTuple, TypeVar

from analysis.definitions import Kpi, Plan

SCOPES = ("all", "service", "provider", "district", "letter")

Counts = tuple[int, int] | tuple[int, int, float]  # (numerator, denominator[, baseline])
ScopeCounts = dict[str, dict[str, Counts]]  # {scope type: {scope key: counts}}
WaitlistSource = tuple  # what a waiting-list figure depends on (see ``waitlist_source``)


class AnswerCount(NamedTuple):
    """How many answers a question had with one value, in one place (service, district ...)."""

    instrument: str
    question: str
    value: str
    service: str
    provider: str | None
    district: str | None
    letter: int | None  # the waiting-list letter whose short link the answer came from
    count: int


class ResponseCount(NamedTuple):
    """How many responses had one score (None if not scored) and invitation flag, in one place."""

    instrument: str
    score: int | None
    invited: bool
    service: str
    provider: str | None
    district: str | None
    count: int


class InvitationCount(NamedTuple):
    """How many invitations that count (handed over, or delivered) went out for one place."""

    instrument: str
    service: str
    provider: str | None
    district: str | None
    count: int


Grouped = TypeVar("Grouped", AnswerCount, ResponseCount)


class SnapshotCount(NamedTuple):
    """One row of a month's snapshot: a KPI's counts for one scope."""

    plan: str
    ref: str
    scope_type: str
    scope_key: str
    numerator: int
    denominator: int
    base: float | None = None  # reductions: the baseline the numerator is compared with


class MonthCounts(NamedTuple):
    """Everything one month's snapshot is counted from."""

    answers: list[AnswerCount]
    responses: list[ResponseCount]
    invitations: list[InvitationCount]
    # {waitlist_source(kpi): {"all" or district: counts}}, handed in by the job
    waitlist: Mapping[WaitlistSource, Mapping[str, Counts]]


def added(stored: Iterable[Grouped], new: Iterable[Grouped]) -> list[Grouped]:
    """Return grouped counts with new ones added: rows of the same group (all but the count
    alike) become one row whose count is their sum. The month's tallies plus what the rebuild
    counted since are the month's counts, as one GROUP BY over all its answers would give."""
    totals: dict[tuple, int] = {}
    kinds: dict[tuple, type] = {}
    for row in (*stored, *new):
        group = row[:-1]
        totals[group] = totals.get(group, 0) + row.count
        kinds[group] = type(row)
    return [kinds[group](*group, count) for group, count in totals.items()]


def scope_keys(
    service: str | None, provider: str | None, district: str | None, letter: int | None = None
) -> tuple[str | None, ...]:
    """Return the key a group counts under in each of SCOPES, in order (None: not counted there)."""
    return ("all", service, provider, district, None if letter is None else str(letter))


def _empty() -> ScopeCounts:
    return {scope: {} for scope in SCOPES}


def _add(result: ScopeCounts, keys: tuple, numerator: int, denominator: int) -> None:
    for scope, key in zip(SCOPES, keys, strict=True):
        if key is not None:
            n, d = result[scope].get(key, (0, 0))
            result[scope][key] = (n + numerator, d + denominator)


def share_counts(kpi: Kpi, answers: Iterable[AnswerCount]) -> ScopeCounts:
    """Return {scope: {key: (positive answers, all answers)}} for a share KPI.

    ``answers`` are the month's counts for the KPI's question (others are passed over).
    """
    result = _empty()
    for a in answers:
        if (a.instrument, a.question) != (kpi.instrument, kpi.question):
            continue
        if (kpi.providers and a.provider not in kpi.providers) or (
            kpi.services and a.service not in kpi.services
        ):
            continue
        if kpi.dont_know == "excluded" and a.value == "dont_know":
            continue
        positive = a.count if a.value in kpi.positive else 0
        _add(result, scope_keys(a.service, a.provider, a.district, a.letter), positive, a.count)
    return result


def quiz_counts(kpi: Kpi, responses: Iterable[ResponseCount]) -> ScopeCounts:
    """Return {scope: {key: (respondents at or above the threshold, scored respondents)}}.

    Letters link only to the waiting-list survey, which has no quiz: no letter scope.
    """
    result = _empty()
    for r in responses:
        if r.instrument == kpi.instrument and r.score is not None:
            passed = r.count if r.score >= kpi.threshold else 0
            _add(result, scope_keys(r.service, r.provider, r.district), passed, r.count)
    return result


def response_rate_counts(
    kpi: Kpi, responses: Iterable[ResponseCount], invitations: Iterable[InvitationCount]
) -> ScopeCounts:
    """Return {scope: {key: (responses to invitations, invitations)}}.

    An answer from a letter's link is not an invitation's: no letter scope.
    """
    result = _empty()
    for r in responses:
        if r.instrument == kpi.instrument and r.invited:
            _add(result, scope_keys(r.service, r.provider, r.district), r.count, 0)
    for i in invitations:
        if i.instrument == kpi.instrument:
            _add(result, scope_keys(i.service, i.provider, i.district), 0, i.count)
    return result


def waitlist_source(kpi: Kpi) -> WaitlistSource:
    """Return what a waiting-list KPI's figures depend on (KPIs that share it share figures)."""
    return (kpi.metric, kpi.pathways, kpi.weeks, kpi.baseline_period)


def waitlist_counts(kpi: Kpi, figures: Mapping[WaitlistSource, Mapping[str, Counts]]) -> ScopeCounts:
    """Return the waiting list's figures for the KPI: the whole area ("all") and by district."""
    result = _empty()
    for key, counts in figures.get(waitlist_source(kpi), {}).items():
        result["all" if key == "all" else "district"][key] = counts
    return result


def _source(kpi: Kpi) -> tuple:
    """Return what a KPI's counts depend on: KPIs in two plans that count alike share them."""
    return (
        kpi.measure,
        kpi.instrument,
        kpi.question,
        kpi.positive,
        kpi.providers,
        kpi.services,
        kpi.dont_know,
        kpi.threshold,
        waitlist_source(kpi),
    )


def kpi_counts(kpi: Kpi, month: MonthCounts) -> ScopeCounts:
    """Return {scope: {key: counts}} for one KPI worked out from answers or the waiting list."""
    if kpi.measure == "share":
        return share_counts(kpi, month.answers)
    if kpi.measure == "quiz_threshold":
        return quiz_counts(kpi, month.responses)
    if kpi.measure == "response_rate":
        return response_rate_counts(kpi, month.responses, month.invitations)
    if kpi.measure == "waitlist":
        return waitlist_counts(kpi, month.waitlist)
    raise ValueError(f"{kpi.ref}: {kpi.measure!r} is not counted from answers")


def _by_question(answers: Iterable[AnswerCount]) -> dict[tuple[str, str], list[AnswerCount]]:
    grouped: dict[tuple[str, str], list[AnswerCount]] = {}
    for a in answers:
        grouped.setdefault((a.instrument, a.question), []).append(a)
    return grouped


def month_snapshot(plans: Iterable[Plan], month: MonthCounts) -> list[SnapshotCount]:
    """Return the snapshot rows of a month: every surveyed KPI of every plan, in every scope."""
    answers = _by_question(month.answers)
    worked_out: dict[tuple, ScopeCounts] = {}
    rows = []
    for plan in plans:
        for kpi in plan.kpis:
            if not kpi.surveyed:
                continue
            source = _source(kpi)
            if source not in worked_out:
                # Each share KPI reads only its own question's rows.
                own = month._replace(answers=answers.get((kpi.instrument, kpi.question), []))
                worked_out[source] = kpi_counts(kpi, own)
            rows.extend(
                SnapshotCount(plan.slug, kpi.ref, scope, key, n, d, base[0] if base else None)
                for scope, counts in worked_out[source].items()
                for key, (n, d, *base) in counts.items()
            )
    return rows

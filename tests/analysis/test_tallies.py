"""The rebuild counts only what is new: each month's answers are grouped once into tallies and
added to as answers come, and the snapshots are exactly those one GROUP BY over every answer of
the month gives, through late answers, months rebuilt again and again, rebuilds running while
answers arrive, and the demo clearing its year."""

import random
import threading
import time
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from analysis import counting, dao, jobs
from feedback import clock, demo_dao
from feedback.db import reading, transaction
from feedback.models import Answer, KpiSnapshot, Response
from tests.conftest import create_invitation, create_response

SEPTEMBER, OCTOBER, NOVEMBER = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)
MONTHS = [SEPTEMBER, OCTOBER, NOVEMBER]
SERVICES = ["camhs", "salt", "break-time", "ehc-assessment"]
DISTRICTS = ["preston", "burnley", None]


def answer(rng, month=None):
    """Store one invented response: a parent's view of a service, or the board's quiz."""
    month = month or rng.choice(MONTHS)
    if rng.random() < 0.1:
        return create_response(
            "board-quiz", {}, month=month, service="partnership-board", score=rng.randrange(101)
        )
    values = ("very_good", "good", "neither", "poor", "dont_know")
    answers = {"overall": rng.choice(values)}
    if rng.random() < 0.7:
        answers["right_support"] = rng.choice(("yes", "partly", "no"))
    return create_response(
        answers=answers,
        month=month,
        service=rng.choice(SERVICES),
        district=rng.choice(DISTRICTS),
        invited=rng.random() < 0.3,
        letter_number=rng.choice((None, None, 1, 2)),
    )


def every_answer_counted(month):
    """The month's grouped answers and responses, as one GROUP BY over all of them gives."""
    place = (Response.service_slug, Response.provider_slug, Response.district_slug)
    with reading() as session:
        answers = session.execute(
            select(
                Response.instrument_slug, Answer.question_key, Answer.value, *place, Response.letter_number
            )
            .add_columns(func.count())
            .join(Answer, Answer.response_id == Response.id)
            .where(Response.month == month)
            .group_by(
                Response.instrument_slug, Answer.question_key, Answer.value, *place, Response.letter_number
            )
        ).all()
        responses = session.execute(
            select(Response.instrument_slug, Response.score, Response.invited, *place, func.count())
            .where(Response.month == month)
            .where((Response.score.is_not(None)) | (Response.invited.is_(True)))
            .group_by(Response.instrument_slug, Response.score, Response.invited, *place)
        ).all()
    return [counting.AnswerCount(*row) for row in answers], [
        counting.ResponseCount(*row) for row in responses
    ]


def grouped(rows):
    return Counter({row[:-1]: row.count for row in rows})


def stored_tallies(month):
    with reading() as session:
        answers, responses = dao.tallies(session, month)
    return grouped(answers), grouped(responses)


def snapshot(month):
    with reading() as session:
        return {
            (s.plan_slug, s.ref, s.scope_type, s.scope_key): (s.numerator, s.denominator)
            for s in session.exec(select(KpiSnapshot).where(KpiSnapshot.month == month))
        }


def snapshot_from_every_answer(month):
    """The month's snapshot worked out from one GROUP BY over every answer (no tallies)."""
    answers, responses = every_answer_counted(month)
    with reading() as session:
        plans = dao.plans(session)
        invitations = dao.invitation_counts(session, month)
    waitlist = jobs.waitlist_figures(plans, [], month, clock.today())
    rows = counting.month_snapshot(plans, counting.MonthCounts(answers, responses, invitations, waitlist))
    return {(r.plan, r.ref, r.scope_type, r.scope_key): (r.numerator, r.denominator) for r in rows}


def assert_as_if_counted_afresh(month):
    answers, responses = every_answer_counted(month)
    assert stored_tallies(month) == (grouped(answers), grouped(responses))
    expected = snapshot_from_every_answer(month)
    assert snapshot(month) == expected
    return expected


def uncounted(month):
    with reading() as session:
        query = select(func.count()).where(Response.month == month, Response.counted.is_(False))
        return session.execute(query.select_from(Response)).scalar_one()


def test_added_sums_the_counts_of_the_same_group_and_keeps_the_others():
    a = counting.AnswerCount("s", "overall", "good", "camhs", "lscft", "preston", None, 3)
    b = counting.AnswerCount("s", "overall", "poor", "camhs", "lscft", "preston", None, 1)
    assert counting.added([a, b], [a._replace(count=2)]) == [a._replace(count=5), b]
    assert counting.added([], [b]) == [b]
    assert counting.added([a], []) == [a]
    r = counting.ResponseCount("board-quiz", None, True, "camhs", None, None, 4)
    assert counting.added([r], [r]) == [r._replace(count=8)]


def test_the_first_rebuild_counts_every_answer_and_marks_them_counted(app):
    rng = random.Random(1)
    for _ in range(60):
        answer(rng, OCTOBER)
    assert uncounted(OCTOBER) == 60
    jobs.rebuild([OCTOBER])
    assert uncounted(OCTOBER) == 0
    assert assert_as_if_counted_afresh(OCTOBER)[("app-2020", "APP 1b", "all", "all")][1] > 0


def test_answers_arriving_between_rebuilds_in_any_month_agree_with_counting_afresh(app):
    rng = random.Random(7)
    for round_ in range(6):
        for _ in range(rng.randrange(0, 25)):
            answer(rng)  # late answers too: a response counts in its appointment's month
        create_invitation(instrument_slug="ehcp-annual-review", service_slug="ehc-assessment", month=OCTOBER)
        months = MONTHS if round_ % 2 else [rng.choice(MONTHS)]
        jobs.rebuild(months)
        for month in months:
            assert uncounted(month) == 0
            assert_as_if_counted_afresh(month)


def test_a_rebuild_with_nothing_new_gives_the_same_snapshot(app):
    rng = random.Random(3)
    for _ in range(30):
        answer(rng, OCTOBER)
    jobs.rebuild([OCTOBER])
    before = snapshot(OCTOBER), stored_tallies(OCTOBER)
    jobs.rebuild([OCTOBER])
    assert (snapshot(OCTOBER), stored_tallies(OCTOBER)) == before


def test_the_demo_clearing_its_year_clears_the_tallies(app):
    rng = random.Random(4)
    for _ in range(20):
        answer(rng, OCTOBER)
    jobs.rebuild([OCTOBER])
    with transaction() as session:
        demo_dao.delete_responses_and_invitations(session)
    assert stored_tallies(OCTOBER) == (Counter(), Counter())
    answer(rng, OCTOBER)
    jobs.rebuild([OCTOBER])
    assert_as_if_counted_afresh(OCTOBER)


def test_responses_deleted_outside_the_app_make_the_month_counted_afresh(app):
    rng = random.Random(8)
    for _ in range(40):
        answer(rng, OCTOBER)
    jobs.rebuild([OCTOBER])
    before = snapshot(OCTOBER)[("app-2020", "APP 1b", "all", "all")][1]
    with transaction() as session:  # as a person loading their own data with SQL might
        gone = select(Response.id).where(Response.month == OCTOBER).limit(15)
        session.execute(Answer.__table__.delete().where(Answer.response_id.in_(gone)))
        session.execute(Response.__table__.delete().where(Response.id.in_(gone)))
    for _ in range(5):
        answer(rng, OCTOBER)
    jobs.rebuild([OCTOBER])
    assert uncounted(OCTOBER) == 0
    assert assert_as_if_counted_afresh(OCTOBER)[("app-2020", "APP 1b", "all", "all")][1] < before


def test_counted_flags_reset_by_hand_do_not_count_a_month_twice(app):
    rng = random.Random(9)
    for _ in range(40):
        answer(rng, OCTOBER)
    jobs.rebuild([OCTOBER])
    right = snapshot(OCTOBER)
    with transaction() as session:
        session.execute(Response.__table__.update().values(counted=False))
    jobs.rebuild([OCTOBER])
    assert snapshot(OCTOBER) == right
    assert_as_if_counted_afresh(OCTOBER)


def test_a_month_is_counted_in_batches_with_the_same_result(app, monkeypatch):
    rng = random.Random(10)
    for _ in range(45):
        answer(rng, OCTOBER)
    monkeypatch.setattr(jobs, "BATCH", 10)
    jobs.rebuild([OCTOBER])
    assert uncounted(OCTOBER) == 0
    whole = assert_as_if_counted_afresh(OCTOBER)
    for _ in range(20):  # exactly two batches' worth more: the last batch is empty
        answer(rng, OCTOBER)
    jobs.rebuild([OCTOBER])
    assert assert_as_if_counted_afresh(OCTOBER) != whole


def test_rebuilds_while_answers_arrive_count_each_answer_once(app):
    """Answers committed while a rebuild counts are either in its count or left for the next."""
    stop, errors, stored = threading.Event(), [], []

    def answering(seed):
        rng = random.Random(seed)
        try:
            with app.app_context():
                while not stop.is_set():
                    answer(rng, OCTOBER)
                    stored.append(1)
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
            raise

    def rebuilding():
        try:
            with app.app_context():
                for round_ in range(1, 9):
                    deadline = time.monotonic() + 10
                    while len(stored) < 3 * round_ and time.monotonic() < deadline:
                        time.sleep(0.005)  # rebuild only once answers have come since the last
                    jobs.rebuild([OCTOBER])
        except Exception as error:
            errors.append(error)
            raise

    threads = [threading.Thread(target=answering, args=(seed,)) for seed in (11, 12)]
    rebuilders = [threading.Thread(target=rebuilding), threading.Thread(target=rebuilding)]
    for thread in threads + rebuilders:
        thread.start()
    for thread in rebuilders:
        thread.join()
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(stored) >= 24
    jobs.rebuild([OCTOBER])
    assert uncounted(OCTOBER) == 0
    assert_as_if_counted_afresh(OCTOBER)


def test_on_sqlite_the_new_answers_are_found_by_the_index_of_those_not_counted(app):
    """Not by reading every response of the month: after the first count, a rebuild reads only
    the few responses that came since."""
    with reading() as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("PostgreSQL's planner chooses by its statistics")
        batch = dao.uncounted_batch(OCTOBER, jobs.BATCH)
        for query in (dao.new_answers_query(batch), dao.new_responses_query(batch), batch):
            compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
            plan = " ".join(row[3] for row in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert "ix_response_uncounted" in plan, plan


def test_kpis_recount_counts_a_month_afresh_when_its_tallies_were_changed_by_hand(app):
    from feedback.models import AnswerTally
    from tests.feedback.test_cli import run

    rng = random.Random(5)
    for _ in range(40):
        answer(rng, OCTOBER)
    jobs.rebuild([OCTOBER])
    right = assert_as_if_counted_afresh(OCTOBER)
    with transaction() as session:  # a tally mended wrongly by hand
        session.execute(AnswerTally.__table__.update().values(count=AnswerTally.count + 5))
    jobs.rebuild([OCTOBER])
    assert snapshot(OCTOBER) != right  # the tallies are trusted as they are
    result = run(app, "kpis", "recount", "--month", "2026-10")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Counted afresh: 1 month."
    assert assert_as_if_counted_afresh(OCTOBER) == right


def test_kpis_recount_without_a_month_counts_every_month_with_answers(app):
    from tests.feedback.test_cli import run

    rng = random.Random(6)
    for _ in range(30):
        answer(rng)
    result = run(app, "kpis", "recount")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Counted afresh: 3 months."
    for month in MONTHS:
        assert uncounted(month) == 0
        assert_as_if_counted_afresh(month)

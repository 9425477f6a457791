"""The big benchmark: 10,000,000 responses on PostgreSQL, each figure with a same-run baseline.

    python bench/postgres.py                                   # 10,000,000 responses, then removed
    python bench/postgres.py --responses 1000000 --dir /tmp/pg1m   # prepared once, kept (stopped)
    python bench/postgres.py --dir /tmp/pg1m                   # measured again, not prepared again

It starts a throwaway PostgreSQL on loopback (.ci/postgres), runs `feedback demo --responses 0`
(schema, instruments, KPIs, waiting list, staff accounts), then loads the answers as the demo
makes them (feedback.demo's services, instruments, trends and bad months) over --months months,
a month at a time in the order they arrive, streamed from a generator into COPY: responses,
answers, comments and the annual reviews' invitations. Keys and indexes are dropped for the load
and made again after it, then VACUUM ANALYZE, and the scorecard's twelve months are worked out.

Measured, each against its baseline: one month's rebuild (the newest, the biggest), its first
count and the nightly one with a day's new answers, against a hand-written GROUP BY of that
month's answers; the scorecard page (signed in) against /healthz.
Nothing passes or fails; it prints what it measured.
"""

import argparse
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.run import report  # noqa: E402

LOADED = ("response", "answer", "comment", "invitation")
# A server a partnership might run on: a quarter of a modest machine's memory for the cache.
# wal_level minimal lets COPY into a table emptied in the same transaction skip the WAL.
SETTINGS = {
    "shared_buffers": "2GB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "wal_level": "minimal",
    "max_wal_senders": "0",
}
# The planner's settings that a month's rebuild needs (--planner-defaults measures without them).
# With PostgreSQL's defaults the month's GROUP BY hash-joins a sequential scan of every answer
# (random_page_cost 4 prices 420,000 index look-ups above it), sorts the result on disk
# (work_mem 4MB) and spends about 3 s compiling it (jit): 17 s for the GROUP BY on 10,000,000
# responses (2026-12-02, a busy 2-core machine). With these it looks up the month's answers by
# response and hashes the groups in memory: 1.9 s.
PLANNER = {"random_page_cost": "1.1", "jit": "off", "work_mem": "128MB"}
CHUNK = 5000  # responses per write to COPY
MONTH_GROUP_BY = (
    "SELECT r.instrument_slug, a.question_key, a.value, r.service_slug, r.provider_slug, "
    "r.district_slug, r.letter_number, count(*) FROM answer a JOIN response r ON a.response_id = r.id "
    "WHERE r.month = %s GROUP BY 1, 2, 3, 4, 5, 6, 7"
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_ctl(folder, *args):
    binary = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))[-1]
    owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    subprocess.run(
        [*owner, str(binary), "-D", str(folder / "data"), "-l", str(folder / "server.log"), "-w", *args],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start(folder, port):
    """Start the cluster in ``folder`` (made by .ci/postgres, then tuned); return (url, fresh)."""
    fresh = not (folder / "data").exists()
    if fresh:
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o755)
        env = {**os.environ, "FEEDBACK_CI_PG_PORT": str(port)}
        subprocess.run([str(ROOT / ".ci" / "postgres"), "start", str(folder)], env=env, check=True)
        url = f"postgresql://feedback@127.0.0.1:{port}/postgres"
        with psycopg.connect(url, autocommit=True) as connection:
            for name, value in SETTINGS.items():
                connection.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        pg_ctl(folder, "stop", "-m", "fast")
    options = f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c max_connections=200"
    pg_ctl(folder, "start", "-o", options)
    return f"postgresql://feedback@127.0.0.1:{port}/postgres", fresh


def set_planner(url, defaults):
    """Give the server the planner settings of PLANNER, or PostgreSQL's defaults for them."""
    with psycopg.connect(url, autocommit=True) as connection:
        for name, value in PLANNER.items():
            connection.execute(
                f"ALTER SYSTEM RESET {name}" if defaults else f"ALTER SYSTEM SET {name} = '{value}'"
            )
        connection.execute("SELECT pg_reload_conf()")
        shown = ", ".join(f"{n} {connection.execute(f'SHOW {n}').fetchone()[0]}" for n in PLANNER)
    print(f"Planner: {shown}", flush=True)


def stop(folder):
    pg_ctl(folder, "stop", "-m", "fast")


def app_env(folder, url):
    return {
        "DATABASE_URL": url,
        "FEEDBACK_INSTANCE_PATH": str(folder / "instance"),
        "FEEDBACK_SCHEDULER": "off",
        "FEEDBACK_LOG_LEVEL": "WARNING",
    }


def month_counts(total, count):
    """Split ``total`` over ``count`` months as the demo does: feedback grows as it beds in."""
    weights = [1 + 0.06 * i for i in range(count)]
    split = [int(total * w / sum(weights)) for w in weights]
    split[-1] += total - sum(split)
    return split


def submitted_times(rng, month, count, today):
    """Return ``count`` submission times in ``month`` (never after today), oldest first."""
    times = []
    for _ in range(count):
        day = min(month + timedelta(days=rng.randrange(28)), today)
        times.append(datetime.combine(day, clock_time(rng.randrange(8, 20), rng.randrange(60)), UTC))
    return sorted(times)


def chunks(rng, dimensions, months, total, today, reviews):
    """Yield (responses, answers, comments) as COPY text, ``CHUNK`` responses at a time, month by
    month in the order they arrive; count the annual reviews' responses by month in ``reviews``.

    The same choices as feedback.demo.generate (services, instruments, routing, trends, bad
    months, comments, channels), with the month drawn first so that ids follow time."""
    from analysis.sentiment import polarity
    from feedback import demo

    instruments, services, districts = dimensions
    names = list(demo.SERVICE_MIX)
    cumulative = list(itertools.accumulate(demo.SERVICE_MIX[s][1] for s in names))
    text_keys = {s: [q.key for q in i.questions if q.type == "text"] for s, i in instruments.items()}
    scored = {s: [q for q in i.questions if q.correct] for s, i in instruments.items()}
    polarities = {t: polarity(t) for t in demo.POSITIVE + demo.NEGATIVE + demo.MIXED}
    response_id = answer_id = comment_id = 0
    responses, answers, comments = [], [], []
    for index, (month, count) in enumerate(zip(months, month_counts(total, len(months)), strict=True)):
        months_ago, progress = len(months) - 1 - index, index / max(1, len(months) - 1)
        for submitted in submitted_times(rng, month, count, today):
            response_id += 1
            service = rng.choices(names, cum_weights=cumulative)[0]
            slug = demo.SERVICE_MIX[service][0]
            if service in demo.EXTRA_INSTRUMENTS and rng.random() < 0.35:
                slug = demo.EXTRA_INSTRUMENTS[service]
            instrument = instruments[slug]
            share = demo.good_share(service, months_ago, progress)
            chosen = {}
            for question in instrument.questions:
                if question.asked_if and chosen.get(question.asked_if[0]) not in question.asked_if[1]:
                    continue
                if question.type == "choice" and (question.required or rng.random() < 0.85):
                    chosen[question.key] = demo.pick(rng, question, share)
            for key, value in chosen.items():
                answer_id += 1
                answers.append(f"{answer_id}\t{response_id}\t{key}\t{value}\n")
            if text_keys[slug] and rng.random() < 0.25:
                comment_id += 1
                text = demo.comment_for(rng, share)
                comments.append(
                    f"{comment_id}\t{response_id}\t{text_keys[slug][0]}\t{text}\t{polarities[text]}\t"
                    f"{submitted}\tf\tf\tnew\n"
                )
            channel = "form" if slug == "ehcp-annual-review" else rng.choices(("form", "kiosk"), (5, 1))[0]
            invited = slug == "ehcp-annual-review" or (channel == "form" and rng.random() < 0.6)
            score = "\\N"
            if scored[slug]:
                right = sum(chosen.get(q.key) == q.correct for q in scored[slug])
                score = round(100 * right / len(scored[slug]))
            submission = uuid.UUID(int=rng.getrandbits(128), version=4)
            young = instrument.respondent_type == "young_person"
            responses.append(
                f"{response_id}\t{submission}\t{instrument.id}\t{slug}\t{instrument.version}\t{channel}\t"
                f"{'t' if invited else 'f'}\t{'t' if young else 'f'}\t{service}\t{services[service]}\t"
                f"{rng.choice(districts)}\t{instrument.respondent_type}\t{month}\t{submitted}\tf\t{score}\ten\n"
            )
            if slug == "ehcp-annual-review":
                reviews[month] += 1
            if len(responses) == CHUNK:
                yield "".join(responses), "".join(answers), "".join(comments)
                responses, answers, comments = [], [], []
    yield "".join(responses), "".join(answers), "".join(comments)


def invitation_chunks(rng, months, reviews, first_id):
    """Yield the annual reviews' invitations as COPY text, as feedback.demo.invitations_sent makes
    them (the response rate rising from 2% to 8%), a month at a time."""
    invitation_id = first_id - 1
    for index, month in enumerate(months):
        rate = 0.02 + 0.06 * index / max(1, len(months) - 1)
        answered = reviews[month]
        sent = max(answered, round(answered / rate)) if answered else 0
        created = datetime.combine(month, clock_time(9), UTC)
        expires = datetime.combine(month + timedelta(days=45), clock_time(), UTC)
        lines = []
        for i in range(sent):
            invitation_id += 1
            lines.append(
                f"{invitation_id}\t{rng.getrandbits(256):064x}\tehcp-annual-review\tehc-assessment\t\\N\t"
                f"{month}\t{month}\t{created}\t{expires}\t{'t' if i < answered else 'f'}\n"
            )
        yield "".join(lines)


def drop_keys(connection):
    """Drop the loaded tables' keys and indexes (and foreign keys onto them); return what puts
    them back, in the order a restore makes them: primary keys, unique, indexes, foreign keys."""
    constraints = connection.execute(
        "SELECT DISTINCT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE contype IN ('p', 'u', 'f') "
        "AND (conrelid::regclass::text = ANY(%s) OR confrelid::regclass::text = ANY(%s))",
        (list(LOADED), list(LOADED)),
    ).fetchall()
    indexes = connection.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        (list(LOADED),),
    ).fetchall()
    for name, _ in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    for table, name, _, _ in sorted(constraints, key=lambda c: c[2] != "f"):  # foreign keys first
        connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    order = {"p": 0, "u": 1, "f": 3}
    remake = [(order[kind], f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}') for t, n, kind, d in constraints]
    remake += [(2, definition) for _, definition in indexes]
    return [statement for _, statement in sorted(remake)]


def load(url, rng, dimensions, months, total, today):
    """COPY the generated rows in, keys dropped, then make the keys again; print the times."""
    phase = time.perf_counter()
    reviews = Counter()
    with psycopg.connect(url, autocommit=True) as connection:
        remake = drop_keys(connection)
    columns = {
        "response": "id, submission_id, instrument_id, instrument_slug, instrument_version, channel, "
        "invited, easy_read, service_slug, provider_slug, district_slug, respondent_type, month, "
        "submitted_at, partial, score, language",
        "answer": "id, response_id, question_key, value",
        "comment": "id, response_id, question_key, text, polarity, created_at, flagged, help_shown, state",
    }
    connections = [psycopg.connect(url) for _ in columns]
    try:
        copies = []
        for connection, (table, names) in zip(connections, columns.items(), strict=True):
            connection.execute(f"TRUNCATE {table}")  # in the COPY's transaction: no WAL for it
            copies.append(connection.cursor().copy(f"COPY {table} ({names}) FROM STDIN"))
        writers = [copy.__enter__() for copy in copies]
        for parts in chunks(rng, dimensions, months, total, today, reviews):
            for writer, text in zip(writers, parts, strict=True):
                if text:
                    writer.write(text)
        for copy in copies:
            copy.__exit__(None, None, None)
        for connection in connections:
            connection.commit()
    finally:
        for connection in connections:
            connection.close()
    with psycopg.connect(url) as connection:
        first = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM invitation").fetchone()[0]
        names = (
            "id, token_hash, instrument_slug, service_slug, district_slug, appointment_date, month, "
            "created_at, expires_at, used"
        )
        with connection.cursor().copy(f"COPY invitation ({names}) FROM STDIN") as copy:
            for text in invitation_chunks(rng, months, reviews, first):
                copy.write(text)
    print(f"  COPY: {time.perf_counter() - phase:.0f} s", flush=True)
    phase = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        for statement in remake:
            connection.execute(statement)
        for table in LOADED:
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608 (our table names)
            )
    print(f"  keys and indexes: {time.perf_counter() - phase:.0f} s", flush=True)
    phase = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"VACUUM (ANALYZE) {', '.join(LOADED)}")
    print(f"  VACUUM ANALYZE: {time.perf_counter() - phase:.0f} s", flush=True)


def prepare(folder, url, args):
    """Make the demo's set-up, load the responses and work out the scorecard's months."""
    started = time.perf_counter()
    env = {**os.environ, **app_env(folder, url)}
    subprocess.run(
        [sys.executable, "-m", "feedback", "demo", "--responses", "0"],
        cwd=ROOT,  # this checkout's feedback package
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"  feedback demo --responses 0: {time.perf_counter() - started:.0f} s", flush=True)
    import random

    from feedback import clock, demo
    from feedback.db import reading

    with reading() as session:
        dimensions = demo.dimensions(session)
    today = clock.today()
    months = demo.months_back(today, args.months)
    load(url, random.Random(args.seed), dimensions, months, args.responses, today)
    phase = time.perf_counter()
    rebuild(demo.months_back(today, 12))
    print(f"  rebuild of the scorecard's 12 months: {time.perf_counter() - phase:.0f} s", flush=True)
    print(f"Prepared in {time.perf_counter() - started:.0f} s", flush=True)


def rebuild(months):
    """Work out the months' KPI snapshots through the analysis package's entry point."""
    from analysis import jobs

    jobs.rebuild(months)


def sign_in(app):
    """Return a test client signed in as a commissioner (made once). Its requests must run
    outside an app context of ours: Flask would share that context's ``g`` (and the signed-in
    user cached in it) between requests."""
    from sqlmodel import select

    from feedback import auth
    from feedback.db import transaction
    from feedback.models import StaffUser

    email, password = "bench@example.org", "bench passphrase 1"
    with app.app_context(), transaction() as session:
        if not session.exec(select(StaffUser).where(StaffUser.email == email)).first():
            session.add(
                StaffUser(email=email, role="commissioner", password_hash=auth.hash_password(password))
            )
    client = app.test_client()
    login = client.get("/dashboard/").headers["Location"]  # wherever sign-in lives
    page = client.get(login).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(login, data={"csrf_token": token, "email": email, "password": password})
    return client


def measure_rebuild(url, args):
    """One month's rebuild against a GROUP BY of its answers (in an app context): its first count
    (every answer, as once after migration 0018) and the nightly one, with a day's new answers."""
    from analysis import dao
    from bench.run import _answer_more
    from feedback.db import transaction

    with psycopg.connect(url) as connection:
        total = connection.execute("SELECT count(*) FROM response").fetchone()[0]
        answers = connection.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = 'answer'"
        ).fetchone()
        month, in_month = connection.execute(
            "SELECT month, count(*) FROM response GROUP BY month ORDER BY month DESC LIMIT 1"
        ).fetchone()
    print(f"{total:,} responses (about {answers[0]:,} answers); {month:%B %Y} holds {in_month:,}", flush=True)
    grouped, first, nightly = [], [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        with psycopg.connect(url) as connection:
            connection.execute(MONTH_GROUP_BY, (month,)).fetchall()
        grouped.append(time.perf_counter() - started)
        with transaction() as session:  # as just after migration 0018: nothing counted yet
            dao.forget_counts(session, month)
        started = time.perf_counter()
        rebuild([month])
        first.append(time.perf_counter() - started)
        _answer_more(month, in_month // 30, seed=time.time_ns())  # a day's answers
        started = time.perf_counter()
        rebuild([month])
        nightly.append(time.perf_counter() - started)
    report("postgres: hand-written GROUP BY of one month", statistics.median(grouped), "s")
    base = statistics.median(grouped)
    report("postgres: a month's first count (every answer)", statistics.median(first), "s", base, "GROUP BY")
    report(
        f"postgres: nightly rebuild of one month, {in_month // 30:,} new",
        statistics.median(nightly),
        "s",
        base,
        "GROUP BY",
        "< 3 s",
    )


def measure_scorecard(app):
    """The scorecard page, signed in, against /healthz (outside any app context)."""
    client = sign_in(app)
    timings, base = [], []
    for _ in range(30):
        started = time.perf_counter()
        assert client.get("/dashboard/").status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        client.get("/healthz")
        base.append((time.perf_counter() - started) * 1000)
    report(
        "postgres: scorecard page median",
        statistics.median(timings[5:]),
        "ms",
        statistics.median(base[5:]),
        "/healthz",
        "< 100 ms",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timed step (median shown)")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument(
        "--planner-defaults", action="store_true", help="measure with PostgreSQL's defaults, not PLANNER"
    )
    parser.add_argument(
        "--dir",
        default=None,
        help="the cluster's folder: prepared once and kept (stopped); reused when it exists",
    )
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="feedback-pg-bench-")).resolve()
    if args.dir is None:
        folder.chmod(0o755)
        folder = folder / "pg"
    url, fresh = start(folder, args.port or free_port())
    try:
        set_planner(url, args.planner_defaults)
        os.environ.update(app_env(folder, url))
        from feedback import create_app

        app = create_app({"DB_STATEMENT_TIMEOUT_S": 3600})
        with app.app_context():
            if fresh:
                print(f"Preparing {args.responses:,} responses over {args.months} months in {folder} ...")
                prepare(folder, url, args)
            measure_rebuild(url, args)
        measure_scorecard(app)
    finally:
        stop(folder)
        if args.dir is None:
            shutil.rmtree(folder.parent)


if __name__ == "__main__":
    main()

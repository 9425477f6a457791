"""Benchmarks: each figure printed with its ratio to a baseline measured in the same run.

    python bench/run.py                      # all of them, 1,000,000 responses
    python bench/run.py --responses 200000 --only aggregation dashboard
    python bench/postgres.py                 # 10,000,000 responses on PostgreSQL, loaded by COPY

Nothing here passes or fails; it prints what it measured. Run on an idle machine.
"""

import argparse
import gzip
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HELLO = "from flask import Flask\napp = Flask('hello')\n@app.post('/')\ndef hello():\n    return 'hello'\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port}")


def load(port, make_request, seconds, clients):
    """Run ``clients`` loops for ``seconds``; return (count, errors, latencies in ms)."""
    latencies, errors, lock, stop = [], [0], threading.Lock(), time.monotonic() + seconds

    def loop():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        state = {}
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                status = make_request(connection, state)
            except (OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += status >= 400 or status == 0

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), errors[0], latencies


def percentile(values, p):
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]


def report(name, value, unit, baseline=None, baseline_name=None, goal=None):
    ratio = f"  ratio {value / baseline:.2f} to {baseline_name} ({baseline:.3g} {unit})" if baseline else ""
    print(f"{name:46} {value:12.3f} {unit}{ratio}{'  goal: ' + goal if goal else ''}", flush=True)


def env_for(instance):
    return {
        **os.environ,
        "FEEDBACK_INSTANCE_PATH": str(instance),
        "FEEDBACK_SCHEDULER": "off",
        "FEEDBACK_LOG_LEVEL": "WARNING",
        "FEEDBACK_RATE_LIMIT_SURVEY": "100000000",
    }


def bench_submissions(args, instance):
    """The real survey POST against `feedback serve`, and bare Flask on the same server."""
    port, hello_port = free_port(), free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "feedback",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ],
        env=env_for(instance),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    hello_dir = Path(tempfile.mkdtemp())
    (hello_dir / "hello.py").write_text(HELLO)
    # The same server, workers and threads as `feedback serve`, with a one-line Flask app.
    serve_hello = (
        f"import hello; from feedback.server import serve_app; serve_app(hello.app, "
        f"'127.0.0.1', {hello_port}, {args.workers}, {args.threads})"
    )
    hello = subprocess.Popen(
        [sys.executable, "-c", serve_hello],
        cwd=hello_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        wait_for(hello_port)

        def survey(connection, state):
            if "cookie" not in state:
                connection.request("GET", "/s/local-offer")
                response = connection.getresponse()
                page = response.read().decode()
                state["cookie"] = response.getheader("Set-Cookie").split(";")[0]
                state["csrf"] = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
            body = urlencode(
                {
                    "csrf_token": state["csrf"],
                    "submission_id": str(uuid.uuid4()),
                    "found_information": "yes",
                    "information_useful": "partly",
                }
            )
            connection.request(
                "POST",
                "/s/local-offer",
                body,
                {"Content-Type": "application/x-www-form-urlencoded", "Cookie": state["cookie"]},
            )
            response = connection.getresponse()
            response.read()
            return 200 if response.status == 303 else response.status

        def bare(connection, _state):
            connection.request("POST", "/", "x=1", {"Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            return response.status

        n_base, e_base, l_base = load(hello_port, bare, args.seconds, args.clients)
        n, errors, latencies = load(port, survey, args.seconds, args.clients)
        report("submissions: bare Flask hello rate", n_base / args.seconds, "req/s")
        report(
            "submissions: survey POST rate",
            n / args.seconds,
            "req/s",
            n_base / args.seconds,
            "bare Flask",
            ">= 0.40",
        )
        report(
            "submissions: survey POST p50",
            percentile(latencies, 50),
            "ms",
            percentile(l_base, 50),
            "bare Flask p50",
        )
        report(
            "submissions: survey POST p99",
            percentile(latencies, 99),
            "ms",
            percentile(l_base, 99),
            "bare Flask p99",
        )
        report("submissions: errors", errors + e_base, "count", goal="0")
    finally:
        for process in (server, hello):
            process.terminate()
            process.wait()
        shutil.rmtree(hello_dir)


def in_app(instance):
    """Build the app on the instance, and freeze what it built, as a web worker and the
    scheduler do (feedback.server.settle_heap)."""
    os.environ.update(env_for(instance))
    sys.path.insert(0, str(ROOT))
    from feedback import create_app
    from feedback.server import settle_heap

    app = create_app()
    settle_heap()
    return app


def _answer_more(month, count, seed):
    """Store ``count`` new invented answers in ``month``, as the demo makes them."""
    import random

    from feedback import demo
    from feedback.db import reading, transaction

    with reading() as session:
        instruments, services, districts = demo.dimensions(session)
    generated = list(demo.generate(random.Random(seed), instruments, services, districts, [month], count))
    with transaction() as session:
        demo.insert_batch(session, generated, {})


def bench_aggregation(args, instance):
    """A month's rebuild (its first count after an upgrade, then the nightly one with a day's new
    answers) and a full rebuild, against one hand-written GROUP BY over every answer."""
    from datetime import date

    from sqlalchemy import text

    from analysis import dao, jobs
    from analysis.measures import previous_months
    from feedback.db import get_engine, reading, transaction

    app = in_app(instance)
    with app.app_context():
        with reading() as session:
            months = [m for (m,) in session.execute(text("SELECT DISTINCT month FROM response"))]
            total = session.execute(text("SELECT count(*) FROM response")).scalar_one()
        months = sorted(m if hasattr(m, "year") else date.fromisoformat(m) for m in months)
        latest = months[-1]
        with transaction() as session:  # as just after migration 0018: nothing counted yet
            dao.forget_counts(session, latest)
            in_month = session.execute(
                text("SELECT count(*) FROM response WHERE month = :m"), {"m": latest}
            ).scalar_one()
        new = args.new_answers or in_month // 30  # a day's answers at this instance's rate
        started = time.perf_counter()
        with get_engine().connect() as connection:
            connection.exec_driver_sql(
                "SELECT r.month, r.instrument_slug, a.question_key, a.value, r.service_slug, "
                "r.district_slug, count(*) FROM answer a JOIN response r ON a.response_id = r.id "
                "GROUP BY 1, 2, 3, 4, 5, 6"
            ).fetchall()
        bare = time.perf_counter() - started
        started = time.perf_counter()
        jobs.rebuild([latest])
        first = time.perf_counter() - started
        jobs.rebuild(previous_months(latest, len(months)))  # every month counted once
        _answer_more(latest, new, seed=time.time_ns())
        started = time.perf_counter()
        jobs.rebuild([latest])
        one = time.perf_counter() - started
        _answer_more(latest, new, seed=time.time_ns())
        started = time.perf_counter()
        jobs.rebuild(previous_months(latest, len(months)))
        full = time.perf_counter() - started
    print(f"aggregation over {total:,} responses, {len(months)} months")
    report("aggregation: hand-written GROUP BY, all months", bare, "s")
    report("aggregation: a month's first count (every answer)", first, "s")
    report(f"aggregation: nightly rebuild of one month, {new:,} new", one, "s", goal="< 0.3 s")
    report(f"aggregation: full rebuild of every month, {new:,} new", full, "s", bare, "GROUP BY", "<= 1.5")


def bench_dashboard(args, instance):
    """Scorecard page latency, signed in, reading snapshots."""
    from feedback import auth, staff_dao
    from feedback.db import transaction

    app = in_app(instance)
    with app.app_context(), transaction() as session:  # its own account, whatever else exists
        if not staff_dao.user_by_email(session, "bench@example.org"):
            staff_dao.add_user(
                session, "bench@example.org", "commissioner", auth.hash_password("bench passphrase 1")
            )
    client = app.test_client()
    page = client.get("/dashboard/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/dashboard/login",
        data={"csrf_token": token, "email": "bench@example.org", "password": "bench passphrase 1"},
    )
    timings = []
    for _ in range(30):
        started = time.perf_counter()
        assert client.get("/dashboard/").status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
    base = []
    for _ in range(30):
        started = time.perf_counter()
        client.get("/healthz")
        base.append((time.perf_counter() - started) * 1000)
    report(
        "dashboard: scorecard page median",
        statistics.median(timings[5:]),
        "ms",
        statistics.median(base[5:]),
        "/healthz",
        "< 100 ms",
    )


def bench_letters(args, instance):
    """Due-letter computation for many waiting-list entries, and PDF letters per second."""
    import random

    from feedback import clock
    from feedback.db import reading, transaction
    from feedback.waitlist import crypto, dao, demo, letters, schedule, tracker

    app = in_app(instance)  # the demo made the instance's key
    with app.app_context():
        fernet = crypto.configured_key()
        rng = random.Random(3)
        with reading() as session:
            existing = len(dao.all_entries(session))
        if existing < args.families:
            rows = demo.rows(rng, clock.today(), args.families - existing)
            rows = [
                r.__class__(**{**r.__dict__, "reference": f"B{existing + i:07d}"}) for i, r in enumerate(rows)
            ]
            with transaction() as session:
                dao.save_rows(session, fernet, rows)
        started = time.perf_counter()
        with transaction() as session:  # as an import does after writing: each next letter stored
            stored = tracker.refresh_next_letters(session)
        store_seconds = time.perf_counter() - started
        today = clock.today()
        # Loaded once per process (a server or the scheduler has them): the holidays library's
        # country tables take about 0.3 s to import, whatever the number of families.
        started = time.perf_counter()
        tracker.bank_holidays(today)
        holiday_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with reading() as session:
            found = tracker.due_families(session, today)
        due_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with reading() as session:
            every = tracker.families(session, today)
        every_seconds = time.perf_counter() - started
        pol = tracker.policy()
        started = time.perf_counter()
        plain = sum(len(schedule.letters_due(dao.as_schedule_entry(f.row), pol, today)) for f in every)
        pure = time.perf_counter() - started
        with reading() as session:
            contents = tracker.letter_contents(session, today, fernet)[:200]
        started = time.perf_counter()
        letters.write_pdf(contents, Path(tempfile.gettempdir()) / "bench-letters.pdf")
        pdf_seconds = time.perf_counter() - started
    report(
        f"letters: due letters for {len(every):,} families",
        due_seconds,
        "s",
        pure,
        "schedule alone",
        "< 0.5 s",
    )
    print(
        f"{'':46} ({len(found):,} letters due; {plain:,} by the schedule alone,"
        " counting those a late one replaces)"
    )
    report("letters: every family worked out (/asd list)", every_seconds, "s", due_seconds, "due letters")
    report(f"letters: next letter stored for {stored:,} families", store_seconds, "s")
    report("letters: bank holidays loaded (once a process)", holiday_seconds, "s")
    report("letters: PDF letters per second", len(contents) / pdf_seconds, "letters/s")


# What a person does: press the launcher as soon as it is there; the question is usable once its
# first answer button shows. Done inside the page, so the figure is the page's own time and not
# the dozen protocol round trips of a Playwright click (its waits for a stable, hit-testable
# element took 70-150 ms on a busy machine against 6-12 ms in the widget's click handler).
PRESS_LAUNCHER_AND_WAIT = """() => new Promise((resolve) => {
  let pressed = false;
  const rootOf = () => document.querySelector("[data-send-feedback-chat]")?.shadowRoot;
  const usable = () => {
    const root = rootOf();
    const launcher = root?.querySelector(".launcher");
    if (!pressed && launcher && !launcher.hidden) { pressed = true; launcher.click(); }
    const answer = root?.querySelector(".answers .answer");
    return Boolean(answer && answer.checkVisibility());
  };
  if (usable()) return resolve();
  let watched = null;
  const everything = { childList: true, subtree: true };
  const observer = new MutationObserver(() => {
    const root = rootOf();
    if (root && root !== watched) { watched = root; observer.observe(root, everything); }
    if (usable()) { observer.disconnect(); resolve(); }
  });
  observer.observe(document, everything);
  if (rootOf()) { watched = rootOf(); observer.observe(watched, everything); }
})"""

MAIN_SHOWN = """() => document.querySelector("main").checkVisibility()"""


def bench_widget(args, instance):
    """Gzipped size of widget.js and time to a usable panel in headless Chromium."""
    from playwright.sync_api import sync_playwright

    size = len(gzip.compress((ROOT / "bot" / "static" / "widget.js").read_bytes(), 9))
    report("widget: widget.js gzipped", size / 1024, "KB", 15, "the 15 KB budget", "< 15 KB")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "feedback", "serve", "--port", str(port)],
        env=env_for(instance),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            timings, bare = [], []
            for _ in range(11):  # a median of 11: a shared machine is noisy
                started = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/privacy")
                page.evaluate(MAIN_SHOWN)  # one in-page check, as the widget's figure has
                bare.append(time.perf_counter() - started)
                started = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/chat/demo")
                page.evaluate(PRESS_LAUNCHER_AND_WAIT)
                timings.append(time.perf_counter() - started)
            browser.close()
        report(
            "widget: page load to first usable question",
            statistics.median(timings) * 1000,
            "ms",
            statistics.median(bare) * 1000,
            "plain page load",
        )
    finally:
        server.terminate()
        server.wait()


BENCHES = {
    "submissions": bench_submissions,
    "aggregation": bench_aggregation,
    "dashboard": bench_dashboard,
    "letters": bench_letters,
    "widget": bench_widget,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--families", type=int, default=100_000)
    parser.add_argument(
        "--new-answers", type=int, default=None, help="responses since the last rebuild (a day's by default)"
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads in each worker")
    parser.add_argument("--instance", default=None, help="reuse a prepared instance folder")
    parser.add_argument("--only", nargs="*", choices=list(BENCHES))
    args = parser.parse_args()
    instance = Path(args.instance or tempfile.mkdtemp(prefix="feedback-bench-"))
    if not (instance / "feedback.sqlite3").exists():
        print(f"Preparing {args.responses:,} responses in {instance} ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "feedback", "demo", "--responses", str(args.responses)],
            env=env_for(instance),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    for name in args.only or BENCHES:
        BENCHES[name](args, instance)


if __name__ == "__main__":
    main()

"""Answers are never lost or doubled: many parents at once, and a server killed mid-answer."""

import random
import threading
import time

from sqlalchemy import func, select, text

from feedback.db import reading
from feedback.models import Response
from tests.reliability.conftest import run_clients


def stored_submission_ids():
    with reading() as session:
        rows = session.execute(select(Response.submission_id, func.count()).group_by(Response.submission_id))
        return dict(rows.all())


def test_twenty_parents_at_once_are_each_stored_exactly_once(processes):
    server = processes.serve(workers=2)
    tally, threads = run_clients(20, lambda: server.port, seconds=8)
    for thread in threads:
        thread.join(timeout=60)
    stored = stored_submission_ids()
    assert len(tally.acknowledged) > 100, tally.statuses
    assert tally.acknowledged <= stored.keys()  # every acknowledged answer is there
    assert set(stored.values()) == {1}  # and none twice
    assert not [s for s in tally.statuses if isinstance(s, int) and s >= 500], tally.statuses
    assert "connection error" not in tally.statuses, tally.statuses
    log = server.output()
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]


def test_killing_the_server_mid_answer_loses_nothing_acknowledged(app, processes):
    server = {"current": processes.serve(workers=2)}
    port = server["current"].port
    stop = threading.Event()
    tally, threads = run_clients(8, lambda: port, stop=stop)
    rounds = random.Random(7)
    for _ in range(6):
        time.sleep(rounds.uniform(0.3, 1.5))
        server["current"].kill()  # kill -9, workers and all
        server["current"] = processes.serve(port=port, workers=2)
    time.sleep(1)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    stored = stored_submission_ids()
    assert len(tally.acknowledged) > 20, tally.statuses
    assert tally.acknowledged <= stored.keys()
    assert set(stored.values()) == {1}
    assert not [s for s in tally.statuses if isinstance(s, int) and s >= 500], tally.statuses
    if app.config["DATABASE_URL"].startswith("sqlite"):
        with reading() as session:
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"

"""SQLite's writers take turns in a queue in front of SQLite's lock: one at a time across threads
and processes, the next as soon as the last is done, and none waiting past the busy timeout."""

import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy.exc import OperationalError

from feedback.db import WriterQueue, writer_queue

HOLD = (
    "import fcntl, os, sys, time\n"
    "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)\n"
    "fcntl.flock(fd, fcntl.LOCK_EX)\n"
    "print('held', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
)


def holding(path, seconds):
    """Another process that holds the writers' turn for ``seconds``."""
    command = [sys.executable, "-c", HOLD, str(path), str(seconds)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def test_threads_take_turns_one_at_a_time(tmp_path):
    queue = WriterQueue(tmp_path / "db-writers", 10)
    inside, most, done = [0], [0], []

    def write():
        for _ in range(20):
            with queue.turn():
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                time.sleep(0.0005)
                inside[0] -= 1
                done.append(1)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (most[0], len(done)) == (1, 80)


def test_a_writer_waits_for_another_process_and_goes_as_soon_as_it_is_done(tmp_path):
    path = tmp_path / "db-writers"
    other = holding(path, 0.5)
    started = time.monotonic()
    with WriterQueue(path, 5).turn():
        waited = time.monotonic() - started
    other.communicate()
    assert 0.3 < waited < 2


def test_a_writer_that_cannot_have_its_turn_within_the_busy_timeout_fails_as_sqlite_would(tmp_path):
    path = tmp_path / "db-writers"
    other = holding(path, 3)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"), WriterQueue(path, 0.3).turn():
        pass
    assert time.monotonic() - started < 1.5
    other.kill()
    other.communicate()
    with WriterQueue(path, 1).turn():  # a killed holder's turn is released by the kernel
        pass


def test_a_transaction_inside_another_of_the_same_thread_takes_no_second_turn(tmp_path):
    queue = WriterQueue(tmp_path / "db-writers", 0.5)
    with queue.turn(), queue.turn():
        pass
    with queue.turn():  # and the turn was given back
        pass


def test_only_a_sqlite_file_has_a_queue_and_every_app_on_it_shares_one(tmp_path):
    url = f"sqlite:///{tmp_path}/feedback.sqlite3"
    assert writer_queue(url, 5) is writer_queue(url, 5)
    assert writer_queue(url, 5).path == f"{tmp_path.resolve()}/feedback.sqlite3-writers"
    assert writer_queue("sqlite://", 5) is None
    assert writer_queue("postgresql://feedback@127.0.0.1/postgres", 5) is None

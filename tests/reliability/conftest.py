"""Real server and scheduler processes on loopback, on the test's own database, and clients
that answer the survey as a parent's phone would."""

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

ANSWERS = {"found_information": "yes", "information_useful": "partly"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Process:
    popen: subprocess.Popen
    log: Path
    port: int | None = None

    def kill(self):
        """kill -9 the process and everything it started (workers, scheduler)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self):
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self):
        return self.log.read_text(errors="replace")


@pytest.fixture
def processes(app, tmp_path):
    """Start `feedback` commands against the test's database; all are stopped afterwards."""
    started = []
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "FEEDBACK_ENV": "development",
        "FEEDBACK_INSTANCE_PATH": str(tmp_path),
        "FEEDBACK_SCHEDULER": "off",
        "FEEDBACK_RATE_LIMIT_SURVEY": "100000000",
        "FEEDBACK_LOG_LEVEL": "INFO",
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }

    def start(*args, port=None, extra_env=None):
        log = tmp_path / f"process-{len(started)}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", "feedback", *args],
                env={**env, **(extra_env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(popen, log, port)
        started.append(process)
        return process

    def serve(port=None, workers=2, extra_env=None):
        port = port or free_port()
        process = start(
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            "4",
            port=port,
            extra_env=extra_env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return process
            except OSError:
                assert process.popen.poll() is None, process.output()
                time.sleep(0.05)
        raise AssertionError(f"the server did not start:\n{process.output()}")

    start.serve = serve
    yield start
    for process in started:
        process.stop()
    app.extensions["feedback.engine"].dispose()


@dataclass
class Tally:
    """What the clients saw: submission ids the server acknowledged, and every status."""

    acknowledged: set = field(default_factory=set)
    statuses: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, status):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1


def submit_loop(port_of, stop, tally, retries=20):
    """One parent after another: open the form, answer, send; on a dropped connection send the
    same answers again (same submission id), as a browser's resubmission would."""
    while not stop.is_set():
        submission = None
        for _attempt in range(retries):
            if stop.is_set():
                return
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port_of(), timeout=15)
                if submission is None:
                    connection.request("GET", "/s/local-offer")
                    page = connection.getresponse()
                    html = page.read().decode()
                    tally.saw(page.status)
                    if page.status != 200:
                        continue
                    cookie = page.getheader("Set-Cookie").split(";")[0]
                    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
                    submission = {"csrf_token": csrf, "submission_id": str(uuid.uuid4()), **ANSWERS}
                connection.request(
                    "POST",
                    "/s/local-offer",
                    urlencode(submission),
                    {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
                )
                response = connection.getresponse()
                response.read()
                tally.saw(response.status)
                if response.status == 303:
                    with tally.lock:
                        tally.acknowledged.add(submission["submission_id"])
                    break
            except (OSError, http.client.HTTPException):
                tally.saw("connection error")
                time.sleep(0.05)
            finally:
                connection.close()


def run_clients(count, port_of, seconds=None, stop=None):
    """Run ``count`` submitting clients until ``stop`` is set (or for ``seconds``); return the tally."""
    tally, stop = Tally(), stop or threading.Event()
    threads = [threading.Thread(target=submit_loop, args=(port_of, stop, tally)) for _ in range(count)]
    for thread in threads:
        thread.start()
    if seconds is not None:
        time.sleep(seconds)
        stop.set()
    return tally, threads

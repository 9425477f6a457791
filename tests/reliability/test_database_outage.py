"""A PostgreSQL server of the test's own, stopped and frozen under a running `feedback serve`:
pages answer within seconds (503 with Retry-After, or the page itself when it needs no
database), the thank-you page still renders, and an outage costs a few log lines, not floods."""

import contextlib
import glob
import http.client
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import free_port

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
pytestmark = pytest.mark.skipif(not BINARIES, reason="PostgreSQL's server programs are not installed")


class OwnPostgres:
    """A throwaway PostgreSQL server on loopback that a test may stop, start, freeze and thaw."""

    def __init__(self):
        self.bin = Path(BINARIES[-1])
        self.dir = Path(tempfile.mkdtemp(prefix="feedback-outage-"))
        self.dir.chmod(0o755)
        self.port = free_port()
        self.url = f"postgresql://feedback@127.0.0.1:{self.port}/postgres"
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._as_owner(self.bin / "initdb", "-D", self.dir / "data", "-U", "feedback", "--auth=trust")
        self.start()

    def _as_owner(self, *command):
        prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        subprocess.run([*prefix, *map(str, command)], check=True, capture_output=True, timeout=120)

    def start(self):
        self._as_owner(
            self.bin / "pg_ctl",
            "-D",
            self.dir / "data",
            "-l",
            self.dir / "log",
            "-w",
            "start",
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off",
        )

    def stop(self):
        self._as_owner(self.bin / "pg_ctl", "-D", self.dir / "data", "-m", "immediate", "stop")

    def pids(self):
        main = int((self.dir / "data" / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(main)], capture_output=True, text=True).stdout.split()
        return [main, *map(int, children)]

    def signal(self, signum):
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def remove(self):
        self.signal(signal.SIGCONT)
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def postgres():
    server = OwnPostgres()
    yield server
    server.remove()


@pytest.fixture
def served(postgres, processes):
    """`feedback serve` on the test's own PostgreSQL, initialised, with one answer stored."""
    env = {"DATABASE_URL": postgres.url}
    init = processes("init", extra_env=env)
    assert init.popen.wait(timeout=120) == 0, init.output()
    server = processes.serve(extra_env=env)
    for _ in range(8):  # every worker thread holds a pooled connection, as after a busy morning
        assert get(server.port, "/s/local-offer?service=camhs")[0] == 200
    return server


def get(port, path, timeout=15):
    """Return (status, headers, seconds taken) for a GET."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.getheaders()), time.monotonic() - started
    finally:
        connection.close()


PATHS = {
    "/privacy": 200,
    "/healthz": 503,
    "/s/local-offer?service=camhs": 503,
    "/s/local-offer/thanks?service=camhs": 200,
    "/chat/api/v1/surveys/service-experience": 503,
}


def test_pages_answer_within_five_seconds_while_postgresql_is_frozen(postgres, served):
    postgres.signal(signal.SIGSTOP)
    try:
        seen = {path: get(served.port, path) for path in PATHS for _ in range(2)}
    finally:
        postgres.signal(signal.SIGCONT)
    for path, (status, headers, seconds) in seen.items():
        assert seconds < 5, f"{path} took {seconds:.1f}s"
        assert status == PATHS[path], (path, status)
        if status == 503:
            assert headers["Retry-After"] == "30"
    deadline = time.monotonic() + 20
    while get(served.port, "/healthz")[0] != 200:
        assert time.monotonic() < deadline, "the service did not recover after PostgreSQL thawed"
        time.sleep(0.5)
    assert get(served.port, "/s/local-offer?service=camhs")[0] == 200


def test_a_12_second_outage_under_load_gives_503s_and_fewer_than_100_log_lines(postgres, served):
    stop, statuses = threading.Event(), []

    def visitor():
        while not stop.is_set():
            with contextlib.suppress(OSError, http.client.HTTPException):
                statuses.append(get(served.port, "/s/local-offer?service=camhs", timeout=10)[0])

    before = len(served.output().splitlines())
    visitors = [threading.Thread(target=visitor) for _ in range(4)]
    for thread in visitors:
        thread.start()
    postgres.stop()
    time.sleep(2)
    during = {path: get(served.port, path) for path in PATHS}
    time.sleep(10)
    postgres.start()
    deadline = time.monotonic() + 20
    while get(served.port, "/healthz")[0] != 200:
        assert time.monotonic() < deadline, "the service did not recover after PostgreSQL restarted"
        time.sleep(0.5)
    time.sleep(1)
    stop.set()
    for thread in visitors:
        thread.join()
    for path, (status, headers, _seconds) in during.items():
        assert status == PATHS[path], (path, status)
        if status == 503:
            assert headers["Retry-After"] == "30"
    assert statuses.count(503) > 20 and 500 not in statuses
    assert statuses[-1] == 200
    lines = served.output().splitlines()[before:]
    assert len(lines) < 100, "\n".join(lines[:40])
    assert not [line for line in lines if "Traceback" in line], "\n".join(lines[:40])

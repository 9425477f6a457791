"""Benchmark: send invitations by text message to the local fake of GOV.UK Notify.

    python bench/sending.py                 # 10,000 appointments, the throttle off
    python bench/sending.py --count 2000

Imports the appointments, then times one run of the sending step (claim, send, record, in
batches) with the throttle off, and prints messages per second. The fake runs in its own process,
as Notify would. Nothing passes or fails; run on an idle machine.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FAKE = """
import sys, time
from feedback.notify_fake import FakeNotify
with FakeNotify() as fake:
    print(fake.url, flush=True)
    sys.stdin.read()
    print(len(fake.messages), flush=True)
"""


def start_fake():
    process = subprocess.Popen(
        [sys.executable, "-c", FAKE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    return process, process.stdout.readline().strip()


def make_app(folder, notify_url):
    from feedback import create_app
    from feedback.notify_fake import API_KEY
    from feedback.waitlist import crypto

    return create_app(
        {
            "ENV_NAME": "development",
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "INSTANCE_PATH": str(folder),
            "DATA_KEY": crypto.new_key(),
            "SCHEDULER_ENABLED": False,
            "NOTIFY_API_KEY": API_KEY,
            "NOTIFY_BASE_URL": notify_url,
            "NOTIFY_PER_MINUTE": 0,
            "BASE_URL": "https://feedback.example.gov.uk",
        }
    )


def records(count, now):
    at = (now - timedelta(hours=2)).isoformat(timespec="minutes")
    return [
        {
            "appointment_id": f"B{i}",
            "service": "camhs",
            "appointment_at": at,
            "mobile": f"07700900{i % 1000:03d}",
        }
        for i in range(count)
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    from feedback import clock
    from feedback.initialise import initialise
    from surveys import contact, intake, notify_client, sending
    from surveys.throttle import Throttle

    fake, url = start_fake()
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder), url)
        with app.app_context(), app.test_request_context():
            initialise(echo=lambda _line: None)
            keys, now = contact.configured_keys(), clock.now()
            started = time.perf_counter()
            rows, rejected = intake.check(records(args.count, now), intake.known(), now)
            counts = intake.save(rows, keys, now)
            imported = time.perf_counter() - started
            settings = sending.Settings(intake.policy(), keys, app.config["BASE_URL"], 14, clock.now())
            started = time.perf_counter()
            apis = [notify_client.client(app.config) for _ in range(sending.SENDERS)]
            run = sending.run(apis, settings, Throttle(0))
            seconds = time.perf_counter() - started
            app.extensions["feedback.engine"].dispose()
    fake.stdin.close()
    received = int(fake.stdout.readline())
    fake.wait(timeout=10)
    sent = run.counts["invitation sent"]
    print(f"imported {counts['added']} appointments ({len(rejected)} rejected) in {imported:.1f}s")
    print(
        f"sent {sent} invitations in {seconds:.1f}s with the throttle off: {sent / seconds:.0f} messages a "
        f"second (goal: at least 200); the fake received {received}"
    )


if __name__ == "__main__":
    main()

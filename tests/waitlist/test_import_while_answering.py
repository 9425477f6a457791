"""A 100,000-family import does not hold up parents' survey answers: the import checks and
encrypts before it writes, and writes in short transactions."""

import csv
import http.client
import random
import re
import threading
import time
import uuid
from datetime import date, timedelta
from urllib.parse import urlencode

from feedback.waitlist import crypto
from feedback.waitlist.demo import sample_nhs_number
from tests.reliability.conftest import ANSWERS, processes  # noqa: F401 (a fixture)

FAMILIES = 100_000


def write_extract(path, count):
    rng = random.Random(2)
    numbers = [sample_nhs_number(rng) for _ in range(500)]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "reference",
                "child_name",
                "date_of_birth",
                "nhs_number",
                "parent_name",
                "address_line_1",
                "town",
                "postcode",
                "referral_date",
                "pathway",
                "district",
            ]
        )
        for n in range(count):
            referral = date(2026, 11, 20) - timedelta(days=n % 700)
            writer.writerow(
                [
                    f"ND{n:06d}",
                    "Wren Fellside",
                    "2019-03-04",
                    numbers[n % 500],
                    f"Parent {n}",
                    f"{n} Long Row",
                    "Burnley",
                    "BB11 2XY",
                    referral.isoformat(),
                    "asd",
                    "burnley",
                ]
            )
    return path


def answer_timings(port, stop):
    """Answer the survey again and again until ``stop``; return (status, seconds) of each post."""
    timings = []
    while not stop.is_set():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/s/local-offer")
        page = connection.getresponse()
        html = page.read().decode()
        cookie = page.getheader("Set-Cookie").split(";")[0]
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        body = urlencode({"csrf_token": csrf, "submission_id": str(uuid.uuid4()), **ANSWERS})
        started = time.perf_counter()
        connection.request(
            "POST",
            "/s/local-offer",
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        response = connection.getresponse()
        response.read()
        timings.append((response.status, time.perf_counter() - started))
        connection.close()
    return timings


def test_answers_keep_flowing_during_a_hundred_thousand_family_import(processes, tmp_path):  # noqa: F811
    extract = write_extract(tmp_path / "big.csv", FAMILIES)
    server = processes.serve(workers=2)
    stop, results = threading.Event(), []
    thread = threading.Thread(target=lambda: results.extend(answer_timings(server.port, stop)))
    thread.start()
    time.sleep(1)
    key = {"FEEDBACK_DATA_KEY": crypto.new_key()}
    importing = processes("waitlist", "import", str(extract), extra_env=key)
    assert importing.popen.wait(timeout=300) == 0, importing.output()
    stop.set()
    thread.join(timeout=60)
    assert f"Added {FAMILIES}, changed 0, rejected 0." in importing.output()
    assert len(results) > 20
    assert {status for status, _ in results} == {303}
    slowest = max(seconds for _, seconds in results)
    assert slowest < 1.0, f"slowest of {len(results)} answers took {slowest:.2f} s"
    assert "database is locked" not in server.output()

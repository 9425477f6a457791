"""The README's first command, as a newcomer runs it: a fresh folder, a fresh virtual environment,
`pip install .`, the demo and the server; then a printed demo account signs in in Chromium and
sees a complete scorecard, and the start page."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES

# The README's demo runs on its own SQLite file, whichever database the suite is on: once is enough.
pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the README's demo is the same on both passes")
ROOT = Path(__file__).parents[2]
# Not fed by the demo (see tests/feedback/test_first_hour.py): it compares with 2022-23.
NOT_FED = {"CIP 5.2"}


def readme_demo_command():
    """Return the first shell command under the README's "Try it" heading."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Try it", 1)[1]
    return re.search(r"```sh\n(.+?)\n```", section, re.S).group(1).strip()


def fresh_copy(target):
    """Copy the project's files (as a clone would hold them) into an empty folder."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    for name in listed.stdout.decode().split("\0"):
        if name and (ROOT / name).is_file():
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes((ROOT / name).read_bytes())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_output(log, pattern, process, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = re.search(pattern, log.read_text(errors="replace"))
        if found:
            return found
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        time.sleep(0.5)
    raise AssertionError(f"not seen in {seconds}s: {pattern}\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture
def readme_server(tmp_path):
    folder = tmp_path / "send-feedback"
    fresh_copy(folder)
    port = free_port()
    log = tmp_path / "readme.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FEEDBACK_", "VIRTUAL_ENV")) and k != "DATABASE_URL"
    }
    env["FEEDBACK_PORT"] = str(port)
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", "-c", readme_demo_command()],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        password = wait_for_output(log, r"Their password \(shown only now\): (\S+)", process, 900).group(1)
        wait_for_output(log, rf"Serving on http://127.0.0.1:{port}", process, 120)
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}", password, folder
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=40)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def test_the_readme_demo_command_leads_to_a_complete_scorecard(browser, readme_server):
    base, password, folder = readme_server
    assert (folder / "instance" / "feedback.sqlite3").exists()  # beside the checkout, not in .venv
    page = browser.new_page()
    page.goto(f"{base}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tell us what you think of SEND services"
    assert "commissioner@demo.example" in page.locator("#demo-accounts").inner_text()
    page.get_by_role("link", name="Sign in to see the figures").click()
    page.get_by_label("Email address").fill("commissioner@demo.example")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=re.compile("KPI scorecard")).first.wait_for()
    rows = page.locator("table tbody tr")
    empty = set()
    for index in range(rows.count()):
        text = rows.nth(index).inner_text()
        if "No data yet" in text:
            empty.add(text.split("\t")[0].strip())
    assert rows.count() >= 30
    assert {ref for ref in empty if not any(ref.startswith(skip) for skip in NOT_FED)} == set(), empty
    page.close()

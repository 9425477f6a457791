"""Take the README's screenshot tour from a fresh demo, so the pictures show what the code does today.

    pip install -e '.[test]' && python docs/tour.py        # writes docs/tour/*.png

It makes a demo instance in a temporary folder, serves it on a free port, and photographs with
Debian's chromium (Playwright): the survey on a phone, the easy-read survey, the chat on a Local
Offer page, and the scorecard as a commissioner sees it.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).parent / "tour"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_server(folder, port):
    """Make a demo in ``folder`` and serve it; return (server process, demo password)."""
    env = {**os.environ, "FEEDBACK_INSTANCE_PATH": str(folder), "FEEDBACK_PORT": str(port)}
    made = subprocess.run(
        [sys.executable, "-m", "feedback", "demo"], env=env, capture_output=True, text=True, check=True
    )
    password = re.search(r"Their password \(shown only now\): (\S+)", made.stdout).group(1)
    server = subprocess.Popen(
        [sys.executable, "-m", "feedback", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(5)  # the scheduler's first heartbeat, so staff pages show no warning
            return server, password
        time.sleep(0.3)
    raise SystemExit("the demo server did not start")


def photograph(base, password):
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
        phone.goto(f"{base}/s/service-experience?service=camhs&district=preston")
        phone.screenshot(path=OUT / "1-survey-on-a-phone.png", full_page=True)
        phone.goto(f"{base}/s/service-experience?service=salt&easy=1")
        phone.screenshot(path=OUT / "2-easy-read-survey.png", full_page=True)
        desktop = browser.new_page(viewport={"width": 1100, "height": 800})
        desktop.goto(f"{base}/chat/demo")
        desktop.get_by_role("button", name="Tell us what you think").click()
        desktop.get_by_text("Hello! I am a computer, not a person.").wait_for()
        desktop.wait_for_timeout(500)
        desktop.screenshot(path=OUT / "3-chat-on-a-local-offer-page.png")
        desktop.goto(f"{base}/dashboard/login")
        desktop.get_by_label("Email address").fill("commissioner@demo.example")
        desktop.get_by_label("Password").fill(password)
        desktop.get_by_role("button", name="Sign in").click()
        desktop.get_by_role("heading", name=re.compile("KPI scorecard")).wait_for()
        desktop.locator("table").first.scroll_into_view_if_needed()
        desktop.locator("table").first.screenshot(path=OUT / "4-scorecard.png")
        browser.close()


def main():
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server, password = demo_server(Path(folder), port)
        try:
            photograph(f"http://127.0.0.1:{port}", password)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    print("\n".join(str(p) for p in sorted(OUT.glob("*.png"))))


if __name__ == "__main__":
    main()

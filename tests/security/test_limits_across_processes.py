"""Real servers: two `feedback serve` processes, each with two worker processes, on one database.
Wrong passwords and survey posts sent to either are counted together."""

import http.client
import re
import socket
import time
from urllib.parse import urlencode

from sqlmodel import select

from feedback.db import reading
from feedback.models import Response, SignInFailure
from tests.conftest import create_staff, rows
from tests.reliability.conftest import free_port, processes  # noqa: F401 (the fixture)

SHARED_LIMITS = {
    "FEEDBACK_LOCKOUT_AFTER": "20",
    "FEEDBACK_LOCKOUT_FREE_TRIES": "1000",
    "FEEDBACK_RATE_LIMIT_SIGN_IN": "1000",
    "FEEDBACK_RATE_LIMIT_SURVEY": "10",
}


def _serve(processes):  # noqa: F811
    port = free_port()
    process = processes(
        "serve", "--port", str(port), "--workers", "2", "--threads", "1", port=port, extra_env=SHARED_LIMITS
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


def _form(port, path):
    """Open a form; return its CSRF token and the session cookie that goes with it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    connection.request("GET", path)
    page = connection.getresponse()
    html = page.read().decode()
    connection.close()
    cookie = page.getheader("Set-Cookie").split(";")[0]
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1), cookie


def _post(port, path, fields):
    token, cookie = _form(port, path)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    connection.request(
        "POST",
        path,
        urlencode({"csrf_token": token, **fields}),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body


def test_thirty_wrong_passwords_sent_to_two_servers_of_two_workers_are_counted_together(app, processes):  # noqa: F811
    create_staff("asd@example.org", "asd_team")
    servers = [_serve(processes), _serve(processes)]
    seen = []
    for attempt in range(30):
        server = servers[attempt % 2]
        status, body = _post(
            server.port,
            "/dashboard/login",
            {"email": "asd@example.org", "password": f"wrong guess {attempt}"},
        )
        seen.append((server.port, status, "locked" in body))
    # Each server saw 15 attempts, fewer than the lock's 20: only a shared count locks at the 20th.
    assert [status for _, status, _ in seen] == [401] * 20 + [429] * 10
    assert all(locked for _, status, locked in seen if status == 429)
    assert {port for port, status, _ in seen if status == 401} == {s.port for s in servers}
    with reading() as session:
        [failures] = list(session.exec(select(SignInFailure)))
    assert failures.failures == 20 and failures.locked_at is not None
    # The right password is refused too, on either server, until an administrator unlocks it.
    for server in servers:
        status, body = _post(
            server.port,
            "/dashboard/login",
            {"email": "asd@example.org", "password": "a long enough passphrase"},
        )
        assert status == 429 and "locked" in body
    for server in servers:
        assert "Traceback" not in server.output(), server.output()[-3000:]


def test_survey_posts_to_two_servers_share_one_limit_per_address(app, processes):  # noqa: F811
    servers = [_serve(processes), _serve(processes)]
    statuses = [
        _post(servers[n % 2].port, "/s/local-offer", {"found_information": "yes"})[0] for n in range(16)
    ]
    assert statuses == [303] * 10 + [429] * 6
    assert len(rows(Response)) == 10

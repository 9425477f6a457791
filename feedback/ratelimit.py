"""A small per-process rate limiter for public endpoints (survey posts, chat, invitations).

Fixed one-minute windows per (client address, bucket), kept in memory and forgotten after
the window: nothing is written down, so it holds no record of who answered. Several worker
processes each keep their own count, so the effective limit is per worker; that is enough to
stop a script hammering the service, which is its job.
"""

import threading
import time

from flask import current_app, request

from feedback.errors import render_error


class RateLimiter:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._windows = {}

    def hit(self, key, limit, window=60, count=True):
        """Count one request for key (unless ``count`` is False, to only look); return whether
        the key is within ``limit`` per ``window`` seconds."""
        now = self._clock()
        with self._lock:
            started, seen = self._windows.get(key, (now, 0))
            if now - started >= window:
                started, seen = now, 0
            if not count:
                return seen < limit
            self._windows[key] = (started, seen + 1)
            if len(self._windows) > 50_000:  # forget finished windows, so memory stays small
                self._windows = {k: v for k, v in self._windows.items() if now - v[0] < window}
            return seen + 1 <= limit


limiter = RateLimiter()


def client_address():
    """Return the client's address (the proxy's view of it when configured to trust one)."""
    return request.remote_addr or "unknown"


def over_limit(bucket, config_key, key=None, count=True):
    """Return whether this client (or ``key``) is over the configured per-minute limit."""
    limit = current_app.config[config_key]
    return not limiter.hit((bucket, key or client_address()), limit, count=count)


def limit_page(bucket, config_key):
    """Return a 429 page when over the limit (for use in before_request), else None."""
    if over_limit(bucket, config_key):
        return render_error(429)
    return None

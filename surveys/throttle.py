"""A throttle that keeps requests to GOV.UK Notify under its limit (3,000 a minute per API key).

Pure code: the clock and the sleep are arguments, so a test can run an hour of sending in no time.
A token bucket: requests go at ``per_minute / 60`` a second, with a burst of at most one second's
worth, so any 60 seconds hold at most ``per_minute`` plus that burst.
"""

import threading
import time


class Throttle:
    """Call ``wait()`` before each request; ``per_minute=0`` turns the throttle off."""

    def __init__(self, per_minute, monotonic=time.monotonic, sleep=time.sleep):
        self.per_minute = per_minute
        self.rate = per_minute / 60
        self.burst = max(1.0, self.rate)
        self.monotonic, self.sleep = monotonic, sleep
        self.tokens, self.last = self.burst, monotonic()
        self.lock = threading.Lock()  # the senders share one throttle

    def wait(self):
        """Return once a request may go (at once if the throttle is off)."""
        if not self.per_minute:
            return
        with self.lock:
            self._take()

    def _take(self):
        now = self.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens < 1:
            pause = (1 - self.tokens) / self.rate
            self.sleep(pause)
            self.last = self.monotonic()
            self.tokens = 1
        self.tokens -= 1


def within_limit(per_minute, limit=3000):
    """Return whether a setting keeps every minute under Notify's limit, burst included."""
    return per_minute + max(1.0, per_minute / 60) <= limit

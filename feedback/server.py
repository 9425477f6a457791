"""The production web server: gunicorn with several worker processes, each with its own app.

Each worker builds the app after it is forked (no preloading), so no database connection or
lock is ever shared between processes. There is no access log: client addresses are not kept.
"""

import gc
import logging
import os
import subprocess
import threading
import time

from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)


class FeedbackServer(BaseApplication):
    def __init__(self, options, app=None):
        self.options = options
        self.app = app
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        if self.app is not None:
            return self.app
        from feedback import create_app

        app = create_app()
        settle_heap()
        return app


def settle_heap():
    """Put what a long-running process built at start (modules, config, templates, the engine:
    about 170,000 objects) out of the garbage collector's sight. Otherwise every full collection
    walks them all again: a third of the time of allocation-heavy work such as the letters due
    for a long list (0.30 s frozen against 0.47 s, bench/run.py). They live as long as the
    process; objects made later are collected as before."""
    gc.collect()
    gc.freeze()


def run(host, port, workers, threads):
    """Serve until stopped (SIGTERM or Ctrl+C finishes requests in flight, then exits)."""
    FeedbackServer(options(host, port, workers, threads)).run()


def serve_app(app, host, port, workers, threads):
    """Serve another WSGI app with the same settings (the benchmark's bare-Flask baseline)."""
    FeedbackServer(options(host, port, workers, threads), app).run()


def options(host, port, workers, threads):
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "proc_name": "feedback",
    }


class SchedulerSupervisor(threading.Thread):
    """Keep one `feedback scheduler` child running beside the web server.

    A child that stops is started again after a backoff that doubles up to a minute (and goes
    back to one second once a child has run for a minute), with one line in the log each time.
    The child ends when this process ends, even by kill -9: it asks Linux for a signal when its
    parent dies and also checks its parent every second.
    """

    def __init__(self, command, first_backoff=1.0, max_backoff=60.0):
        super().__init__(name="scheduler-supervisor", daemon=True)
        self.command = command
        self.first_backoff, self.max_backoff = first_backoff, max_backoff
        self.stopping = threading.Event()
        self.child = None
        self.owner_pid = os.getpid()

    def run(self):
        backoff = self.first_backoff
        while not self.stopping.is_set():
            started = time.monotonic()
            self.child = subprocess.Popen(  # noqa: S603 (this project's own command)
                self.command, env={**os.environ, "FEEDBACK_PARENT_PID": str(os.getpid())}
            )
            status = self.child.wait()
            if self.stopping.is_set():
                return
            if time.monotonic() - started > 60:
                backoff = self.first_backoff
            log.warning(
                "the scheduler process stopped (exit status %s); starting it again in %.0fs", status, backoff
            )
            self.stopping.wait(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    def stop(self, timeout=30):
        """Stop the child (it finishes the job in hand) and do not start another.

        Only the server's master does this: a web worker is a fork of the master, and when it
        exits its copy of the serve command's ``finally`` would otherwise stop the scheduler.
        """
        if os.getpid() != self.owner_pid:
            return
        self.stopping.set()
        child = self.child
        if child is None or child.poll() is not None:
            return
        child.terminate()
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()

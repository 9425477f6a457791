"""The production web server: gunicorn with several worker processes, each with its own app.

Each worker builds the app after it is forked (no preloading), so no database connection or
lock is ever shared between processes. There is no access log: client addresses are not kept.
"""

from gunicorn.app.base import BaseApplication


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

        return create_app()


def run(host, port, workers, threads):
    """Serve until stopped (SIGTERM or Ctrl+C finishes requests in flight, then exits)."""
    FeedbackServer(options(host, port, workers, threads)).run()


def serve_app(app, host, port, workers, threads):
    """Serve another WSGI app with the same settings (the benchmark's bare-Flask baseline)."""
    FeedbackServer(options(host, port, workers, threads), app).run()


def options(host, port, workers, threads):
    return {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "accesslog": None, "errorlog": "-", "loglevel": "warning",
        "timeout": 60, "graceful_timeout": 20, "keepalive": 5,
        "proc_name": "feedback",
    }

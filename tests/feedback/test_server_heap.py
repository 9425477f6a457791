"""A web worker puts what it built at start out of the garbage collector's sight (gc.freeze), so
full collections during allocation-heavy work do not walk the whole app again and again."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

WORKER_START = (
    "import gc\n"
    "from feedback.server import FeedbackServer, options\n"
    "before = gc.get_freeze_count()\n"
    "app = FeedbackServer(options('127.0.0.1', 0, 1, 1)).load()\n"
    "print(app.name, before, gc.get_freeze_count())\n"
)


def test_a_web_worker_freezes_what_it_built_at_start(tmp_path):
    env = {**os.environ, "FEEDBACK_INSTANCE_PATH": str(tmp_path), "FEEDBACK_SCHEDULER": "off"}
    env.pop("DATABASE_URL", None)  # SQLite in the test's folder; nothing is read at start
    result = subprocess.run(
        [sys.executable, "-c", WORKER_START], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    name, before, after = result.stdout.split()
    assert name == "feedback"
    assert int(before) == 0
    assert int(after) > 50_000  # the app's modules, config, templates and engine

"""The embeddable script stays small enough for a slow phone connection."""

import gzip

from bot.api import STATIC

BUDGET_BYTES = 15 * 1024


def test_widget_script_is_under_fifteen_kilobytes_gzipped():
    script = (STATIC / "widget.js").read_bytes()
    assert len(gzip.compress(script, compresslevel=9)) < BUDGET_BYTES

"""`feedback kpi-values import`: all or nothing, a true count, plain messages for bad files."""

import pytest

from feedback.models import KpiManualValue
from tests.conftest import rows
from tests.feedback.test_cli import run

HEADER = "plan,ref,month,value,note\n"
GOOD = "cip-2023,CIP 3.4,2026-09,31,from the case system\n"


def import_file(app, tmp_path, content, name="values.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return run(app, "kpi-values", "import", str(path), "--entered-by", "EHC team")


def test_a_clean_file_is_saved_whole_and_the_count_is_what_was_stored(app, tmp_path):
    result = import_file(app, tmp_path, HEADER + GOOD + "cip-2023,CIP 3.4,2026-10,42,\n")
    assert result.exit_code == 0, result.output
    assert "Saved 2 values." in result.output
    assert sorted(v.value for v in rows(KpiManualValue)) == [31.0, 42.0]


def test_one_refused_line_imports_nothing_and_names_every_refused_line(app, tmp_path):
    result = import_file(
        app, tmp_path, HEADER + GOOD + "cip-2023,CIP 3.4,2026-10,abc,\ncip-2023,CIP 9.9,2026-10,10,\n"
    )
    assert result.exit_code == 1
    assert "Line 3 refused" in result.output and "Line 4 refused" in result.output
    assert "2 of 3 lines refused; nothing was imported" in result.output
    assert rows(KpiManualValue) == []


def test_the_same_kpi_and_month_twice_is_refused_not_counted_as_saved(app, tmp_path):
    result = import_file(app, tmp_path, HEADER + GOOD + "cip-2023,CIP 3.4,2026-09,35,\n")
    assert result.exit_code == 1
    assert "Line 3 refused: CIP 3.4 for September 2026 is already on line 2" in result.output
    assert rows(KpiManualValue) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ((HEADER + GOOD).encode("utf-16"), "UTF-16"),
        ((HEADER + "cip-2023,CIP 3.4,2026-09,31,réunion\n").encode("latin-1"), "not UTF-8"),
        ("plan,ref,value\n" + "cip-2023,CIP 3.4,31\n", "no column month"),
        (HEADER + "cip-2023,CIP 3.4,2026-09,31," + "x" * 200_000 + "\n", "too long"),
        (HEADER + "cip-2023,CIP 3.4,2026-09,31,a\x00b\n", "NUL"),
    ],
)
def test_a_file_that_cannot_be_read_gets_one_plain_message_and_imports_nothing(
    app, tmp_path, content, message
):
    result = import_file(app, tmp_path, content)
    assert result.exit_code == 1
    assert message in result.output and "Nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert rows(KpiManualValue) == []


def test_a_utf8_file_with_a_byte_order_mark_from_excel_is_read(app, tmp_path):
    result = import_file(app, tmp_path, b"\xef\xbb\xbf" + (HEADER + GOOD).encode())
    assert result.exit_code == 0, result.output
    assert len(rows(KpiManualValue)) == 1

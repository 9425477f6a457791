"""The FFT monthly return: only the FFT question, by answer and by collection mode, totals that
add up, one row per service that asked it; the command line and the dashboard agree with a
recomputation from the stored answers."""

import csv
import io
from collections import Counter
from datetime import date

import pytest

from analysis import fft
from feedback.models import Answer, Response
from surveys import definitions
from tests.conftest import create_invitation, create_response, create_staff, rows, sign_in
from tests.feedback.test_cli import run

OCTOBER = date(2026, 10, 1)
# Typed from the FFT guidance's modes, independently of analysis.fft.
MODE_OF_CHANNEL = {"form": "online", "chat": "online", "kiosk": "tablet_kiosk", "api": "other"}


@pytest.fixture
def october(app):
    mix = [
        ("camhs", "very_good", "form"),
        ("camhs", "good", "form"),
        ("camhs", "poor", "kiosk"),
        ("camhs", "dont_know", "chat"),
        ("camhs", "good", "chat"),
        ("salt", "neither", "form"),
        ("salt", "very_poor", "kiosk"),
        ("physiotherapy", "good", "api"),
    ]
    for service, answer, channel in mix:
        create_response(
            answers={"overall": answer, "right_support": "yes"},
            service=service,
            channel=channel,
            month=OCTOBER,
        )
    create_response(answers={"right_support": "no"}, service="camhs", month=OCTOBER)  # FFT skipped
    create_response(
        "ehcp-annual-review", {"overall": "good"}, service="ehc-assessment", invited=True, month=OCTOBER
    )
    # The same scale but not the FFT question, and instruments without it: no rows.
    create_response("asd-support", {"support": "good"}, service="asd-nd-pathway", month=OCTOBER)
    create_response(
        "break-time-parent", {"delivered_well": "agree"}, service="break-time", channel="chat", month=OCTOBER
    )
    create_response("board-quiz", {}, service="partnership-board", score=90, month=OCTOBER)
    create_response(answers={"overall": "good"}, service="camhs", month=date(2026, 9, 1))
    for _ in range(3):
        create_invitation(service_slug="camhs", month=OCTOBER)
    create_invitation(instrument_slug="asd-support", service_slug="asd-nd-pathway", month=OCTOBER)
    return app


def recomputed(month):
    """The return worked out from the stored rows, one response at a time."""
    responses = {r.id: r for r in rows(Response) if r.month == month}
    fft_instruments = {"service-experience", "ehcp-annual-review"}
    answers, modes = Counter(), Counter()
    for answer in rows(Answer, question_key="overall"):
        response = responses.get(answer.response_id)
        if response is None or response.instrument_slug not in fft_instruments:
            continue
        answers[(response.service_slug, answer.value)] += 1
        modes[(response.service_slug, MODE_OF_CHANNEL[response.channel])] += 1
    return answers, modes


def parsed(text):
    return {row["service"]: row for row in csv.DictReader(io.StringIO(text))}


def test_the_fft_question_is_found_by_its_key_and_its_six_answers():
    found, _ = definitions.load_directory()
    assert fft.fft_questions(found) == {"service-experience": "overall", "ehcp-annual-review": "overall"}


def test_cli_return_matches_a_recomputation_from_the_answers(october):
    result = run(october, "fft-return", "--month", "2026-10")
    assert result.exit_code == 0, result.output
    header = next(csv.reader(io.StringIO(result.output)))
    assert "total_responses" in header
    assert [h for h in header if h.startswith("mode_")] == [
        "mode_sms",
        "mode_online",
        "mode_tablet_kiosk",
        "mode_paper",
        "mode_telephone",
        "mode_other",
    ]
    table = parsed(result.output)
    assert set(table) == {"camhs", "salt", "physiotherapy", "ehc-assessment"}  # no quiz, no ASD
    answers, modes = recomputed(OCTOBER)
    for service, row in table.items():
        for code in fft.ANSWERS:
            assert int(row[code]) == answers[(service, code)], (service, code)
        for mode in fft.MODES:
            assert int(row[f"mode_{mode}"]) == modes[(service, mode)], (service, mode)
    assert table["camhs"]["total_responses"] == "5" and table["camhs"]["total_eligible"] == "3"
    assert (table["camhs"]["mode_online"], table["camhs"]["mode_tablet_kiosk"]) == ("4", "1")


def test_every_row_adds_up_by_answer_and_by_mode(october):
    for row in parsed(run(october, "fft-return", "--month", "2026-10").output).values():
        total = int(row["total_responses"])
        assert sum(int(row[code]) for code in fft.ANSWERS) == total
        assert sum(int(row[f"mode_{m}"]) for m in fft.MODES) == total


def test_the_dashboard_download_is_the_same_return(october, client):
    create_staff()
    sign_in(client)
    download = client.get("/dashboard/export/fft-return.csv?month=2026-10").get_data(as_text=True)
    assert parsed(download) == parsed(run(october, "fft-return", "--month", "2026-10").output)

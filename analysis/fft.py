"""The Friends and Family Test monthly return, as NHS England's FFT guidance asks. Pure code.

Only answers to the FFT question count ("Overall, how was your experience of ...?" on the
six-point FFT scale); other questions that use the same scale (the ASD support, the transition
experience) are not the FFT question. Each answer is counted once by its answer and once by the
mode it was collected in, so the answer columns and the mode columns both add up to
``total_responses``. A service has a row when it asked the FFT question that month.
"""

ANSWERS = ("very_good", "good", "neither", "poor", "very_poor", "dont_know")
FFT_KEY = "overall"
# The FFT's collection modes, and how this service's channels map to them: how the answer was
# collected, not how the person was asked. A form opened from a text-message invitation or a
# QR code is answered online; sms, paper and telephone stay 0 until answers are collected so.
MODES = ("sms", "online", "tablet_kiosk", "paper", "telephone", "other")
CHANNEL_MODES = {"form": "online", "chat": "online", "kiosk": "tablet_kiosk", "api": "other"}
HEADER = ["service", *ANSWERS, "total_responses", *(f"mode_{m}" for m in MODES), "total_eligible"]


def fft_questions(definitions):
    """Return {instrument slug: question key} for instruments that ask the FFT question."""
    found = {}
    for definition in definitions:
        question = definition.question(FFT_KEY)
        if question is not None and tuple(o.code for o in question.options) == ANSWERS:
            found[definition.slug] = question.key
    return found


def mode_of(channel):
    """Return the FFT collection mode of a channel (unknown channels are "other")."""
    return CHANNEL_MODES.get(channel, "other")


def return_rows(counts, eligible):
    """Return (header, rows) from [(service, answer, channel, count)] and {service: invitations}.

    ``eligible`` counts invitations to instruments that ask the FFT question.
    """
    by_service = {}
    for service, answer, channel, count in counts:
        if answer not in ANSWERS:
            continue
        answers, modes = by_service.setdefault(service, ({}, {}))
        answers[answer] = answers.get(answer, 0) + count
        mode = mode_of(channel)
        modes[mode] = modes.get(mode, 0) + count
    rows = []
    for service in sorted(by_service):
        answers, modes = by_service[service]
        row = [
            service,
            *(answers.get(a, 0) for a in ANSWERS),
            sum(answers.values()),
            *(modes.get(m, 0) for m in MODES),
            eligible.get(service, 0),
        ]
        rows.append(row)
    return HEADER, rows

"""POST /api/v1/appointments: a patient administration system pushes appointments as they end.

Token-authorised like the rest of the API (`feedback api-tokens add`): an admin token for any
service, a service staff token for its own services. The body is one appointment as a JSON
object, or a list of them, with the fields of the CSV import. All or nothing (422 with the
reasons), unless ``?skip_invalid=1``. Sending the same appointment again changes nothing.
"""

from flask import Blueprint, g, jsonify, request

from feedback import audit, clock
from feedback.extensions import csrf
from surveys import appointments, contact, intake

bp = Blueprint("api_appointments", __name__, url_prefix="/api/v1/appointments")
csrf.exempt(bp)  # a token in the Authorization header, never a cookie: nothing to forge
WRITERS = ("admin", "service_staff")
MAX_APPOINTMENTS = 500


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _problem(status, message, **extra):
    response = jsonify({"error": message, "status": status, **extra})
    response.status_code = status
    return response


def _rejected(items):
    return [{"position": r.line, "appointment_id": r.appointment_id, "reason": r.reason} for r in items]


@bp.post("")
def receive():
    """Take one appointment or a list of them; say what became of each."""
    holder = g.api_token
    if holder.role not in WRITERS:
        return _problem(
            403,
            "This token cannot add appointments: use an admin token, or a service "
            "staff token for the appointments' services.",
        )
    body = request.get_json(silent=True)
    records = [body] if isinstance(body, dict) else body
    if not isinstance(records, list) or not records:
        return _problem(400, "Send an appointment as a JSON object, or a list of them.")
    if len(records) > MAX_APPOINTMENTS:
        return _problem(413, f"Send at most {MAX_APPOINTMENTS} appointments at a time.")
    try:
        keys = contact.configured_keys()
    except contact.DataKeyError:
        return _problem(503, "Appointments cannot be taken until FEEDBACK_DATA_KEY is set.")
    rows, rejected = intake.check(records, intake.known(), clock.now())
    if holder.services is not None:
        outside = [r for r in rows if r.service not in holder.services]
        rows = [r for r in rows if r.service in holder.services]
        rejected += [
            appointments.Rejected(r.line, r.appointment_id, "service is not one this token covers")
            for r in outside
        ]
    if rejected and request.args.get("skip_invalid") != "1":
        rejected.sort(key=lambda r: r.line)
        return _problem(
            422,
            "Nothing was added: some appointments have problems (or add the valid ones "
            "with ?skip_invalid=1).",
            rejected=_rejected(rejected),
        )
    counts = intake.save(rows, keys)
    audit.record(
        "appointments_api",
        actor=holder.email,
        subject="appointments",
        detail=intake.summary(counts, rejected)[:300],
    )
    return jsonify(
        {
            "added": counts.get("added", 0),
            "already_known": counts.get("already known", 0),
            "opted_out": counts.get("opted out", 0),
            "not_contacted": counts.get("on the do-not-contact list", 0),
            "rejected": _rejected(rejected),
        }
    ), 201 if counts.get("added") else 200

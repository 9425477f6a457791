"""The ASD team's pages: the waiting list, one family's timeline, letters to print and record."""

import io
import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField

from feedback import audit, auth, clock
from feedback.db import reading, transaction
from feedback.errors import render_error
from feedback.forms import EraseForm, MarkSentForm
from feedback.waitlist import crypto, dao, extract, letters, notify, references, tracker

bp = Blueprint("asd", __name__, url_prefix="/asd")


@bp.errorhandler(crypto.DataKeyError)
def key_missing(error):
    return render_error(503, "The waiting list is not available", str(error))


@bp.before_request
def reference_breaking_the_rule():
    """Send a family page whose reference breaks the rule (stored before it) to the page that
    says why and changes it: such a reference is not safe in addresses and file names."""
    reference = (request.view_args or {}).get("reference")
    if reference is None or extract.valid_reference(reference):
        return None
    with reading() as session:
        row = dao.entry(session, reference)
    if row is None:
        abort(404)
    flash(
        "This family's reference breaks the reference rule, so its pages cannot be opened "
        "until it is changed.",
        "error",
    )
    return redirect(url_for(".stored_references", _anchor=f"entry-{row.id}"))


def _today():
    return clock.today()


@bp.get("/")
def waiting_list():
    """The waiting list, filtered by pathway, district, weeks waited and overdue letters."""
    fernet = crypto.configured_key()
    args = request.args
    pathway = args.get("pathway") or None
    district = args.get("district") or None
    try:
        min_weeks = max(0, int(args.get("weeks") or 0))
    except ValueError:
        min_weeks = 0
    overdue_only = args.get("overdue") == "1"
    today = _today()
    with reading() as session:
        found = [
            f
            for f in tracker.families(session, today, pathway, district)
            if f.waiting and f.weeks_waited >= min_weeks and (f.overdue or not overdue_only)
        ]
        districts = sorted(dao.district_slugs(session))
        shown = found[:200]
        tokens = dao.personal_tokens(session, [f.row.id for f in shown])
        breaking = len(references.breakers(dao.references(session)))
    waits = sorted(f.weeks_waited for f in found)
    spread = tracker.wait_spread(waits)
    audit.record("view_personal_data", subject="waiting list", detail=f"{len(shown)} families")
    for fam in shown:
        fam.personal = crypto.unseal(fernet, tokens[fam.row.id])
    return render_template(
        "asd/list.html",
        families=shown,
        total=len(found),
        today=today,
        spread=spread,
        pathways=tracker.policy().pathways,
        districts=districts,
        breaking=breaking,
        valid_reference=extract.valid_reference,
        shown_reference=references.shown,
        filters={"pathway": pathway, "district": district, "weeks": min_weeks, "overdue": overdue_only},
    )


def _family(session, reference, today, fernet):
    row = dao.entry(session, reference)
    if row is None:
        abort(404)
    sent = dao.sent_letters(session, [row.id]).get(row.id, [])
    return tracker.family(row, sent, today, tracker.policy(), tracker.bank_holidays(today), fernet)


@bp.get("/family/<reference>")
def family(reference):
    """One family's timeline: referral, letters due and sent, support, seen."""
    fernet = crypto.configured_key()
    today = _today()
    with reading() as session:
        fam = _family(session, reference, today, fernet)
        estimate = tracker.expected_wait(session, fam.row, today)
    audit.record("view_personal_data", subject=reference)
    pol = tracker.policy()
    waited = tracker.schedule.wait_in_words(
        fam.entry.referral_date, min(today, tracker.schedule.stopped_on(fam.entry) or today)
    )
    return render_template(
        "asd/family.html",
        fam=fam,
        today=today,
        estimate=estimate,
        policy=pol,
        waited=waited,
        notify_words=notify.STATUS_WORDS,
        notify_failed=notify.FAILED,
        schedule=tracker.schedule.scheduled_letters(fam.entry, pol),
        sent={s.sequence: s for s in fam.sent},
        form=MarkSentForm(),
        format_form=LetterFormatForm(large_print=fam.row.large_print, easy_read=fam.row.easy_read),
        erase_form=EraseForm(),
    )


@bp.get("/family/<reference>/letter.pdf")
def family_letter(reference):
    """The PDF of this family's due letters, to print."""
    fernet = crypto.configured_key()
    with reading() as session:
        if dao.entry(session, reference) is None:
            abort(404)
        contents = tracker.letter_contents(session, _today(), fernet, reference)
    if not contents:
        abort(404)
    audit.record("print_personal_data", subject=reference, detail=f"{len(contents)} letter(s)")
    buffer = io.BytesIO()
    letters.write_pdf(contents, buffer)
    buffer.seek(0)
    return send_file(
        buffer, mimetype="application/pdf", as_attachment=True, download_name=f"letter-{reference}.pdf"
    )


@bp.post("/family/<reference>/sent")
def mark_sent(reference):
    """Record that a letter was posted, with who and when."""
    form = MarkSentForm()
    target = url_for("asd.family", reference=reference)
    if not form.validate_on_submit():
        flash("Say which letter, and the date it was posted (for example 21 11 2026).", "error")
        return redirect(target)
    try:
        with transaction() as session:
            tracker.mark_sent(
                session, reference, form.sequence.data, form.sent_on.data, auth.current_user().email
            )
    except tracker.LetterRefused as error:
        flash(f"Not recorded: {error}.", "error")
        return redirect(target)
    audit.record("letter_sent", subject=reference, detail=f"letter {form.sequence.data}")
    flash(f"Letter {form.sequence.data} recorded as sent on {form.sent_on.data:%d %B %Y}.", "success")
    return redirect(target)


class LetterFormatForm(FlaskForm):
    """The letter format a family asked for."""

    large_print = BooleanField("Large print (16 point)")
    easy_read = BooleanField("Easy read (short sentences and pictures)")


@bp.post("/family/<reference>/format")
def letter_format(reference):
    """Record the letter format the family asked for (large print, easy read)."""
    form = LetterFormatForm()
    target = url_for("asd.family", reference=reference)
    if not form.validate_on_submit():
        flash("Not changed: the form had expired. Try again.", "error")
        return redirect(target)
    with transaction() as session:
        found = dao.set_letter_format(session, reference, form.large_print.data, form.easy_read.data)
    if not found:
        abort(404)
    audit.record(
        "letter_format",
        subject=reference,
        detail=f"large print {'on' if form.large_print.data else 'off'}, "
        f"easy read {'on' if form.easy_read.data else 'off'}",
    )
    flash("Letter format saved: the next letter is printed that way.", "success")
    return redirect(target)


@bp.get("/family/<reference>/record.json")
def subject_access(reference):
    """Everything held about the family, for a subject access request (a JSON file to pass on)."""
    fernet = crypto.configured_key()
    events = audit.recent(subject=reference)
    with reading() as session:
        record = tracker.subject_access(session, reference, fernet, events, _today())
    if record is None:
        abort(404)
    audit.record("subject_access_export", subject=reference)
    body = json.dumps(record, indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="subject-access-{reference}.json"'},
    )


@bp.post("/family/<reference>/erase")
def erase(reference):
    """Erase the family's personal data and letter records (an erasure request), after the
    reference is typed again to confirm. Monthly figures already worked out stay."""
    form = EraseForm()
    target = url_for("asd.family", reference=reference)
    if not form.validate_on_submit() or form.confirm.data != reference:
        flash("Not erased: type the family's reference exactly to confirm.", "error")
        return redirect(target)
    with transaction() as session:
        row = dao.entry(session, reference)
        if row is None:
            abort(404)
        letter_count = dao.erase(session, row)
    audit.record(
        "data_deletion",
        subject=reference,
        detail=f"erasure request: personal data and {letter_count} letter record(s) erased",
    )
    flash(
        f"Erased the waiting-list record {reference}. Ask for it to be removed from the "
        "provider's extract too, or the next import will add it again.",
        "success",
    )
    return redirect(url_for("asd.waiting_list"))


class ReferenceForm(FlaskForm):
    """A new reference for a family whose stored one breaks the rule."""

    new_reference = StringField("New reference", filters=[lambda v: (v or "").strip()])


@bp.get("/references")
def stored_references():
    """The stored references that break the rule: why, and a form to change each."""
    with reading() as session:
        breaking = references.breakers(dao.references(session))
    return render_template(
        "asd/references.html",
        breaking=breaking,
        rule=extract.REFERENCE_RULE,
        how_to_fix=references.HOW_TO_FIX,
        form=ReferenceForm(),
    )


@bp.post("/references/<int:entry_id>")
def change_reference(entry_id):
    """Give a family whose reference breaks the rule a new one that follows it."""
    form = ReferenceForm()
    target = url_for(".stored_references", _anchor=f"entry-{entry_id}")
    if not form.validate_on_submit():
        flash("Not changed: the form had expired. Try again.", "error")
        return redirect(target)
    new = form.new_reference.data
    try:
        with transaction() as session:
            old = references.check_change(entry_id, new, dao.references(session))
            dao.change_reference(session, entry_id, new)
    except ValueError as error:
        flash(f"Not changed: {error}.", "error")
        return redirect(target)
    audit.record("reference_changed", subject=new, detail=f"was {references.shown(old)}"[:300])
    flash(
        f"Changed to {new}. Change it in the provider's system too, so that the next extract carries it.",
        "success",
    )
    return redirect(url_for(".family", reference=new))

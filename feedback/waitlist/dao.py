"""Queries for the waiting list and its letters."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, delete, func, insert, or_, update
from sqlmodel import select

from feedback.models import District, Letter, WaitingListEntry, utcnow
from feedback.waitlist import crypto, notify, schedule

ADDRESS = ("address_line_1", "address_line_2", "town", "postcode")
# What an entry's schedule needs; a letter needs its formats too, the KPIs the support offered.
SCHEDULE_COLUMNS = (
    "id",
    "reference",
    "pathway",
    "district_slug",
    "referral_date",
    "first_appointment",
    "discharged_on",
)
# What a letter needs of an entry besides the personal details (read for the letters due only).
LETTER_COLUMNS = (*SCHEDULE_COLUMNS, "large_print", "easy_read")
KPI_COLUMNS = (*SCHEDULE_COLUMNS, "support_offered_on", "support_taken_up_on")


def entries_by_reference(session, references=None):
    """Return {reference: entry}, for some references or all."""
    query = select(WaitingListEntry)
    if references is not None:
        query = query.where(WaitingListEntry.reference.in_(list(references)))
    return {e.reference: e for e in session.exec(query)}


def _format(entry, row):
    """Return (large print, easy read) after the row: a column the extract leaves out keeps
    what is stored (the ASD team may have set it)."""
    return (
        entry.large_print if row.large_print is None else row.large_print,
        entry.easy_read if row.easy_read is None else row.easy_read,
    )


def _changes(entry, row, personal):
    changed = [
        name
        for name, old, new in (
            ("pathway", entry.pathway, row.pathway),
            ("district", entry.district_slug, row.district),
            ("referral date", entry.referral_date, row.referral_date),
            ("first appointment", entry.first_appointment, row.first_appointment),
            ("discharge", entry.discharged_on, row.discharged_on),
            ("support offered", entry.support_offered_on, row.support_offered_on),
            ("support taken up", entry.support_taken_up_on, row.support_taken_up_on),
            ("letter format", (entry.large_print, entry.easy_read), _format(entry, row)),
        )
        if old != new
    ]
    if any(personal.get(k) != row.personal.get(k) for k in ADDRESS):
        changed.append("address")
    if any(personal.get(k) != row.personal.get(k) for k in row.personal if k not in ADDRESS):
        changed.append("personal details")
    return changed


@dataclass
class ImportPlan:
    """What an import will write, worked out (checked, compared, encrypted) before any write."""

    inserts: list = field(default_factory=list)  # column values of new entries
    updates: list = field(default_factory=list)  # id and column values of changed entries
    changes: Counter = field(default_factory=Counter)

    @property
    def added(self):
        return len(self.inserts)

    def batches(self, size):
        """Yield (inserts, updates) in batches of at most ``size`` rows each."""
        for start in range(0, max(len(self.inserts), len(self.updates)), size):
            yield self.inserts[start : start + size], self.updates[start : start + size]


def _columns(row):
    return {
        "pathway": row.pathway,
        "district_slug": row.district,
        "referral_date": row.referral_date,
        "first_appointment": row.first_appointment,
        "discharged_on": row.discharged_on,
        "support_offered_on": row.support_offered_on,
        "support_taken_up_on": row.support_taken_up_on,
        **{
            name: value
            for name, value in (("large_print", row.large_print), ("easy_read", row.easy_read))
            if value is not None
        },
    }


def plan_import(session, fernet, rows):
    """Compare rows with the stored entries and encrypt what changed; read only, so it runs
    before the import takes the write lock. Returns an ImportPlan."""
    existing, references = {}, [r.reference for r in rows]
    for start in range(0, len(references), 500):
        query = select(WaitingListEntry.__table__).where(
            WaitingListEntry.reference.in_(references[start : start + 500])
        )
        existing.update((e.reference, e) for e in session.execute(query))
    plan, now = ImportPlan(), utcnow()
    for row in rows:
        entry = existing.get(row.reference)
        if entry is None:
            plan.inserts.append(
                {
                    "large_print": False,
                    "easy_read": False,
                    **_columns(row),
                    "reference": row.reference,
                    "created_at": now,
                    "updated_at": now,
                    "personal": crypto.seal(fernet, row.personal),
                }
            )
            continue
        changed = _changes(entry, row, crypto.unseal(fernet, entry.personal))
        if not changed:
            continue
        plan.changes.update(changed)
        plan.changes["entries"] += 1
        personal = entry.personal
        if "address" in changed or "personal details" in changed:
            personal = crypto.seal(fernet, row.personal)
        plan.updates.append(
            # letters_policy emptied: the next letter's day is worked out afresh (``stale``)
            {**_columns(row), "id": entry.id, "updated_at": now, "personal": personal, "letters_policy": None}
        )
    return plan


def write_import(session, inserts, updates):
    """Write one batch of an import plan (inside a short write transaction)."""
    if inserts:
        session.execute(insert(WaitingListEntry), inserts)
    if updates:
        session.execute(update(WaitingListEntry), updates)


def save_rows(session, fernet, rows):
    """Add new entries and update changed ones by reference, in one session (the demo and
    tests; the import command plans first and writes in short batches); return (added, changes)."""
    plan = plan_import(session, fernet, rows)
    write_import(session, plan.inserts, plan.updates)
    session.flush()
    return plan.added, plan.changes


def all_entries(session, pathway=None, district=None, personal=False):
    """Return entries, oldest referral first, optionally for one pathway or district.

    They are read-only rows with the table's columns as attributes (not ORM objects, which take
    several times as long to build for a list of 100,000); change an entry through ``entry``.
    The encrypted personal details are read only when asked for (``personal_tokens`` reads them
    for a few).
    """
    columns = [c for c in WaitingListEntry.__table__.columns if personal or c.name != "personal"]
    query = select(*columns).order_by(WaitingListEntry.referral_date, WaitingListEntry.id)
    if pathway:
        query = query.where(WaitingListEntry.pathway == pathway)
    if district:
        query = query.where(WaitingListEntry.district_slug == district)
    return list(session.execute(query))


def kpi_entries(session):
    """Return every entry with only the columns the KPIs count (no personal details, no times):
    read-only rows, a fraction of ``all_entries``' cost for a long list."""
    return list(session.execute(select(*[getattr(WaitingListEntry, name) for name in KPI_COLUMNS])))


def letters_sent_on(session):
    """Return {entry id: [rows of (entry_id, sequence, sent_on)]} for every letter sent, in
    sequence order: what the KPIs count, without loading each letter whole."""
    query = select(Letter.entry_id, Letter.sequence, Letter.sent_on)
    letters = defaultdict(list)
    for row in session.execute(query.order_by(Letter.entry_id, Letter.sequence)):
        letters[row.entry_id].append(row)
    return letters


def personal_tokens(session, entry_ids):
    """Return {entry id: encrypted personal details} for some entries."""
    ids, tokens = list(entry_ids), {}
    for start in range(0, len(ids), 500):
        query = select(WaitingListEntry.id, WaitingListEntry.personal).where(
            WaitingListEntry.id.in_(ids[start : start + 500])
        )
        tokens.update((entry_id, token) for entry_id, token in session.execute(query))
    return tokens


def any_personal_token(session):
    """Return one stored entry's encrypted details (to check the key fits), or None."""
    return session.execute(select(WaitingListEntry.personal).limit(1)).scalar()


def entry(session, reference):
    return session.exec(select(WaitingListEntry).where(WaitingListEntry.reference == reference)).first()


def sent_letters(session, entry_ids=None):
    """Return {entry id: [Letter, ...]} in sequence order."""
    query = select(Letter).order_by(Letter.entry_id, Letter.sequence)
    if entry_ids is not None:
        query = query.where(Letter.entry_id.in_(list(entry_ids)))
    letters = defaultdict(list)
    for letter in session.exec(query):
        letters[letter.entry_id].append(letter)
    return letters


def record_sent(session, entry_row, due_letter, sent_on, sent_by, notify_id=None):
    """Record a letter as sent (replacing the record of one that failed in Notify)."""
    forget_failed(session, [(entry_row.id, due_letter.sequence)])
    session.add(
        Letter(
            entry_id=entry_row.id,
            sequence=due_letter.sequence,
            letter_type=due_letter.letter_type,
            due_on=due_letter.due_on,
            sent_on=sent_on,
            sent_by=sent_by,
            notify_id=notify_id,
            notify_status="accepted" if notify_id else None,
        )
    )
    mark_stale(session, [entry_row.id])
    session.flush()


def forget_failed(session, entry_sequences):
    """Delete the records of letters that failed in Notify, before they are sent again."""
    for entry_id, sequence in entry_sequences:
        session.execute(
            delete(Letter).where(
                Letter.entry_id == entry_id,
                Letter.sequence == sequence,
                Letter.notify_status.in_(sorted(notify.FAILED)),
            )
        )


def unsettled_notify_letters(session):
    """Return (letter id, Notify id) of letters sent through Notify whose fate is not settled."""
    query = select(Letter.id, Letter.notify_id).where(
        Letter.notify_id.is_not(None), Letter.notify_status.not_in(sorted(notify.SETTLED))
    )
    return list(session.execute(query))


def set_notify_status(session, letter_id, status, checked_at):
    session.execute(
        update(Letter)
        .where(Letter.id == letter_id)
        .values(notify_status=status, notify_checked_at=checked_at)
    )
    if status in notify.FAILED:  # a failed letter is due again
        entry_id = select(Letter.entry_id).where(Letter.id == letter_id).scalar_subquery()
        session.execute(
            update(WaitingListEntry).where(WaitingListEntry.id == entry_id).values(letters_policy=None)
        )


def letter(session, entry_row, sequence):
    return session.exec(
        select(Letter).where(Letter.entry_id == entry_row.id, Letter.sequence == sequence)
    ).first()


def weekly_first_appointments(session, pathway, on, weeks):
    """Return the number of first appointments in each of the last ``weeks`` whole weeks."""
    since = on - timedelta(weeks=weeks)
    days = session.exec(
        select(WaitingListEntry.first_appointment, func.count())
        .where(
            WaitingListEntry.pathway == pathway,
            WaitingListEntry.first_appointment > since,
            WaitingListEntry.first_appointment <= on,
        )
        .group_by(WaitingListEntry.first_appointment)
    ).all()
    counts = [0] * weeks
    for day, n in days:
        counts[min(weeks - 1, (on - day).days // 7)] += n
    return counts


def as_schedule_entry(row):
    """Return the schedule's view of an entry (no personal data)."""
    return schedule.Entry(
        row.reference, row.pathway, row.referral_date, row.first_appointment, row.discharged_on
    )


def district_slugs(session):
    return set(session.exec(select(District.slug)))


def record_many_sent(session, records):
    """Insert many sent-letter records at once (plain dicts of Letter's columns)."""
    if records:
        now = utcnow()
        session.execute(insert(Letter), [{**r, "recorded_at": now} for r in records])
        mark_stale(session, {r["entry_id"] for r in records})


def set_letter_format(session, reference, large_print, easy_read):
    """Record the letter format a family asked for; return whether the family exists."""
    found = entry(session, reference)
    if found is not None:
        found.large_print, found.easy_read, found.updated_at = large_print, easy_read, utcnow()
    return found is not None


def erase(session, entry_row):
    """Delete a family's entry and its letter records; return how many letters there were."""
    letters = session.execute(delete(Letter).where(Letter.entry_id == entry_row.id)).rowcount
    session.delete(entry_row)
    return letters


def references(session):
    """Return {entry id: reference} of every family (no personal data)."""
    return dict(session.execute(select(WaitingListEntry.id, WaitingListEntry.reference)).all())


def change_reference(session, entry_id, new):
    """Give a family a new reference; its letters follow, being kept by the entry's id."""
    row = session.get(WaitingListEntry, entry_id)
    row.reference, row.updated_at = new, utcnow()
    session.add(row)


def clear(session):
    """Delete the whole waiting list and its letters (the demo's --replace)."""
    session.execute(delete(Letter))
    session.execute(delete(WaitingListEntry))


# The stored next letter: each entry keeps the day its next letter falls due (``next_letter_due``)
# and the fingerprint of the letter policy it was worked out under (``letters_policy``). Every
# write here that could bring a letter forward (an import's change, a letter recorded or failing
# in Notify) empties ``letters_policy``; an entry whose fingerprint is not the policy's is
# "stale" and is worked out afresh, so a stored day is never trusted when it may be out of date.


def _stale(fingerprint):
    return or_(WaitingListEntry.letters_policy.is_(None), WaitingListEntry.letters_policy != fingerprint)


def mark_stale(session, entry_ids):
    """Say that some entries' next letter must be worked out afresh."""
    ids = list(entry_ids)
    for start in range(0, len(ids), 500):
        session.execute(
            update(WaitingListEntry)
            .where(WaitingListEntry.id.in_(ids[start : start + 500]))
            .values(letters_policy=None)
        )


def _sent_to(session, entries, query):
    """Return {entry id: [sent letter, ...]} in sequence order, for the entries a query selects."""
    letters = defaultdict(list)
    for letter in session.exec(
        query.where(Letter.entry_id.in_(entries)).order_by(Letter.entry_id, Letter.sequence)
    ):
        letters[letter.entry_id].append(letter)
    return letters


def letter_candidates(session, on, fingerprint, reference=None):
    """Return (entries, {entry id: [Letter, ...]}) of the families that may have a letter to send
    on ``on``: those whose stored next letter has fallen due while the child is still waiting,
    and every stale one (worked out in full by the caller). Oldest referral first."""
    waiting = and_(
        or_(WaitingListEntry.first_appointment.is_(None), WaitingListEntry.first_appointment > on),
        or_(WaitingListEntry.discharged_on.is_(None), WaitingListEntry.discharged_on > on),
    )
    fresh_and_due = and_(
        WaitingListEntry.letters_policy == fingerprint, WaitingListEntry.next_letter_due <= on, waiting
    )
    chosen = or_(fresh_and_due, _stale(fingerprint))
    if reference is not None:
        chosen = and_(chosen, WaitingListEntry.reference == reference)
    columns = [getattr(WaitingListEntry, name) for name in LETTER_COLUMNS]
    query = select(*columns).where(chosen).order_by(WaitingListEntry.referral_date, WaitingListEntry.id)
    entries = list(session.execute(query))
    return entries, _sent_to(session, select(WaitingListEntry.id).where(chosen), select(Letter))


def stale_entries(session, fingerprint, entry_ids=None, limit=None):
    """Return (entries, {entry id: [(entry id, sequence, notify status), ...]}) of the entries
    whose next letter must be worked out afresh (or of the given ones, whatever is stored), at
    most ``limit`` of them."""
    chosen = _stale(fingerprint) if entry_ids is None else WaitingListEntry.id.in_(list(entry_ids))
    if limit is not None:
        first = select(WaitingListEntry.id).where(chosen).order_by(WaitingListEntry.id).limit(limit)
        chosen = WaitingListEntry.id.in_(first)
    columns = [
        WaitingListEntry.id,
        WaitingListEntry.reference,
        WaitingListEntry.pathway,
        WaitingListEntry.referral_date,
        WaitingListEntry.first_appointment,
        WaitingListEntry.discharged_on,
    ]
    entries = list(session.execute(select(*columns).where(chosen)))
    sent = _sent_to(
        session,
        select(WaitingListEntry.id).where(chosen),
        select(Letter.entry_id, Letter.sequence, Letter.notify_status),
    )
    return entries, sent


def store_next_letters(session, values):
    """Store entries' next letter: dicts of id, next_letter_due and letters_policy."""
    for start in range(0, len(values), 5000):
        session.execute(update(WaitingListEntry), values[start : start + 5000])

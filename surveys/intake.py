"""Taking appointments in, from a file, the API or a pasted list: checked rows become stored
appointments waiting for their invitation, with only the contact detail used, encrypted.

An appointment is known by a keyed hash of its service and the sending system's id, so sending
the same appointment again changes nothing. An appointment marked opted out, or whose number or
address is on the do-not-contact list, is not stored at all.
"""

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass

from flask import current_app

from feedback import clock, languages
from feedback.db import reading, transaction
from surveys import appointments, contact, sending_policy
from surveys import sending_dao as dao

WRITE_BATCH = 1000  # appointments per write transaction: each holds SQLite's lock for milliseconds


@dataclass(frozen=True)
class Known:
    """What rows are checked against: services, districts, languages and surveys that exist."""

    services: frozenset
    districts: frozenset
    languages: dict
    instruments: frozenset


def policy():
    """Return the sending policy (FEEDBACK_SENDING_POLICY, or the packaged sending.toml)."""
    cached = current_app.extensions.get("surveys.sending_policy")
    if cached is None:
        path = current_app.config.get("SENDING_POLICY") or sending_policy.POLICY_FILE
        cached = current_app.extensions["surveys.sending_policy"] = sending_policy.load_policy(path)
    return cached


def known(services=None):
    """Return what exists to check rows against (``services``: only these, for service staff)."""
    with reading() as session:
        all_services = dao.services_by_slug(session)
        districts = dao.district_slugs(session)
        instruments = dao.instrument_slugs(session)
    allowed = frozenset(all_services if services is None else set(services) & set(all_services))
    # Any language the surveys may be read in; a message without a template in it goes in English.
    spoken = {code: language.english_name for code, language in languages.KNOWN.items()}
    return Known(allowed, districts, {**spoken, **policy().languages}, instruments)


def check(records, known_now, now, first_line=1, lines=None):
    """Return (rows, rejected) for records (dicts), refusing a service without a survey to ask."""
    rows, rejected = appointments.check_all(
        records, known_now.services, known_now.districts, known_now.languages, now, first_line, lines
    )
    kept = []
    for row in rows:
        if policy().survey_for(row.service, row.respondent) not in known_now.instruments:
            rejected.append(
                appointments.Rejected(
                    row.line,
                    appointments.safe_id(row.appointment_id),
                    "there is no survey for this service and respondent",
                )
            )
        else:
            kept.append(row)
    return kept, sorted(rejected, key=lambda r: r.line)


def source_key(keys, row):
    """Return the keyed hash an appointment is known by (its service and the system's id)."""
    text = f"appointment\0{row.service}\0{row.appointment_id}".encode()
    return hmac.new(keys.hash_key, text, hashlib.sha256).hexdigest()


def save(rows, keys, now=None):
    """Store the new appointments among checked rows; return Counter of what became of them."""
    now, rules, counts = now or clock.now(), policy(), Counter()
    keyed = {source_key(keys, row): row for row in rows}
    hashes = {key: contact.contact_hash(keys, row.contact) for key, row in keyed.items()}
    with reading() as session:
        stored = dao.known_source_keys(session, keyed)
        listed = dao.blocked(session, set(hashes.values()))
    new = []
    for key, row in keyed.items():
        outcome = (
            "already known"
            if key in stored
            else "opted out"
            if row.opted_out
            else "on the do-not-contact list"
            if hashes[key] in listed
            else "added"
        )
        counts[outcome] += 1
        if outcome == "added":
            new.append(_columns(key, row, rules, keys, now))
    for start in range(0, len(new), WRITE_BATCH):
        chunk = new[start : start + WRITE_BATCH]
        with transaction() as session:
            # Another import (or the API) may have stored some of these since they were compared.
            stored_now = dao.known_source_keys(session, [r["source_key"] for r in chunk])
            dao.add_appointments(session, [r for r in chunk if r["source_key"] not in stored_now])
        counts["added"] -= len(stored_now)
        counts["already known"] += len(stored_now)
    return counts


def _columns(key, row, rules, keys, now):
    return {
        "source_key": key,
        "service_slug": row.service,
        "district_slug": row.district,
        "instrument_slug": rules.survey_for(row.service, row.respondent),
        "respondent_type": row.respondent,
        "language": row.language,
        "appointment_at": row.appointment_at,
        "channel": row.channel,
        "contact": contact.seal(keys, row.channel, row.contact),
        "stage": "waiting",
        "next_at": row.appointment_at + rules.send_after,
        "created_at": now,
    }


def summary(counts, rejected):
    """Return one line saying what an import did (counts only: no contact details)."""
    parts = [
        f"{counts.get('already known', 0)} already known",
        f"{counts.get('opted out', 0)} opted out",
        f"{counts.get('on the do-not-contact list', 0)} on the do-not-contact list",
        f"{len(rejected)} rejected",
    ]
    return f"Added {counts.get('added', 0)} appointment(s) to invite; {', '.join(parts)}."

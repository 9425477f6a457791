"""Queries for staff accounts: the accounts, the services each may see, and failed sign-ins.

Callers (sign-in, the account pages, the admin's pages, the command line) decide what to change;
this module only reads and writes rows. A failed sign-in is stored against an HMAC of the address
(feedback.lockout makes it), never the address itself.
"""

from sqlalchemy import delete
from sqlmodel import select

from feedback.models import SignInFailure, StaffService, StaffUser
from feedback.ratelimit_dao import insert_ignoring_duplicates

# Accounts


def user(session, user_id):
    """Return the account with this id, or None."""
    return session.get(StaffUser, user_id)


def user_by_email(session, email):
    """Return the account with this address (active or not), or None."""
    return session.exec(select(StaffUser).where(StaffUser.email == email)).first()


def active_user_by_email(session, email):
    """Return the active account with this address, or None."""
    query = select(StaffUser).where(StaffUser.email == email, StaffUser.active.is_(True))
    return session.exec(query).first()


def active_in_domain(session, domain):
    """Return [(email, role)] of the active accounts whose address is in ``domain``."""
    query = (
        select(StaffUser.email, StaffUser.role)
        .where(StaffUser.email.endswith(f"@{domain}"), StaffUser.active.is_(True))
        .order_by(StaffUser.id)
    )
    return [(email, role) for email, role in session.exec(query)]


def users_with_services(session):
    """Return [(account, sorted slugs of its services)] for every account, ordered by email."""
    links = {}
    for user_id, slug in session.exec(select(StaffService.staff_user_id, StaffService.service_slug)):
        links.setdefault(user_id, []).append(slug)
    users = session.exec(select(StaffUser).order_by(StaffUser.email)).all()
    return [(found, sorted(links.get(found.id, []))) for found in users]


def service_slugs_of(session, user_id):
    """Return the sorted slugs of the services an account is linked to."""
    query = select(StaffService.service_slug).where(StaffService.staff_user_id == user_id)
    return sorted(session.exec(query))


def add_user(session, email, role, password_hash):
    """Store a new account; return it (flushed, so it has its id)."""
    added = StaffUser(email=email, role=role, password_hash=password_hash)
    session.add(added)
    session.flush()
    return added


def save_user(session, changed):
    """Store the changes made to an account."""
    session.add(changed)


def replace_services(session, user_id, slugs):
    """Link an account to exactly these services."""
    session.execute(delete(StaffService).where(StaffService.staff_user_id == user_id))
    session.add_all(StaffService(staff_user_id=user_id, service_slug=slug) for slug in slugs)


# Failed sign-ins, by the HMAC of an address


def failures_locked_for_update(session, key_hash, now):
    """Return the failure count of a key, made if it is missing, locked until the transaction ends
    (so two workers' failures at the same moment both count)."""
    session.execute(
        insert_ignoring_duplicates(session, SignInFailure).values(
            key_hash=key_hash, failures=0, last_failed_at=now
        )
    )
    query = select(SignInFailure).where(SignInFailure.key_hash == key_hash).with_for_update()
    return session.execute(query).scalar_one()


def failures(session, key_hash):
    """Return the failure count of a key, or None if nothing is counted for it."""
    return session.get(SignInFailure, key_hash)


def save_failures(session, row):
    """Store a changed failure count."""
    session.add(row)
    session.flush()


def forget_failures(session, key_hash):
    """Delete the count (and any lock) of a key; return whether there was one."""
    return session.execute(delete(SignInFailure).where(SignInFailure.key_hash == key_hash)).rowcount > 0


def locked_keys(session, key_hashes):
    """Return which of these keys are locked."""
    query = select(SignInFailure.key_hash).where(
        SignInFailure.key_hash.in_(list(key_hashes)), SignInFailure.locked_at.is_not(None)
    )
    return set(session.execute(query).scalars())


def forget_old_failures(session, unlocked_before, locked_before):
    """Delete counts that have been quiet since ``unlocked_before``, and locks older than
    ``locked_before`` that nobody lifted."""
    session.execute(
        delete(SignInFailure).where(
            SignInFailure.locked_at.is_(None), SignInFailure.last_failed_at < unlocked_before
        )
    )
    session.execute(delete(SignInFailure).where(SignInFailure.locked_at < locked_before))

"""Staff accounts: add, change and disable them, with their services, for the CLI and the admin page.

Every change is written to the audit log by the caller, who knows who made it. A change to what
an account may do (role, services, disabling, password) ends the account's sessions, so it
applies at once on every device.
"""

import re
import secrets

from feedback import auth, dao, lockout, staff_dao

# A plain address: no spaces or control characters, one @, a dotted domain; and it must not start
# with a character a spreadsheet reads as a formula (= + - @), since emails reach exports and logs.
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*/?^_`{|}~+=-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
FORMULA_START = tuple("=+-@")


class AccountError(ValueError):
    """A change that cannot be made, in words to show the person making it."""


def generated_password():
    """A random password (144 bits, 26 characters) for a new or reset account."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def add(session, email, role, password, services=()):
    """Add an account; return it. Raises AccountError for a taken email, bad role or weak password."""
    email = email.strip().lower()
    if role not in auth.ROLES:
        raise AccountError(f"there is no role called {role}")
    if len(email) > 254 or not EMAIL.fullmatch(email) or email.startswith(FORMULA_START):
        raise AccountError("enter an email address like name@example.org")
    problem = auth.password_problem(password, [email])
    if problem:
        raise AccountError(problem)
    if staff_dao.user_by_email(session, email):
        raise AccountError(f"there is already an account for {email}")
    user = staff_dao.add_user(session, email, role, auth.hash_password(password))
    _set_services(session, user, services)
    return user


def change(session, user, role, services, active, changed_by=None):
    """Change an account's role, services and whether it may sign in; return what changed, in words."""
    if role not in auth.ROLES:
        raise AccountError(f"there is no role called {role}")
    if changed_by is not None and changed_by.id == user.id and (role != "admin" or not active):
        raise AccountError("you cannot remove your own administrator access; ask another administrator")
    said = []
    if role != user.role:
        said.append(f"role {user.role} to {role}")
        user.role = role
    if active != user.active:
        said.append("enabled" if active else "disabled")
        user.active = active
    before = staff_dao.service_slugs_of(session, user.id)
    after = _set_services(session, user, services)
    if before != after:
        said.append(f"services {', '.join(before) or 'none'} to {', '.join(after) or 'none'}")
    if said:
        auth.end_sessions(user)
    staff_dao.save_user(session, user)
    return "; ".join(said)


def set_password(session, user, password):
    """Give an account a new password (checked as a new one is) and end its sessions."""
    problem = auth.password_problem(password, [user.email])
    if problem:
        raise AccountError(problem)
    user.password_hash = auth.hash_password(password)
    auth.end_sessions(user)
    staff_dao.save_user(session, user)


def reset_password(session, user):
    """Give the account a new random password (returned once, never stored), remove its second
    factor and end its sessions."""
    password = generated_password()
    user.password_hash = auth.hash_password(password)
    user.totp_secret = user.totp_pending = user.totp_pending_at = user.totp_last_step = None
    auth.end_sessions(user)
    staff_dao.save_user(session, user)
    return password


def unlock(session, user):
    """Lift the lock that failed sign-ins put on an account; return whether it was locked or slowed."""
    return lockout.unlock(session, user.email)


def locked(session, users):
    """Return the emails of these accounts that are locked."""
    return lockout.locked_emails(session, [user.email for user in users])


def _set_services(session, user, services):
    """Link the account to the services (service staff only); return the sorted slugs kept."""
    wanted = sorted(set(services)) if user.role == "service_staff" else []
    known = dao.service_slugs(session)
    unknown = [slug for slug in wanted if slug not in known]
    if unknown:
        raise AccountError(f"there is no service called {', '.join(unknown)}")
    staff_dao.replace_services(session, user.id, wanted)
    return wanted

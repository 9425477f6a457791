"""Ready-made staff accounts for a demonstration instance: one per role, one password.

They exist so that a newcomer can sign in straight after `feedback demo`; they are refused in
production. Their addresses are in the reserved `example` domain, so no mail could reach anyone.
"""

from feedback import accounts, staff_dao

DEMO_DOMAIN = "demo.example"
# (role, the service a service-staff account is linked to)
DEMO_ROLES = (
    ("admin", ()),
    ("commissioner", ()),
    ("service_staff", ("camhs",)),
    ("asd_team", ()),
    ("safeguarding_lead", ()),
)


def email_for(role):
    """Return the demo account's address for a role."""
    return f"{role.replace('_', '-')}@{DEMO_DOMAIN}"


def make(session, password):
    """Create each demo account, or give an existing one ``password``; return [(email, role)]."""
    made = []
    for role, services in DEMO_ROLES:
        email = email_for(role)
        user = staff_dao.user_by_email(session, email)
        if user is None:
            accounts.add(session, email, role, password, services)
        else:
            accounts.set_password(session, user, password)
        made.append((email, role))
    return made


def demo_accounts(session):
    """Return [(email, role)] of the demo accounts that exist."""
    return staff_dao.active_in_domain(session, DEMO_DOMAIN)

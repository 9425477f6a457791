"""The demo year's closing of the loop: theme the invented comments, record a handful of
invented actions (most approved, one waiting for approval) and write the groups' digests."""

from datetime import datetime, time, timedelta

from analysis import actions, actions_dao, dao, loop_jobs, triage
from feedback import clock
from feedback.db import transaction

RECORDER, LEAD = "service-staff@demo.example", "commissioner@demo.example"
# (service, theme, months before the latest, you said, we did, easy you said, easy we did, KPI, approved)
ACTIONS = [
    (
        "asd-nd-pathway",
        "waiting",
        7,
        "Families waiting for an autism assessment told us they did not know how long the wait would be.",
        "Every family on the waiting list now gets a letter every three months with how long the wait is "
        "likely to be and the support they can use while they wait.",
        "You did not know how long you would wait.",
        "We send you a letter every 3 months.",
        ("app-2020", "APP 3.3"),
        True,
    ),
    (
        "camhs",
        "communication",
        6,
        "Parents told us that nobody rang them back when they left a message.",
        "A duty worker now answers the phone line from 9am to 5pm and returns every message within two "
        "working days.",
        "Nobody rang you back.",
        "Now someone answers the phone and rings you back.",
        ("app-2020", "APP 1b"),
        True,
    ),
    (
        "local-offer",
        "information",
        5,
        "People could not find the information about short breaks on the Local Offer.",
        "We rewrote the short breaks pages with parent carers and added a search that finds clubs near you.",
        "You could not find short breaks on the website.",
        "We made the pages easier to find.",
        ("app-2020", "APP 5a"),
        True,
    ),
    (
        "salt",
        "appointments",
        4,
        "Families told us that appointments kept clashing with school.",
        "There are now after-school appointments on Tuesdays and Thursdays.",
        "Appointments were in school time.",
        "Now you can come after school.",
        None,
        True,
    ),
    (
        "transitions",
        "transition",
        1,
        "Young people told us nobody talked to them about moving to adult services.",
        "Every young person of 14 or over now has a transition conversation at their next review.",
        "Nobody talked to you about moving on.",
        "We will talk to you about it at 14.",
        None,
        False,
    ),
]


def _months_before(month, count):
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def fill(latest):
    """Theme the demo's comments, replace the demo's actions and write the digests; return a line."""
    themed = triage.retheme_comments()
    with transaction() as session:
        dao.delete_actions_recorded_by(session, RECORDER)
        for service, theme, ago, said, did, easy_said, easy_did, kpi, approved in ACTIONS:
            changed_on = _months_before(latest.replace(day=1), ago) + timedelta(days=9)
            window = actions.windows(changed_on)[0]
            behind = actions_dao.comments_with_theme(session, service, theme, window)
            draft = actions.Draft(
                service, theme, said, behind, did, easy_said, easy_did, changed_on, *(kpi or (None, None))
            )
            stored = actions_dao.add_action(session, draft, None, RECORDER, clock.now())
            if approved:
                at = datetime.combine(changed_on, time(10), clock.LONDON)
                actions_dao.set_status(session, stored.id, "approved", LEAD, at)
    digests = loop_jobs.group_digests()
    return f"{themed}; {len(ACTIONS)} invented actions; {digests}"

"""Fresh figures through the day: this month's KPI snapshots are worked out again every 15
minutes, and an admin can ask for it at once. A page view only reads them.

The nightly `refresh_kpis` still rebuilds this month and the two before (late answers count in
the month of their appointment); this job keeps the month in progress within 15 minutes.
"""

from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger

from analysis import jobs
from feedback import clock
from feedback.jobs import Job

REFRESH_MINUTES = 15


def refresh_month(month):
    """Work out one month's snapshots now; return the number of rows written."""
    return jobs.rebuild([month])


def refresh_this_month(today=None):
    """Rebuild the snapshots of the month in progress."""
    month = (today or clock.today()).replace(day=1)
    return f"{refresh_month(month)} snapshot rows for {month:%B %Y}"


JOBS = [
    # Every 15 minutes: a new answer reaches the scorecard, the API and `feedback kpis` within
    # 15 minutes, without anyone running a job (a page view never writes).
    Job(
        "refresh_this_month",
        refresh_this_month,
        CronTrigger(minute=f"*/{REFRESH_MINUTES}", timezone=clock.LONDON),
        "%Y-%m-%dT%H:%M",
        "Recompute this month's KPI snapshots so new answers count within 15 minutes",
        time_limit=timedelta(minutes=10),
    ),
]

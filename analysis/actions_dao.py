"""Queries for "You said, we did" actions and the delivery groups' stored digests."""

from sqlalchemy import delete, func
from sqlmodel import select

from feedback.models import ActionTaken, Comment, CommentTheme, GroupDigest, Response


def add_action(session, draft, comment_id, recorded_by, now):
    """Store a draft action; return it."""
    action = ActionTaken(
        service_slug=draft.service_slug,
        theme=draft.theme,
        comment_id=comment_id,
        you_said=draft.you_said,
        comments_behind=draft.comments_behind,
        we_did=draft.we_did,
        easy_you_said=draft.easy_you_said,
        easy_we_did=draft.easy_we_did,
        changed_on=draft.changed_on,
        kpi_plan=draft.kpi_plan,
        kpi_ref=draft.kpi_ref,
        status="draft",
        recorded_by=recorded_by,
        recorded_at=now,
    )
    session.add(action)
    session.flush()
    return action


def action(session, action_id):
    """Return an action, or None."""
    return session.get(ActionTaken, action_id)


def actions(session, services=None, status=None):
    """Return actions (drafts first, then the newest change), of the services if given."""
    query = select(ActionTaken)
    if services is not None:
        query = query.where(ActionTaken.service_slug.in_(sorted(services)))
    if status:
        query = query.where(ActionTaken.status == status)
    order = ((ActionTaken.status == "draft").desc(), ActionTaken.changed_on.desc(), ActionTaken.id.desc())
    return list(session.exec(query.order_by(*order)))


def published(session, service=None):
    """Return approved actions, newest change first (of one service, if given)."""
    query = select(ActionTaken).where(ActionTaken.status == "approved")
    if service:
        query = query.where(ActionTaken.service_slug == service)
    return list(session.exec(query.order_by(ActionTaken.changed_on.desc(), ActionTaken.id.desc())))


def approved_between(session, start, end):
    """Return actions approved from ``start`` up to (not including) ``end`` (aware datetimes)."""
    query = select(ActionTaken).where(
        ActionTaken.status == "approved", ActionTaken.approved_at >= start, ActionTaken.approved_at < end
    )
    return list(session.exec(query.order_by(ActionTaken.changed_on)))


def set_status(session, action_id, status, by=None, now=None):
    """Approve (with who and when) or withdraw an action."""
    stored = session.get(ActionTaken, action_id)
    stored.status = status
    if status == "approved":
        stored.approved_by, stored.approved_at = by, now
    session.add(stored)


def comments_with_theme(session, service, theme, months):
    """Return how many comments about a service in the months have a theme now."""
    query = (
        select(func.count())
        .select_from(CommentTheme)
        .join(Comment, CommentTheme.comment_id == Comment.id)
        .join(Response, Comment.response_id == Response.id)
        .where(
            CommentTheme.theme == theme,
            CommentTheme.removed_at.is_(None),
            Response.service_slug == service,
            Response.month.in_(sorted(months)),
        )
    )
    return session.execute(query).scalar_one()


def save_digest(session, group_slug, month, html, now):
    """Store (or replace) a delivery group's digest for a month."""
    session.execute(
        delete(GroupDigest).where(GroupDigest.group_slug == group_slug, GroupDigest.month == month)
    )
    session.add(GroupDigest(group_slug=group_slug, month=month, html=html, created_at=now))


def digest(session, group_slug, month):
    """Return a stored digest, or None."""
    return session.get(GroupDigest, (group_slug, month))


def digest_months(session, group_slug):
    """Return the months a group has digests for, newest first."""
    query = select(GroupDigest.month).where(GroupDigest.group_slug == group_slug)
    return list(session.exec(query.order_by(GroupDigest.month.desc())))

"""Queries for comment themes and triage: tagging, staff corrections, the triage list, counts.

A theme row added by the codebook says ``added_by = "codebook"``; one added by staff names
them. A removal is kept (``removed_by``/``removed_at``) so that re-theming after the codebook
changes never undoes a correction.
"""

from sqlalchemy import and_, delete, func, or_, update
from sqlmodel import select

from feedback.models import Comment, CommentTheme, Response

CODEBOOK = "codebook"
STATES = {"new": "New", "reviewed": "Reviewed", "acted_on": "Acted on"}


def tag_comment(session, comment, codebook, now):
    """Give a stored comment (flushed, with an id) the codebook's themes."""
    session.add_all(
        CommentTheme(comment_id=comment.id, theme=slug, added_by=CODEBOOK, added_at=now)
        for slug in codebook.themes_of(comment.text)
    )
    comment.codebook = codebook.version


def comments_to_retheme(session, version, limit):
    """Return up to ``limit`` (id, text) of comments not yet themed by this codebook version."""
    query = (
        select(Comment.id, Comment.text)
        .where(or_(Comment.codebook.is_(None), Comment.codebook != version))
        .order_by(Comment.id)
        .limit(limit)
    )
    return list(session.execute(query))


def retheme(session, codebook, now, limit=2000):
    """Theme comments stored before this codebook version (or without one); keep staff corrections.

    Returns how many comments were themed; run again until it returns 0.
    """
    pending = comments_to_retheme(session, codebook.version, limit)
    if not pending:
        return 0
    ids = [comment_id for comment_id, _ in pending]
    existing = {
        (row.comment_id, row.theme): row
        for row in session.exec(select(CommentTheme).where(CommentTheme.comment_id.in_(ids)))
    }
    for comment_id, text in pending:
        found = set(codebook.themes_of(text))
        for slug in found:
            if (comment_id, slug) not in existing:
                session.add(CommentTheme(comment_id=comment_id, theme=slug, added_by=CODEBOOK, added_at=now))
        stale = [
            slug
            for (cid, slug), row in existing.items()
            if cid == comment_id and row.added_by == CODEBOOK and row.removed_at is None and slug not in found
        ]
        if stale:
            session.execute(
                delete(CommentTheme).where(
                    CommentTheme.comment_id == comment_id, CommentTheme.theme.in_(stale)
                )
            )
    session.execute(update(Comment).where(Comment.id.in_(ids)).values(codebook=codebook.version))
    return len(pending)


def correct_theme(session, comment_id, slug, present, by, now):
    """Add (``present``) or remove a theme of a comment as a member of staff; return whether it changed."""
    row = session.get(CommentTheme, (comment_id, slug))
    if present:
        if row is None:
            session.add(CommentTheme(comment_id=comment_id, theme=slug, added_by=by, added_at=now))
            return True
        if row.removed_at is None:
            return False
        row.removed_by, row.removed_at, row.added_by, row.added_at = None, None, by, now
        session.add(row)
        return True
    if row is None or row.removed_at is not None:
        return False
    row.removed_by, row.removed_at = by, now
    session.add(row)
    return True


def themes_of(session, comment_ids):
    """Return {comment id: [CommentTheme, ...]} (removed ones too, so a page can show corrections)."""
    found = {comment_id: [] for comment_id in comment_ids}
    if comment_ids:
        query = select(CommentTheme).where(CommentTheme.comment_id.in_(sorted(comment_ids)))
        for row in session.exec(query.order_by(CommentTheme.theme)):
            found[row.comment_id].append(row)
    return found


def _visible(query, services):
    """Only comments about, or owned by, the given services (None: every service)."""
    if services is None:
        return query
    chosen = sorted(services)
    return query.where(or_(Response.service_slug.in_(chosen), Comment.owner_service_slug.in_(chosen)))


def triage_list(session, services=None, state=None, theme=None, service=None, month=None, limit=200):
    """Return (comment, response) pairs: new ones first, then flagged, then the newest."""
    query = _visible(select(Comment, Response).join(Response, Comment.response_id == Response.id), services)
    if state:
        query = query.where(Comment.state == state)
    if service:
        query = query.where(or_(Response.service_slug == service, Comment.owner_service_slug == service))
    if month:
        query = query.where(Response.month == month)
    if theme:
        query = query.join(
            CommentTheme,
            and_(
                CommentTheme.comment_id == Comment.id,
                CommentTheme.theme == theme,
                CommentTheme.removed_at.is_(None),
            ),
        )
    order = (
        (Comment.state == "new").desc(),
        Comment.flagged.desc(),
        Comment.created_at.desc(),
        Comment.id.desc(),
    )
    return list(session.exec(query.order_by(*order).limit(limit)))


def comment_and_response(session, comment_id):
    """Return (comment, response) or (None, None)."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        return None, None
    return comment, session.get(Response, comment.response_id)


def set_state(session, comment_id, state, owner_service):
    """Set a comment's triage state and owner service (None: the service it is about)."""
    session.execute(
        update(Comment).where(Comment.id == comment_id).values(state=state, owner_service_slug=owner_service)
    )


def state_counts(session, services=None):
    """Return {state: comments} over the visible comments."""
    query = _visible(
        select(Comment.state, func.count())
        .select_from(Comment)
        .join(Response, Comment.response_id == Response.id),
        services,
    )
    return dict(session.execute(query.group_by(Comment.state)).all())


def theme_counts(session, months, services=None, by_service=False):
    """Return {(month, theme) or (month, theme, service): comments} with each current theme."""
    columns = [Response.month, CommentTheme.theme] + ([Response.service_slug] if by_service else [])
    query = (
        select(*columns, func.count())
        .select_from(CommentTheme)
        .join(Comment, CommentTheme.comment_id == Comment.id)
        .join(Response, Comment.response_id == Response.id)
        .where(CommentTheme.removed_at.is_(None), Response.month.in_(sorted(months)))
    )
    query = _visible(query, services).group_by(*columns)
    return {tuple(row[:-1]): row[-1] for row in session.execute(query)}


def flagged_new(session, services, months):
    """Return how many flagged comments in the services and months are still new."""
    query = (
        select(func.count())
        .select_from(Comment)
        .join(Response, Comment.response_id == Response.id)
        .where(
            Comment.flagged.is_(True),
            Comment.state == "new",
            Response.month.in_(sorted(months)),
            Response.service_slug.in_(sorted(services)),
        )
    )
    return session.execute(query).scalar_one()

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User, name_key
from ..extensions import db
from ..board.models import Post
from .models import ModerationAction, Report


def log_query(actor: str = "", action: str = "", member: str = "") -> Select | None:
    """The log, newest first, filtered by moderator name, action and member name.
    None when a named person does not exist (so nothing matches)."""
    query = select(ModerationAction).options(joinedload(ModerationAction.actor),
                                             joinedload(ModerationAction.subject))
    for name, column in ((actor, ModerationAction.actor_id),
                         (member, ModerationAction.subject_user_id)):
        if name:
            user_id = db.session.scalar(select(User.id).where(User.name_key == name_key(name)))
            if user_id is None:
                return None
            query = query.where(column == user_id)
    if action:
        query = query.where(ModerationAction.action == action)
    return query.order_by(ModerationAction.id.desc())


def log_page(query: Select | None, page: int, per_page: int) -> list[ModerationAction]:
    if query is None:
        return []
    return list(db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)))


def history_of(user: User, limit: int = 50) -> list[ModerationAction]:
    return log_page(log_query(member=user.display_name), 1, limit)[:limit]


def report_queue(limit: int = 50) -> list[tuple]:
    """Posts with open reports, most reported first: (post, count, reports)."""
    counts = (select(Report.post_id, func.count(Report.id).label("n"),
                     func.min(Report.created_at).label("first"))
              .where(Report.resolved_at.is_(None)).group_by(Report.post_id)
              .order_by(func.count(Report.id).desc(), func.min(Report.created_at))
              .limit(limit)).subquery()
    rows = db.session.execute(
        select(Post, counts.c.n).join(counts, counts.c.post_id == Post.id)
        .options(joinedload(Post.author), joinedload(Post.topic))
        .order_by(counts.c.n.desc(), counts.c.first)).all()
    reports: dict[int, list[Report]] = {}
    if rows:
        for report in db.session.scalars(
                select(Report).where(Report.resolved_at.is_(None),
                                     Report.post_id.in_([post.id for post, _ in rows]))
                .options(joinedload(Report.reporter)).order_by(Report.created_at)):
            reports.setdefault(report.post_id, []).append(report)
    return [(post, n, reports.get(post.id, [])) for post, n in rows]

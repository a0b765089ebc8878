from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User, name_key
from ..extensions import db
from .models import ModerationAction


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

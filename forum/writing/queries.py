"""Read queries for the writing features."""
from __future__ import annotations

from sqlalchemy import case, func, or_, select

from .. import clock
from ..accounts.models import User, name_key
from ..accounts.services import session_fact, session_facts
from ..extensions import db
from .models import Draft


@session_fact("draft_count")
def _drafts_with_the_member(user_id: int):
    """Loaded with the logged-in member's own row, so pages of members with no draft (nearly
    every page) never look for one."""
    return select(func.count(Draft.id)).where(Draft.user_id == user_id).scalar_subquery()


def may_have_drafts() -> bool:
    """False when the logged-in member has no kept draft at all (the session's facts count
    them, so asking costs no query)."""
    return session_facts().get("draft_count", 1) != 0


def draft(user_id: int, key: str) -> Draft | None:
    if not may_have_drafts():
        return None
    return db.session.scalar(select(Draft).where(Draft.user_id == user_id, Draft.key == key))


def name_suggestions(text: str, exclude_id: int, limit: int) -> list[User]:
    """Members whose display name, or a word of it, starts with `text` (case and spacing
    folded; LIKE wildcards taken literally), suspended members left out: names starting with
    it first, then by name. One query; never matched against, nor returning, anything but
    the name."""
    key = name_key(text)
    if not key:
        return []
    starts = User.name_key.startswith(key, autoescape=True)
    word = User.name_key.contains(" " + key, autoescape=True)
    return list(db.session.scalars(
        select(User).where(or_(starts, word), User.id != exclude_id,
                           or_(User.suspended_until.is_(None),
                               User.suspended_until <= clock.now()))
        .order_by(case((starts, 0), else_=1), User.name_key).limit(limit)))

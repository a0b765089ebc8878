"""Which new posts wait for a moderator before anyone else sees them (the policy).

A member's post waits while they have fewer than APPROVAL_FIRST_POSTS approved posts, and a
post with a link waits while they have fewer than APPROVAL_LINK_POSTS_UNTIL (forum/config.py).
Staff, moderators and admins never wait, nor does a member a moderator approved on the
review page (users.approved_at). The board asks needs_approval() when a topic is
started or a reply posted, and stores a waiting post hidden (approval = pending). The queue
and the decisions (approve, reject) are moderation's (forum/moderation/approval.py).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app
from sqlalchemy import func, or_, select

from .. import markup
from ..accounts.models import User
from ..extensions import db
from .models import Approval, Post

_waived: ContextVar[bool] = ContextVar("approval_waived", default=False)


@contextmanager
def waived() -> Iterator[None]:
    """Nothing waits inside this block (loading demo content or imported history)."""
    token = _waived.set(True)
    try:
        yield
    finally:
        _waived.reset(token)


def approved_post_count(user: User) -> int:
    """Posts of this member that were let through: those that never had to wait and those a
    moderator approved (hidden later or not)."""
    return db.session.scalar(select(func.count(Post.id)).where(
        Post.author_id == user.id,
        or_(Post.approval.is_(None), Post.approval == Approval.APPROVED))) or 0


def has_link(body: str) -> bool:
    """Whether the post, as it will be shown, links anywhere (Markdown, HTML or a bare URL)."""
    return "<a " in markup.render(body)


def needs_approval(actor: User, body: str) -> bool:
    config = current_app.config
    if not config.get("APPROVAL_ENABLED") or _waived.get() or actor.is_staff \
            or actor.approved_at is not None:
        return False
    first, links = config["APPROVAL_FIRST_POSTS"], config["APPROVAL_LINK_POSTS_UNTIL"]
    if max(first, links) <= 0:
        return False
    approved = approved_post_count(actor)
    if approved < first:
        return True
    return approved < links and has_link(body)

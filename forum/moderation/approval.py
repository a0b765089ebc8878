"""The approval queue: new members' posts wait for a moderator before anyone else sees them.

A member's post waits while they have fewer than APPROVAL_FIRST_POSTS approved posts, and a
post with a link waits while they have fewer than APPROVAL_LINK_POSTS_UNTIL (forum/config.py).
Staff, moderators and admins never wait. A waiting post is stored hidden (hidden_at set,
approval = pending), so every count and every query that leaves hidden posts out leaves it
out too; a new topic whose opening post waits has status pending, so Topic.public() leaves it
out. Its author and moderators see it, marked "awaiting approval".

Approving makes it public, recounts its topic, forum and author, and sends
post_visibility_changed(hidden=False) so search, pings and notifications pick it up.
Rejecting keeps it hidden with the reason, which its author sees; nothing is deleted. Each
decision writes exactly one audit record.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from .. import clock, events, markup
from ..accounts.models import User
from ..board import services as board
from ..board.models import Approval, Post, Topic, TopicStatus
from ..errors import Invalid
from ..extensions import db
from ..permissions import require
from .services import record

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
    if not config.get("APPROVAL_ENABLED") or _waived.get() or actor.is_staff:
        return False
    first, links = config["APPROVAL_FIRST_POSTS"], config["APPROVAL_LINK_POSTS_UNTIL"]
    if max(first, links) <= 0:
        return False
    approved = approved_post_count(actor)
    if approved < first:
        return True
    return approved < links and has_link(body)


def pending_posts(limit: int = 50) -> list[Post]:
    """The queue, oldest first, with each post's author and topic (one query)."""
    return list(db.session.scalars(
        select(Post).where(Post.approval == Approval.PENDING)
        .order_by(Post.created_at, Post.id).limit(limit)
        .options(joinedload(Post.author), joinedload(Post.topic).joinedload(Topic.forum))))


def _recount(post: Post) -> None:
    board.recount_topic(post.topic)
    board.recount_forum(post.topic.forum)
    board.recount_user(post.author)


def approve_post(actor: User, post: Post, reason: str | None = None) -> None:
    require(actor, "approve_posts", post)
    if post.approval != Approval.PENDING:
        raise Invalid("This post has already been dealt with.")
    topic = post.topic
    post.approval = Approval.APPROVED
    post.hidden_at = post.hidden_by_id = post.hide_reason = None
    opening = post.is_opening and topic.status == TopicStatus.PENDING
    if opening:
        topic.status = TopicStatus.PUBLISHED
    db.session.flush()
    _recount(post)
    events.post_visibility_changed.send(post, hidden=False)
    if opening:
        events.topic_changed.send(topic, change="status")
    record(actor, "approve_post", post, reason=reason, before={"approval": "pending"},
           after={"approval": "approved"})


def reject_post(actor: User, post: Post, reason: str | None) -> None:
    require(actor, "approve_posts", post)
    reason = " ".join((reason or "").split())[:500]
    if not reason:
        raise Invalid("Give a reason: the author will see it.", "reason")
    if post.approval != Approval.PENDING:
        raise Invalid("This post has already been dealt with.")
    topic = post.topic
    post.approval = Approval.REJECTED
    post.hidden_by_id, post.hide_reason = actor.id, reason
    post.hidden_at = clock.now()  # when it was turned down
    if post.is_opening and topic.status == TopicStatus.PENDING:
        topic.status = TopicStatus.REJECTED
    db.session.flush()
    record(actor, "reject_post", post, reason=reason, before={"approval": "pending"},
           after={"approval": "rejected"})

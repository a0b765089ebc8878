"""The approval queue: new members' posts wait for a moderator before anyone else sees them.

Which posts wait is the board's policy (forum/board/approval.py); this module holds the queue
and the decisions. A waiting post is stored hidden (hidden_at set, approval = pending), so
every count and every query that leaves hidden posts out leaves it
out too; a new topic whose opening post waits has status pending, so Topic.public() leaves it
out. Its author and moderators see it, marked "awaiting approval".

Approving makes it public, recounts its topic, forum and author, and sends
post_visibility_changed(hidden=False) so search, pings and notifications pick it up.
Rejecting keeps it hidden with the reason, which its author sees; nothing is deleted. Each
decision writes exactly one audit record.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from .. import clock, events
from ..accounts.models import Role, User
from ..board import services as board
from ..board.models import Approval, Post, Topic, TopicStatus
from ..errors import Invalid
from ..extensions import db
from ..permissions import can, require
from .services import record, suspend_member


def pending_posts(limit: int = 50) -> list[Post]:
    """The queue, oldest first, with each post's author and topic (one query)."""
    return list(db.session.scalars(
        select(Post).where(Post.approval == Approval.PENDING)
        .order_by(Post.created_at, Post.id).limit(limit)
        .options(joinedload(Post.author), joinedload(Post.topic).joinedload(Topic.forum))))


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
    board.recount_after_change(post)
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


# --- the review page: new members, and decisions on many at once ---------------------------

NEW_MEMBER_DAYS = 30


def new_members(limit: int = 50) -> list[tuple[User, int]]:
    """Members who joined in the last NEW_MEMBER_DAYS days and whom no moderator has let
    through yet (not staff, not suspended), newest first, each with how many of their posts
    wait for approval (one query)."""
    now = clock.now()
    waiting = (select(func.count(Post.id))
               .where(Post.author_id == User.id, Post.approval == Approval.PENDING)
               .correlate(User).scalar_subquery())
    return [(user, count) for user, count in db.session.execute(
        select(User, waiting).where(
            User.role == Role.MEMBER, User.approved_at.is_(None),
            User.created_at >= now - timedelta(days=NEW_MEMBER_DAYS),
            or_(User.suspended_until.is_(None), User.suspended_until < now))
        .order_by(User.created_at.desc(), User.id.desc()).limit(limit))]


def _pending_of(member: User) -> list[Post]:
    return list(db.session.scalars(
        select(Post).where(Post.author_id == member.id, Post.approval == Approval.PENDING)
        .order_by(Post.id)))


def approve_member(actor: User, member: User, reason: str | None = None) -> None:
    """Let a new member through: their waiting posts are approved (each audited) and their
    later posts no longer wait."""
    require(actor, "approve_posts")
    if member.approved_at is not None or member.role != Role.MEMBER:
        return
    for post in _pending_of(member):
        approve_post(actor, post, reason)
    member.approved_at = clock.now()
    record(actor, "approve_member", member, reason=reason,
           before={"posts wait for approval": "yes"}, after={"posts wait for approval": "no"})


def reject_member(actor: User, member: User, reason: str, suspend_days: int = 0) -> None:
    """Turn down a new member's waiting posts (each audited) and, for `suspend_days` days
    (to the end of the last one), suspend them with the same reason (audited too). Their
    later posts keep waiting."""
    require(actor, "approve_posts")
    posts = _pending_of(member)
    for post in posts:
        reject_post(actor, post, reason)
    record(actor, "reject_member", member, reason=reason,
           before={"waiting posts": len(posts)}, after={"waiting posts": 0})
    if suspend_days > 0 and can(actor, "suspend_member", member):
        last_day = clock.now().date() + timedelta(days=suspend_days)
        suspend_member(actor, member, datetime.combine(last_day, time(23, 59, 59)), reason)


def decide_many(actor: User, decision: str, post_ids: list[int], member_ids: list[int],
                reason: str | None, suspend_days: int = 0) -> tuple[int, int]:
    """The review page's bulk decision: approve or reject the ticked waiting posts, then the
    ticked new members (rejected ones suspended for `suspend_days`). Posts dealt with
    meanwhile (or unknown ids) are skipped. Returns (posts decided, members decided)."""
    require(actor, "approve_posts")
    reason = " ".join((reason or "").split())[:500] or None
    if not post_ids and not member_ids:
        raise Invalid("Tick at least one post or member.")
    if decision == "reject" and not reason:
        raise Invalid("Give a reason to reject: the authors will see it.", "reason")
    posts = list(db.session.scalars(
        select(Post).where(Post.id.in_(post_ids), Post.approval == Approval.PENDING)
        .order_by(Post.id))) if post_ids else []
    members = list(db.session.scalars(
        select(User).where(User.id.in_(member_ids), User.role == Role.MEMBER,
                           User.approved_at.is_(None)).order_by(User.id))) if member_ids else []
    for post in posts:
        if decision == "approve":
            approve_post(actor, post, reason)
        else:
            reject_post(actor, post, reason)
    for member in members:
        if decision == "approve":
            approve_member(actor, member, reason)
        else:
            reject_member(actor, member, reason, suspend_days)
    return len(posts), len(members)

"""Moderator actions on topics and posts. Each one changes the thing and writes exactly one
audit record (actor, action, target, reason, before/after) in the same transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from .. import clock, events
from ..accounts.models import Role, User
from ..board import services as board
from ..board.models import Category, Forum, Pin, Post, Topic, TopicStatus
from ..dbutil import insert_ignoring_duplicates
from ..errors import Invalid
from ..extensions import db
from ..permissions import require
from .models import REPORT_REASONS, ModerationAction, Report

PIN_NAMES = {Pin.NONE: "not pinned", Pin.FORUM: "pinned in its forum",
             Pin.GLOBAL: "pinned everywhere"}


def record(actor: User, action: str, target: Topic | Post | User | Forum | Category, *,
           reason: str | None, before: dict[str, Any], after: dict[str, Any]
           ) -> ModerationAction:
    target_type = getattr(target, "audit_type", None) or {
        Topic: "topic", Post: "post", User: "user", Forum: "forum",
        Category: "category"}[type(target)]  # other features name their own (audit_type)
    subject = target.id if isinstance(target, User) else getattr(target, "author_id", None)
    entry = ModerationAction(actor_id=actor.id, action=action, target_type=target_type,
                             target_id=target.id, subject_user_id=subject,
                             reason=(reason or "").strip()[:500] or None,
                             before=before, after=after, created_at=clock.now())
    db.session.add(entry)
    db.session.flush()
    events.moderation_recorded.send(entry)
    return entry


def pin_topic(actor: User, topic: Topic, pin: Pin, reason: str | None = None) -> None:
    require(actor, "moderate_topic", topic)
    before = {"pinned": PIN_NAMES[Pin(topic.pinned)]}
    topic.pinned = pin
    events.topic_changed.send(topic, change="pinned")
    record(actor, "pin" if pin else "unpin", topic, reason=reason, before=before,
           after={"pinned": PIN_NAMES[pin]})


def lock_topic(actor: User, topic: Topic, locked: bool, reason: str | None = None) -> None:
    require(actor, "moderate_topic", topic)
    before = {"locked": topic.locked}
    topic.locked = locked
    topic.lock_reason = ((reason or "").strip()[:500] or None) if locked else None
    events.topic_changed.send(topic, change="locked")
    record(actor, "lock" if locked else "unlock", topic, reason=reason, before=before,
           after={"locked": locked})


def move_topic(actor: User, topic: Topic, forum: Forum, reason: str | None = None) -> None:
    require(actor, "moderate_topic", topic)
    if forum.id == topic.forum_id:
        raise Invalid("The topic is already in that forum.", "forum")
    old = topic.forum
    before = {"forum": old.title}
    topic.forum_id = forum.id
    db.session.flush()
    db.session.expire(topic, ["forum"])
    board.recount_forum(old)
    board.recount_forum(forum)
    events.topic_changed.send(topic, change="moved")
    record(actor, "move", topic, reason=reason, before=before, after={"forum": forum.title})


def rename_topic(actor: User, topic: Topic, title: str, reason: str | None = None) -> None:
    require(actor, "moderate_topic", topic)
    before = {"title": topic.title}
    if not board.edit_post(actor, topic.first_post, topic.first_post.body_source, title=title,
                           reason=reason):
        raise Invalid("That is already the title.", "title")
    events.topic_changed.send(topic, change="renamed")
    record(actor, "rename", topic, reason=reason, before=before, after={"title": topic.title})


def hide_topic(actor: User, topic: Topic, reason: str | None = None) -> None:
    require(actor, "moderate_topic", topic)
    if topic.status == TopicStatus.HIDDEN:
        raise Invalid("The topic is already hidden.")
    before = {"status": topic.status.value}
    topic.status = TopicStatus.HIDDEN
    db.session.flush()
    board.recount_forum(topic.forum)
    board.recount_user(topic.author)
    events.topic_changed.send(topic, change="hidden")
    record(actor, "hide_topic", topic, reason=reason, before=before,
           after={"status": topic.status.value})


def restore_topic(actor: User, topic: Topic, reason: str | None = None) -> None:
    require(actor, "moderate_topic", topic)
    if topic.status != TopicStatus.HIDDEN:
        raise Invalid("The topic is not hidden.")
    topic.status = TopicStatus.PUBLISHED
    db.session.flush()
    board.recount_forum(topic.forum)
    board.recount_user(topic.author)
    events.topic_changed.send(topic, change="restored")
    record(actor, "restore_topic", topic, reason=reason, before={"status": "hidden"},
           after={"status": topic.status.value})


def report_post(actor: User, post: Post, reason: str, details: str | None = None) -> bool:
    """Report a post. False if this member had already reported it. A post reported by
    AUTO_HIDE_REPORTS different members is hidden until a moderator looks at it."""
    require(actor, "report_post", post)
    if reason not in REPORT_REASONS:
        raise Invalid("Choose why you are reporting this post.", "reason")
    if not insert_ignoring_duplicates(Report, post_id=post.id, reporter_id=actor.id,
                                      reason=reason, details=(details or "").strip() or None,
                                      created_at=clock.now()):
        return False
    threshold = current_app.config["AUTO_HIDE_REPORTS"]
    open_reports = db.session.scalar(select(func.count(Report.id)).where(
        Report.post_id == post.id, Report.resolved_at.is_(None)))
    if threshold and open_reports >= threshold and not post.is_hidden:
        post.hidden_at, post.hidden_by_id = clock.now(), None
        post.hide_reason = f"Hidden automatically after {open_reports} reports, until a " \
                           "moderator looks at it."
        db.session.flush()
        board.recount_after_change(post)
        events.post_visibility_changed.send(post, hidden=True)
        record(actor, "auto_hide_post", post, reason=post.hide_reason,
               before={"hidden": False}, after={"hidden": True})
    return True


def resolve_reports(actor: User, post: Post, outcome: str, reason: str | None = None) -> int:
    """Close every open report on a post: hide it, or dismiss the reports (restoring a post
    that was hidden automatically), and/or warn its author (outcomes in RESOLVE_OUTCOMES).
    Each report records the outcome and its reporter is told (signal reports_resolved).
    Returns how many reports were closed."""
    require(actor, "handle_reports")
    if outcome not in RESOLVE_OUTCOMES:
        raise Invalid("Choose what to do with the reports.", "outcome")
    warn, hide = outcome in ("warn", "hide_warn"), outcome in ("hide", "hide_warn")
    if warn:
        require(actor, "warn_member", post.author)
        if not (reason or "").strip():
            raise Invalid("Give a reason for the warning: the author will see it.", "reason")
    reports = db.session.scalars(select(Report).where(
        Report.post_id == post.id, Report.resolved_at.is_(None))).all()
    if not reports:
        raise Invalid("These reports have already been dealt with.")
    now = clock.now()
    for report in reports:
        report.resolved_at, report.resolved_by_id, report.outcome = now, actor.id, outcome
    # The reporters are told (forum/notify follows this signal).
    events.reports_resolved.send(post, actor=actor, text=RESOLVE_OUTCOMES[outcome],
                                 reporter_ids=[r.reporter_id for r in reports])
    if warn:  # one "warn" record, which also says the reports were closed
        warn_member(actor, post, reason, before={"open_reports": len(reports)},
                    after={"open_reports": 0, "warned": True})
    if hide and not post.is_hidden:
        board.hide_post(actor, post, reason)  # logged as hide_post
    elif hide:  # already hidden automatically: a moderator confirms it
        post.hidden_by_id = actor.id
        post.hide_reason = (reason or "").strip()[:500] or post.hide_reason
        record(actor, "hide_post", post, reason=reason, before={"hidden": True},
               after={"hidden": True, "confirmed": True})
    else:
        if post.is_hidden and post.hidden_by_id is None:  # undo the automatic hiding
            post.hidden_at = post.hide_reason = None
            db.session.flush()
            board.recount_after_change(post)
            events.post_visibility_changed.send(post, hidden=False)
        if not warn:
            record(actor, "dismiss_reports", post, reason=reason,
                   before={"open_reports": len(reports)}, after={"open_reports": 0})
    db.session.flush()
    return len(reports)


# What a resolved report did, as the reporter is told it.
RESOLVE_OUTCOMES = {
    "hide": "Moderators hid the post you reported.",
    "hide_warn": "Moderators hid the post you reported and warned its author.",
    "warn": "Moderators warned the author of the post you reported.",
    "dismiss": "Moderators looked at the post you reported and left it as it is.",
}


def warn_member(actor: User, post: Post, reason: str | None, *,
                before: dict[str, Any] | None = None,
                after: dict[str, Any] | None = None) -> ModerationAction:
    """Warn a post's author: one "warn" record about them, which they are shown (a notice on
    their next page, and /moderation/warnings)."""
    require(actor, "warn_member", post.author)
    if not (reason or "").strip():
        raise Invalid("Give a reason for the warning: the author will see it.", "reason")
    return record(actor, "warn", post, reason=reason, before=before or {"warned": False},
                  after=after or {"warned": True})


def warnings_for(member: User, limit: int = 50) -> list[ModerationAction]:
    """The warnings a member was given, newest first (for their own page)."""
    return list(db.session.scalars(
        select(ModerationAction).where(ModerationAction.subject_user_id == member.id,
                                       ModerationAction.action == "warn")
        .order_by(ModerationAction.id.desc()).limit(limit)))


def latest_warning_id_query(member_id: int):
    """The id of the newest warning about a member (or 0), as a scalar subquery."""
    return select(func.coalesce(func.max(ModerationAction.id), 0)).where(
        ModerationAction.subject_user_id == member_id,
        ModerationAction.action == "warn").scalar_subquery()


def latest_warning(member: User, seen_id: int = 0) -> ModerationAction | None:
    """The newest warning about this member after the one they last dismissed (one query)."""
    return db.session.scalar(
        select(ModerationAction).where(ModerationAction.subject_user_id == member.id,
                                       ModerationAction.action == "warn",
                                       ModerationAction.id > seen_id)
        .order_by(ModerationAction.id.desc()).limit(1))


def set_role(actor: User, member: User, role: Role, reason: str | None = None) -> None:
    require(actor, "set_role", member)
    if role == member.role:
        raise Invalid(f"{member.display_name} is already {role.label.lower()}.", "role")
    before = {"role": member.role.value}
    member.role = role
    record(actor, "set_role", member, reason=reason, before=before, after={"role": role.value})


def suspend_member(actor: User, member: User, until: datetime, reason: str) -> None:
    require(actor, "suspend_member", member)
    if until <= clock.now():
        raise Invalid("The end date must be in the future.", "until")
    if not (reason or "").strip():
        raise Invalid("Give a reason: the member will see it.", "reason")
    before = {"suspended_until": member.suspended_until.isoformat()
              if member.is_suspended else None}
    member.suspended_until, member.suspension_reason = until, reason.strip()[:500]
    record(actor, "suspend", member, reason=reason, before=before,
           after={"suspended_until": until.isoformat()})


def lift_suspension(actor: User, member: User, reason: str | None = None) -> None:
    require(actor, "suspend_member", member)
    if not member.is_suspended:
        raise Invalid(f"{member.display_name} is not suspended.")
    before = {"suspended_until": member.suspended_until.isoformat()}
    member.suspended_until = member.suspension_reason = None
    record(actor, "lift_suspension", member, reason=reason, before=before,
           after={"suspended_until": None})

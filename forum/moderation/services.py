"""Moderator actions on topics and posts. Each one changes the thing and writes exactly one
audit record (actor, action, target, reason, before/after) in the same transaction."""
from __future__ import annotations

from typing import Any

from .. import clock
from ..accounts.models import User
from ..board import services as board
from ..board.models import Forum, Pin, Post, Topic, TopicStatus
from ..errors import Invalid
from ..extensions import db
from ..permissions import require
from .models import ModerationAction

PIN_NAMES = {Pin.NONE: "not pinned", Pin.FORUM: "pinned in its forum",
             Pin.GLOBAL: "pinned everywhere"}


def record(actor: User, action: str, target: Topic | Post | User, *, reason: str | None,
           before: dict[str, Any], after: dict[str, Any]) -> ModerationAction:
    target_type = {Topic: "topic", Post: "post", User: "user"}[type(target)]
    subject = target.id if isinstance(target, User) else target.author_id
    entry = ModerationAction(actor_id=actor.id, action=action, target_type=target_type,
                             target_id=target.id, subject_user_id=subject,
                             reason=(reason or "").strip()[:500] or None,
                             before=before, after=after, created_at=clock.now())
    db.session.add(entry)
    db.session.flush()
    return entry


def pin_topic(actor: User, topic: Topic, pin: Pin, reason: str | None = None) -> None:
    require(actor, "moderate_topic", topic)
    before = {"pinned": PIN_NAMES[Pin(topic.pinned)]}
    topic.pinned = pin
    record(actor, "pin" if pin else "unpin", topic, reason=reason, before=before,
           after={"pinned": PIN_NAMES[pin]})


def lock_topic(actor: User, topic: Topic, locked: bool, reason: str | None = None) -> None:
    require(actor, "moderate_topic", topic)
    before = {"locked": topic.locked}
    topic.locked = locked
    topic.lock_reason = ((reason or "").strip()[:500] or None) if locked else None
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
    record(actor, "move", topic, reason=reason, before=before, after={"forum": forum.title})


def rename_topic(actor: User, topic: Topic, title: str, reason: str | None = None) -> None:
    require(actor, "moderate_topic", topic)
    before = {"title": topic.title}
    if not board.edit_post(actor, topic.first_post, topic.first_post.body_source, title=title,
                           reason=reason):
        raise Invalid("That is already the title.", "title")
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
    record(actor, "restore_topic", topic, reason=reason, before={"status": "hidden"},
           after={"status": topic.status.value})


def note_post_hidden(actor: User, post: Post, reason: str | None) -> None:
    """Board's hide_post calls this when someone other than the author hides a post."""
    record(actor, "hide_post", post, reason=reason, before={"hidden": False},
           after={"hidden": True})


def note_post_restored(actor: User, post: Post) -> None:
    record(actor, "restore_post", post, reason=None, before={"hidden": True},
           after={"hidden": False})

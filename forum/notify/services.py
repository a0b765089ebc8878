"""Subscriptions, notifications and read state: the rules, one unit of work each.

Notifications follow the other features' writes through forum/events.py (receivers.py); the
moderation feature calls notify() directly. A notification is only ever about public content,
never about the member's own action, and never reaches someone who cannot view the topic.
A new notification e-mails its member at once (mode "each") through the outbox, in the same
transaction; mode "digest" is built daily by `flask forum send-mail`.
"""
from __future__ import annotations

import re

from sqlalchemy import func, select, update

from .. import clock, pagecache
from ..accounts.models import User, name_key
from ..board.models import Forum, Post, Topic
from ..dbutil import insert_ignoring_duplicates, upsert_insert
from ..extensions import db
from ..permissions import can, require
from . import mail
from .models import EmailMode, ForumRead, Notification, NotifySettings, Subscription
from .queries import TARGETS, notifications_scope, reader_scope

KINDS = {
    "reply": "replied to",
    "mention": "mentioned you in",
    "topic": "started a topic in a forum you follow:",
    "answer_accepted": "accepted your reply as the answer to",
    "moderation": "A moderator acted on your post or account",
    "report_resolved": "Your report was dealt with",
}
# Kinds about a post that must be public; one notification per member per post.
POST_KINDS = {"reply", "mention", "topic"}
MAX_MENTIONS = 20


# ----------------------------------------------------------------------------- settings

def settings_for(user_id: int) -> NotifySettings:
    """The member's choices (an unsaved row with the defaults if they never chose)."""
    found = db.session.get(NotifySettings, user_id)
    if found is None:
        found = NotifySettings(user_id=user_id, email_mode=EmailMode.EACH, auto_subscribe=True)
    return found


def save_settings(actor: User, *, email_mode: EmailMode, auto_subscribe: bool) -> None:
    require(actor, "manage_notifications", actor)
    settings = settings_for(actor.id)
    settings.email_mode, settings.auto_subscribe = EmailMode(email_mode), bool(auto_subscribe)
    db.session.merge(settings)
    db.session.flush()


def stop_emails(user_id: int) -> bool:
    """One-click unsubscribe: no more notification e-mails. True if something changed."""
    settings = settings_for(user_id)
    if settings.email_mode == EmailMode.OFF:
        return False
    settings.email_mode = EmailMode.OFF
    db.session.merge(settings)
    db.session.flush()
    return True


# ------------------------------------------------------------------------ subscriptions

def is_subscribed(user, topic: Topic) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(db.session.scalar(select(Subscription.active).where(
        Subscription.user_id == user.id, Subscription.topic_id == topic.id)))


def _set_subscription(user_id: int, *, topic_id: int | None = None,
                      forum_id: int | None = None, active: bool) -> None:
    column = Subscription.topic_id if topic_id is not None else Subscription.forum_id
    target = topic_id if topic_id is not None else forum_id
    pagecache.changed(reader_scope(user_id))  # their kept follow state
    if not insert_ignoring_duplicates(Subscription, user_id=user_id, topic_id=topic_id,
                                      forum_id=forum_id, active=active,
                                      created_at=clock.now()):
        db.session.execute(update(Subscription).where(
            Subscription.user_id == user_id, column == target).values(active=active))


def subscribe_topic(actor: User, topic: Topic) -> None:
    require(actor, "subscribe", topic)
    _set_subscription(actor.id, topic_id=topic.id, active=True)


def unsubscribe_topic(actor: User, topic: Topic) -> None:
    require(actor, "manage_notifications", actor)
    _set_subscription(actor.id, topic_id=topic.id, active=False)


def subscribe_forum(actor: User, forum: Forum) -> None:
    require(actor, "subscribe", forum)
    _set_subscription(actor.id, forum_id=forum.id, active=True)


def unsubscribe_forum(actor: User, forum: Forum) -> None:
    require(actor, "manage_notifications", actor)
    _set_subscription(actor.id, forum_id=forum.id, active=False)


def is_following_forum(user, forum: Forum) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(db.session.scalar(select(Subscription.active).where(
        Subscription.user_id == user.id, Subscription.forum_id == forum.id)))


def auto_subscribe(user_id: int, topic_id: int) -> None:
    """Follow a topic one starts or replies to, unless turned off in settings or the member
    once chose to stop following it (that choice stays)."""
    if settings_for(user_id).auto_subscribe:
        insert_ignoring_duplicates(Subscription, user_id=user_id, topic_id=topic_id,
                                   forum_id=None, active=True, created_at=clock.now())


# ------------------------------------------------------------------------ notifications

def _insert_notification(**values) -> int | None:
    """INSERT unless (user_id, dedup_key) is already there; the new id, or None."""
    table = Notification.__table__
    statement = (upsert_insert(table).values(**values).on_conflict_do_nothing()
                 .returning(table.c.id))
    new_id = db.session.execute(statement).scalar()
    if new_id is not None:
        pagecache.changed(notifications_scope(values["user_id"]))  # their kept page of them
    return new_id


def _recipients(user_ids) -> dict[int, tuple[User, NotifySettings | None]]:
    rows = db.session.execute(
        select(User, NotifySettings).outerjoin(NotifySettings, NotifySettings.user_id == User.id)
        .where(User.id.in_(list(user_ids))))
    return {user.id: (user, settings) for user, settings in rows}


def notify(user_id: int, kind: str, *, actor_id: int | None = None,
           topic_id: int | None = None, post_id: int | None = None,
           text: str | None = None) -> None:
    """Tell one member something happened (kinds: see KINDS). Does nothing when the member is
    the actor, cannot view the topic, or (for post kinds) the post is not public."""
    _notify_many([user_id], kind, actor_id=actor_id, topic_id=topic_id, post_id=post_id,
                 text=text)


def _notify_many(user_ids, kind: str, *, actor_id: int | None = None,
                 topic_id: int | None = None, post_id: int | None = None,
                 text: str | None = None) -> list[int]:
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    wanted = [uid for uid in dict.fromkeys(user_ids) if uid is not None and uid != actor_id]
    if not wanted:
        return []
    post = db.session.get(Post, post_id) if post_id is not None else None
    if post is not None:
        topic_id = post.topic_id
    topic = db.session.get(Topic, topic_id) if topic_id is not None else None
    if kind in POST_KINDS | {"answer_accepted"} and (
            post is None or not post.is_public or topic is None or not topic.is_published):
        return []
    now = clock.now()
    dedup = (f"post:{post_id}" if kind in POST_KINDS
             else f"answer:{post_id}" if kind == "answer_accepted" else None)
    notified = []
    for user, settings in _recipients(wanted).values():
        if topic is not None and not can(user, "view_topic", topic) \
                and kind not in ("moderation", "report_resolved"):
            continue
        new_id = _insert_notification(
            user_id=user.id, kind=kind, actor_id=actor_id, topic_id=topic_id, post_id=post_id,
            text=(text or "").strip()[:500] or None, dedup_key=dedup, created_at=now)
        if new_id is None:
            continue
        notified.append(user.id)
        mode = settings.email_mode if settings is not None else EmailMode.EACH
        # E-mail only to an address its owner has confirmed (nobody can sign a stranger up).
        if mode == EmailMode.EACH and user.email_verified_at is not None:
            mail.queue_notification(new_id, user, kind, actor_id=actor_id, topic=topic,
                                    post=post, text=text)
    return notified


# @Display Name: the longest run of words after "@" that is someone's display name.
_AT = re.compile(r"(?<![\w@])@(?=\S)")
_CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.S)
_TRAILING = ".,;:!?)]}'\"”’"
MAX_NAME_WORDS = 6


def mentioned_names(text: str) -> list[list[str]]:
    """For each @ in the text, the name keys it could stand for, longest first."""
    text = _CODE.sub(" ", text)
    found = []
    for match in _AT.finditer(text):
        words = text[match.end():match.end() + 200].split(maxsplit=MAX_NAME_WORDS)
        words = words[:MAX_NAME_WORDS]
        for i, word in enumerate(words):  # a name does not run on past a comma or a "!"
            if word[-1] in ",;!?":
                words = words[:i + 1]
                break
        candidates = []
        for n in range(len(words), 0, -1):
            candidate = " ".join(words[:n]).rstrip(_TRAILING)
            if candidate and name_key(candidate) not in candidates:
                candidates.append(name_key(candidate))
        found.append(candidates)
        if len(found) >= MAX_MENTIONS:
            break
    return found


def mentioned_users(text: str) -> list[int]:
    """Ids of the members a text mentions, matched case-insensitively (one query)."""
    groups = mentioned_names(text)
    keys = {key for group in groups for key in group}
    if not keys:
        return []
    by_key = dict(db.session.execute(select(User.name_key, User.id)
                                     .where(User.name_key.in_(keys))).all())
    ids = []
    for group in groups:
        for key in group:  # longest first: "@Ann Lee Smith" beats "@Ann"
            if key in by_key:
                ids.append(by_key[key])
                break
    return list(dict.fromkeys(ids))


def notify_about_post(post: Post) -> None:
    """A public post appeared (new, or shown after being held back): mentions first, then
    followers of the topic (a reply) or of the forum (a new topic)."""
    topic = post.topic
    if not post.is_public or not topic.is_published:
        return
    mentioned = mentioned_users(post.body_source)
    _notify_many(mentioned, "mention", actor_id=post.author_id, post_id=post.id)
    if post.is_opening:
        followers = db.session.scalars(select(Subscription.user_id).where(
            Subscription.forum_id == topic.forum_id, Subscription.active.is_(True)))
        _notify_many(followers, "topic", actor_id=post.author_id, post_id=post.id)
    else:
        followers = db.session.scalars(select(Subscription.user_id).where(
            Subscription.topic_id == topic.id, Subscription.active.is_(True)))
        _notify_many(followers, "reply", actor_id=post.author_id, post_id=post.id)


def unread_count_query(user_id: int, cap: int = 99):
    """Unread notifications, counted up to cap + 1 (shown as "99+"), as a scalar subquery."""
    inner = (select(Notification.id).where(Notification.user_id == user_id,
                                           Notification.read_at.is_(None))
             .limit(cap + 1).subquery())
    return select(func.count()).select_from(inner).scalar_subquery()


def unread_count(user, cap: int = 99) -> int:
    """Unread notifications (one indexed query; pages get it with the member instead)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(select(unread_count_query(user.id, cap))) or 0


def mark_read(actor: User, notification: Notification) -> None:
    require(actor, "read_notification", notification)
    if notification.read_at is None:
        notification.read_at = clock.now()
        pagecache.changed(notifications_scope(actor.id))
        db.session.flush()


def mark_all_read(actor: User) -> int:
    require(actor, "manage_notifications", actor)
    marked = db.session.execute(update(Notification).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())).rowcount
    if marked:
        pagecache.changed(notifications_scope(actor.id))
    return marked


def targets_changed() -> None:
    """What some notifications point at changed (a post hidden or shown, a topic's title):
    every member's kept page of them is dropped when the write commits (queries.TARGETS)."""
    pagecache.changed(TARGETS)


# --------------------------------------------------------------------------- read state

def mark_forum_read(actor: User, forum: Forum) -> None:
    require(actor, "manage_notifications", actor)
    now = clock.now()
    pagecache.changed(reader_scope(actor.id))  # their kept "Unread" badges
    if not insert_ignoring_duplicates(ForumRead, user_id=actor.id, forum_id=forum.id,
                                      read_at=now):
        db.session.execute(update(ForumRead).where(
            ForumRead.user_id == actor.id, ForumRead.forum_id == forum.id).values(read_at=now))


def mark_everything_read(actor: User) -> None:
    require(actor, "manage_notifications", actor)
    settings = settings_for(actor.id)
    settings.all_read_at = clock.now()
    pagecache.changed(reader_scope(actor.id))  # their kept "Unread" badges
    db.session.merge(settings)
    db.session.flush()

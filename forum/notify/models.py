"""Subscriptions, notifications and read state (the e-mail outbox is forum/outbox.py)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..accounts.models import User
from ..board.models import Post, Topic
from ..dbutil import string_enum
from ..extensions import db


class EmailMode(str, enum.Enum):
    EACH = "each"      # an e-mail for each notification
    DIGEST = "digest"  # one e-mail a day listing them
    OFF = "off"


class NotifySettings(db.Model):
    """A member's choices; no row means the defaults."""
    __tablename__ = "notify_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    email_mode: Mapped[EmailMode] = mapped_column(string_enum(EmailMode), default=EmailMode.EACH)
    # Subscribe me to topics I start or reply to.
    auto_subscribe: Mapped[bool] = mapped_column(default=True)
    # "Mark everything read": topics last posted to before this are read.
    all_read_at: Mapped[datetime | None]
    # The last daily digest built (its notifications were those created before this).
    digest_sent_at: Mapped[datetime | None]


class Subscription(db.Model):
    """A member follows a topic or a whole forum. active=False remembers "stop following",
    so replying again does not subscribe the member behind their back."""
    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "topic_id"),
                      UniqueConstraint("user_id", "forum_id"),
                      Index("ix_subscriptions_topic", "topic_id", "active"),
                      Index("ix_subscriptions_forum", "forum_id", "active"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"))
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "dedup_key"),
                      Index("ix_notifications_user", "user_id", "read_at", "id"),
                      # the newest first of one member (/notifications)
                      Index("ix_notifications_user_newest", "user_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    text: Mapped[str | None] = mapped_column(String(500))
    # One notification per member per post (a mention and a reply in one post make one).
    dedup_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    read_at: Mapped[datetime | None]

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise")
    topic: Mapped[Topic | None] = relationship(foreign_keys=[topic_id], lazy="raise")
    post: Mapped[Post | None] = relationship(foreign_keys=[post_id], lazy="raise")


class TopicRead(db.Model):
    """How far a member has read a topic: the last post position shown to them."""
    __tablename__ = "topic_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), primary_key=True,
                                          index=True)
    last_position: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[datetime] = mapped_column(default=clock.now)


class ForumRead(db.Model):
    """"Mark all read" for one forum: topics last posted to before read_at are read."""
    __tablename__ = "forum_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(default=clock.now)

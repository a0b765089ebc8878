from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (JSON, Column, ForeignKey, Index, SmallInteger, String, Table, Text,
                        UniqueConstraint, false, func, select, true)
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from .. import clock
from ..accounts.models import User
from ..dbutil import in_ids, string_enum
from ..extensions import db
from ..urls import page_count


class TopicKind(str, enum.Enum):
    DISCUSSION = "discussion"
    QUESTION = "question"
    ARTICLE = "article"
    LINK = "link"


class TopicStatus(str, enum.Enum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    HIDDEN = "hidden"
    # A new member's topic whose opening post waits for a moderator (forum/moderation/
    # approval.py), or whose opening post a moderator turned down.
    PENDING = "pending"
    REJECTED = "rejected"


class Approval(str, enum.Enum):
    """A post that had to wait for a moderator: waiting, let through, or turned down.
    Waiting and turned-down posts are also hidden (hidden_at set), so every count and query
    that leaves hidden posts out leaves them out too."""
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Pin(enum.IntEnum):
    """Stored as a small integer so listings can order by it: global pins sort first."""
    NONE = 0
    FORUM = 1
    GLOBAL = 2


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)

    forums: Mapped[list[Forum]] = relationship(back_populates="category",
                                               order_by="Forum.position")


class Forum(db.Model):
    __tablename__ = "forums"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # Whether some groups alone may read / reply / start topics here (forum/groups/ keeps
    # which groups, and these flags with them). A read-restricted forum's topics are not
    # public: Topic.public() leaves them out of every listing, feed, search and count.
    read_restricted: Mapped[bool] = mapped_column(default=False, server_default=false())
    reply_restricted: Mapped[bool] = mapped_column(default=False, server_default=false())
    start_restricted: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Counters kept by the services in the same transaction as each write.
    topic_count: Mapped[int] = mapped_column(default=0)
    post_count: Mapped[int] = mapped_column(default=0)
    last_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", use_alter=True, name="fk_forums_last_post_id_posts"))

    category: Mapped[Category] = relationship(back_populates="forums")
    last_post: Mapped[Post | None] = relationship(foreign_keys=[last_post_id], post_update=True)

    @classmethod
    def readable_by(cls, scope):
        """SQL: forums this viewer (a permissions.ViewerScope, None for everyone) may read."""
        if scope is None:
            return cls.readable_with(False, ())
        return cls.readable_with(scope.all_forums, scope.readable)

    @classmethod
    def readable_with(cls, all_forums: bool, readable):
        """readable_by for a scope that reads every forum (`all_forums`) or, besides the
        open ones, the restricted forums whose ids are `readable`."""
        if all_forums:
            return true()
        return ~cls.read_restricted | cls.id.in_(sorted(readable)) if readable \
            else ~cls.read_restricted


# Which tags a topic carries (articles and library links use them; any topic may).
topic_tags = Table(
    "topic_tags", db.metadata,
    Column("topic_id", ForeignKey("topics.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True, index=True),
)


class Tag(db.Model):
    """A subject label ("customer service"); its slug names its archive page /tags/<slug>."""
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    slug: Mapped[str] = mapped_column(String(60), unique=True)


class Topic(db.Model):
    __tablename__ = "topics"
    __table_args__ = (
        # The forum page's order, so the first page reads 30 index entries, not the forum
        # (status is a filter: nearly every topic is public). See bench/README.md.
        Index("ix_topics_listing", "forum_id", "pinned", "last_post_at", "id"),
        Index("ix_topics_pinned", "pinned", "last_post_at"),  # global pins on every forum
        # latest activity: suggested topics (per forum) and the Latest tab (all)
        Index("ix_topics_forum_latest", "forum_id", "last_post_at", "id"),
        Index("ix_topics_latest", "last_post_at", "id"),
        Index("ix_topics_kind", "kind", "created_at"),  # /articles and /library by kind
        Index("ix_topics_author", "author_id", "created_at"),
        # the Top tab: of all time in this order; of a period, the period's topics
        Index("ix_topics_top", "reply_count", "view_count", "id"),
        Index("ix_topics_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    kind: Mapped[TopicKind] = mapped_column(string_enum(TopicKind), default=TopicKind.DISCUSSION)
    status: Mapped[TopicStatus] = mapped_column(string_enum(TopicStatus),
                                                default=TopicStatus.PUBLISHED)
    pinned: Mapped[int] = mapped_column(SmallInteger, default=Pin.NONE)
    locked: Mapped[bool] = mapped_column(default=False)
    lock_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    publish_at: Mapped[datetime | None]
    # Every post ever made in the topic, hidden ones included: the next post's position.
    post_count: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)
    voice_count: Mapped[int] = mapped_column(default=0)
    view_count: Mapped[int] = mapped_column(default=0)
    first_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", use_alter=True, name="fk_topics_first_post_id_posts"))
    last_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", use_alter=True, name="fk_topics_last_post_id_posts"))
    last_post_at: Mapped[datetime | None]
    # A question's answer, chosen by its author or a moderator.
    accepted_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", use_alter=True, name="fk_topics_accepted_post_id_posts"))

    forum: Mapped[Forum] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    first_post: Mapped[Post | None] = relationship(foreign_keys=[first_post_id],
                                                   post_update=True)
    last_post: Mapped[Post | None] = relationship(foreign_keys=[last_post_id], post_update=True)
    accepted_post: Mapped[Post | None] = relationship(foreign_keys=[accepted_post_id],
                                                      post_update=True)
    tags: Mapped[list[Tag]] = relationship(secondary=topic_tags, order_by="Tag.name")

    @property
    def is_pinned_everywhere(self) -> bool:
        return self.pinned == Pin.GLOBAL

    @property
    def is_question(self) -> bool:
        return self.kind == TopicKind.QUESTION

    @property
    def is_answered(self) -> bool:
        return self.accepted_post_id is not None

    @property
    def is_published(self) -> bool:
        """Public: published, or scheduled and its time has come (no job needed to flip it)."""
        if self.status == TopicStatus.SCHEDULED:
            return self.publish_at is not None and self.publish_at <= clock.now()
        return self.status == TopicStatus.PUBLISHED

    @classmethod
    def published(cls, now=None):
        """The SQL form of is_published (the status alone, wherever the forum is). `now`: the
        moment as an expression (a bound parameter, in a statement built once), else now."""
        return (cls.status == TopicStatus.PUBLISHED) | (
            (cls.status == TopicStatus.SCHEDULED)
            & (cls.publish_at <= (clock.now() if now is None else now)))

    @classmethod
    def public(cls):
        """Public to everyone: published, in a forum no group limits. Every query that lists
        or finds topics for everyone (feeds, pings, latest lists, profiles) uses this."""
        return cls.published() & cls.in_forums_readable_by(None)

    @classmethod
    def in_forums_readable_by(cls, scope, readable=None):
        """SQL: the topic's forum is one the viewer (a permissions.ViewerScope, None for
        everyone) may read; the same rule as permissions' view_forum. `readable`: the name
        of a bound parameter (dbutil.in_ids) holding the restricted forums they may read,
        in a statement built once, instead of the scope's ids."""
        if scope is not None and scope.all_forums:
            return true()
        restricted = aliased(Forum)  # never correlated with a Forum the outer query joins
        open_forum = cls.forum_id.not_in(
            select(restricted.id).where(restricted.read_restricted).correlate(None))
        if readable is not None:
            return open_forum | in_ids(cls.forum_id, readable)
        readable = scope.readable if scope is not None else ()
        return open_forum | cls.forum_id.in_(sorted(readable)) if readable else open_forum

    @classmethod
    def visible_to(cls, scope, now=None, readable=None):
        """Published topics this viewer may read: public(), plus those of the restricted
        forums their groups (or role) open to them. `now`, `readable`: as expressions, for a
        statement built once (published, in_forums_readable_by)."""
        return cls.published(now) & cls.in_forums_readable_by(scope, readable)

    def page_count(self, per_page: int) -> int:
        return page_count(self.post_count, per_page)


# Feeds list topics by when they became public (feeds.queries.published_at).
Index("ix_topics_published", func.coalesce(Topic.publish_at, Topic.created_at), Topic.id)


class PostState:
    """What a post's state columns say (hidden, public, awaiting approval, turned down,
    opening), for a Post and for the lighter PostFacts a kept topic page loads
    (board/queries.py): both hold `hidden_at`, `approval` and `position`."""

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_public(self) -> bool:
        """Shown to everyone (so indexed, pinged, notified about). Features that follow posts
        check this; a post becoming public later sends post_visibility_changed(hidden=False).
        A post awaiting approval (or turned down) is never public."""
        return not self.is_hidden and self.approval in (None, Approval.APPROVED)

    @property
    def awaiting_approval(self) -> bool:
        return self.approval == Approval.PENDING

    @property
    def is_rejected(self) -> bool:
        return self.approval == Approval.REJECTED

    @property
    def is_opening(self) -> bool:
        return self.position == 1


class Post(PostState, db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("topic_id", "position"),
        Index("ix_posts_author", "author_id", "created_at"),
        Index("ix_posts_helpful", "topic_id", "vote_count"),
        Index("ix_posts_approval", "approval", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # 1 is the opening post. Pages are position ranges, so page 400 costs what page 1 does.
    position: Mapped[int]
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    edited_at: Mapped[datetime | None]
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hide_reason: Mapped[str | None] = mapped_column(String(500))
    # Members who marked it helpful (rows in post_votes), kept by the services.
    vote_count: Mapped[int] = mapped_column(default=0)
    # Public posts quoting this one (rows in post_quotes), kept by forum/writing/quotes.py.
    quote_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Files attached to it (rows in attachments, forum/uploads/): pages look them up only
    # for posts that have some.
    attachment_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # None for posts that never had to wait (see Approval).
    approval: Mapped[Approval | None] = mapped_column(string_enum(Approval))

    topic: Mapped[Topic] = relationship(foreign_keys=[topic_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])

    @property
    def author_name(self) -> str:
        return self.author.display_name


class PostRevision(db.Model):
    """Every edit keeps the text it replaced, who changed it and when, and the names of the
    files it added and removed (`file_changes`: {"added": [...], "removed": [...]})."""
    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body_source: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(500))
    file_changes: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    editor: Mapped[User] = relationship()

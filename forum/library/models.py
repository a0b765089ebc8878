"""A library link is a topic of kind link (its opening post is the annotation, its replies
the comments) plus one LinkEntry row for what only links have."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..accounts.models import User
from ..board.models import Topic
from ..dbutil import string_enum
from ..extensions import db

PLACEHOLDER_PREFIX = "https://example.org/placeholder/"


class LinkHealth(str, enum.Enum):
    UNCHECKED = "unchecked"
    OK = "ok"
    BROKEN = "broken"


class LinkEntry(db.Model):
    __tablename__ = "link_entries"
    __table_args__ = (Index("ix_link_entries_section", "section", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    # Who wrote what the link points to ("McKinsey"); None when unknown.
    source_author: Mapped[str | None] = mapped_column(String(100))
    section: Mapped[str] = mapped_column(String(200), default="")
    # "Views so far": moved only by LinkClick rows really added (see services.record_click).
    click_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    # Set by `flask forum check-links`.
    health: Mapped[LinkHealth] = mapped_column(
        string_enum(LinkHealth),
        default=LinkHealth.UNCHECKED)
    status_code: Mapped[int | None]
    check_error: Mapped[str | None] = mapped_column(String(200))
    last_checked_at: Mapped[datetime | None]

    topic: Mapped[Topic] = relationship()

    @property
    def is_broken(self) -> bool:
        return self.health == LinkHealth.BROKEN

    @property
    def is_placeholder(self) -> bool:
        """Demo entries whose real address is unknown point under example.org/placeholder/."""
        return self.url.startswith(PLACEHOLDER_PREFIX)


class LinkClick(db.Model):
    """One visitor following one link within one time window: counted once.

    `visitor` is an HMAC of the account id or of the address and browser, keyed with the
    site's secret key, so no raw IP address is stored."""
    __tablename__ = "link_clicks"
    __table_args__ = (UniqueConstraint("link_id", "visitor", "bucket"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("link_entries.id"))
    visitor: Mapped[str] = mapped_column(String(64))
    bucket: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class LinkRevision(db.Model):
    """Each version of a link's own fields (the annotation's versions are post revisions)."""
    __tablename__ = "link_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("link_entries.id"), index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    source_author: Mapped[str | None] = mapped_column(String(100))
    section: Mapped[str] = mapped_column(String(200), default="")
    tags: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    editor: Mapped[User] = relationship()

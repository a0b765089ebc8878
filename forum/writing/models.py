"""What the writing features keep: which posts quote which, and unsent drafts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..extensions import db


class PostQuote(db.Model):
    """A public post that quotes another (a blockquote holding a link to it). The quoted
    post's `quote_count` ("N replies quote this") is the number of these rows."""
    __tablename__ = "post_quotes"
    __table_args__ = (UniqueConstraint("source_post_id", "quoted_post_id"),
                      Index("ix_post_quotes_quoted", "quoted_post_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source_post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    source_topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    quoted_post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))


class Draft(db.Model):
    """A member's unsent text for one form (`key`: "reply:<topic id>" or "topic"), kept on
    the server as they type so that it follows them to any device; gone once sent."""
    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

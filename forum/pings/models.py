from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..board.models import Topic
from ..extensions import db


class Ping(db.Model):
    """A public post that links to another topic of this forum: shown as "N pings" there."""
    __tablename__ = "pings"
    __table_args__ = (UniqueConstraint("source_post_id", "target_topic_id"),
                      Index("ix_pings_target", "target_topic_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source_post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    source_topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    target_topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    excerpt: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    source_topic: Mapped[Topic] = relationship(foreign_keys=[source_topic_id])

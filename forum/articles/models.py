from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..board.models import Topic
from ..extensions import db


class Series(db.Model):
    """Articles published as numbered parts ("Part 1 – Policy"); page /series/<slug>."""
    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Article(db.Model):
    """What an article topic has beyond its opening post (the body) and its tags."""
    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_series", "series_id", "series_part"),)

    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), primary_key=True)
    # Plain text for listings; written by the author, or the body's first words.
    excerpt: Mapped[str] = mapped_column(Text, default="")
    excerpt_given: Mapped[bool] = mapped_column(default=False)
    question_source: Mapped[str | None] = mapped_column(String(500))
    question_html: Mapped[str | None] = mapped_column(Text)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"))
    series_part: Mapped[int | None]

    topic: Mapped[Topic] = relationship()
    series: Mapped[Series | None] = relationship()

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class SearchDocument(db.Model):
    """One row per post: the text the engine indexes (its topic's title on the opening post
    only, so titles weigh more without repeating in every reply). Visibility and forum are
    never copied here: they are read from posts and topics when searching, so hiding or
    moving takes effect at once. The engine's own index is kept by database triggers."""
    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_tsv", "tsv", postgresql_using="gin"),
        Index("ix_search_documents_created_at", "created_at"),
    )

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), primary_key=True,
                                         autoincrement=False)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    # PostgreSQL only (set by the trigger from title and body); always empty on SQLite,
    # which indexes the same rows in the FTS5 table search_fts.
    tsv: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

LANGUAGE = "english"  # PostgreSQL text search configuration (the triggers use the same)


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


class SearchWord(db.Model):
    """Every word the index has held (lower case, letters only, 3 to 40 long): the spelling
    list "did you mean" picks from (forum/search/suggest.py). Kept by forum/search/index.py
    in the write's transaction; words are never removed (a word that only hidden or private
    posts hold is still here, so a suggestion is shown only when it finds something the
    searcher may see)."""
    __tablename__ = "search_words"
    __table_args__ = (Index("ix_search_words_head", "head"), Index("ix_search_words_tail", "tail"))

    word: Mapped[str] = mapped_column(String(40), primary_key=True)
    head: Mapped[str] = mapped_column(String(2))  # its first two letters: where to look,
    tail: Mapped[str] = mapped_column(String(2))  # and its last two (a mistyped start)


class TopicWords(db.Model):
    """Every word a topic has held, in any of its posts or titles: the topic-level index a
    search first intersects in, so "customer service" finds the topics whose posts hold
    both words however common each word is (queries.py). It only ever grows: an edit or a
    hidden post leaves its old words here, because it only narrows the topics to look at;
    the post-level documents then decide what matches (visibility, phrases, exclusions).

    PostgreSQL: `tsv`, the words' lexemes without positions (bounded by the topic's
    vocabulary), grown with `||`. SQLite: `words`, the distinct whitespace-separated chunks
    of the topic's texts, indexed by the FTS5 table topic_fts (kept by triggers), with the
    same tokenizer as the posts' index."""
    __tablename__ = "topic_words"
    __table_args__ = (Index("ix_topic_words_tsv", "tsv", postgresql_using="gin"),)

    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), primary_key=True,
                                          autoincrement=False)
    words: Mapped[str] = mapped_column(Text, default="")
    tsv: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))

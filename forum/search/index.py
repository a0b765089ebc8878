"""Keeping the index in step with the board: receivers of forum/events.py signals
(connected in forum/composition/wiring.py), run
inside the write's own transaction (they add rows to it and never commit), and `rebuild()`
for `flask forum reindex`.

Every post gets a document, hidden ones and drafts included: who may find what is decided
when searching (forum/search/queries.py, with the rules in forum/permissions.py), so hiding,
restoring, publishing and moving need no index write and take effect at once. Each post's
words are also added to its topic's `TopicWords` (the topic-level index, only ever grown).
"""
from __future__ import annotations

import html
import re

from sqlalchemy import delete, insert, select, text, update

from .. import pagecache
from ..board.models import Post, Topic
from ..dbutil import insert_many_ignoring_duplicates, on_postgresql
from ..extensions import db
from .models import LANGUAGE, SearchDocument, SearchWord, TopicWords

_TAG = re.compile(r"<[^>]*>")
# Control characters (the highlighter's markers among them) never reach the index.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")
# A tag that ends a block becomes a space, so words in adjacent paragraphs stay apart.
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|pre)>|<br\s*/?>", re.I)
# What the spelling list keeps: runs of letters, 3 to 40 of them.
_WORD = re.compile(r"[^\W\d_]{3,40}")


def words(*texts: str) -> list[str]:
    """The distinct words of some texts, lower case, sorted."""
    return sorted({w.lower() for text in texts for w in _WORD.findall(text or "")
                   if len(w.lower()) <= 40})


def remember_words(*texts: str) -> None:
    """Add a text's words to the spelling list (one statement; known words are skipped)."""
    insert_many_ignoring_duplicates(SearchWord, [{"word": w, "head": w[:2], "tail": w[-2:]}
                                                 for w in words(*texts)])


def plain_text(body_html: str) -> str:
    """The words of stored, sanitised HTML (markup.py's output), as plain text."""
    text = _TAG.sub("", _BLOCK_END.sub(" ", body_html or ""))
    return _SPACE.sub(" ", _CONTROL.sub(" ", html.unescape(text))).strip()


def clean_title(title: str) -> str:
    return _SPACE.sub(" ", _CONTROL.sub(" ", title or "")).strip()


def _fields(post: Post, title: str | None = None) -> dict:
    if title is None:
        title = post.topic.title if post.position == 1 else ""
    return {"title": clean_title(title), "body": plain_text(post.body_html)}


def _chunks(text_: str) -> dict[str, None]:
    """The distinct whitespace-separated chunks of a text, in first-seen order: what SQLite's
    topic word set holds (FTS5 splits them into words with the posts' tokenizer)."""
    return dict.fromkeys(text_.split())


def _topic_words_upsert():
    return text(
        "INSERT INTO topic_words (topic_id, words, tsv) "
        f"VALUES (:topic_id, '', strip(to_tsvector('{LANGUAGE}', :text))) "
        "ON CONFLICT (topic_id) DO UPDATE SET tsv = topic_words.tsv || excluded.tsv "
        "WHERE length(topic_words.tsv || excluded.tsv) > length(topic_words.tsv)")


def add_topic_words(topic_id: int, *texts: str) -> None:
    """Grow a topic's word set by some texts (a post's title and body, a new title). The row
    is written only when a word is new to the topic."""
    joined = " ".join(t for t in texts if t)
    if on_postgresql():
        db.session.execute(_topic_words_upsert(), {"topic_id": topic_id, "text": joined})
        return
    row = db.session.get(TopicWords, topic_id)
    known = set(row.words.split()) if row is not None else set()
    new = [c for c in _chunks(joined) if c not in known]
    if row is None:
        db.session.add(TopicWords(topic_id=topic_id, words=" ".join(new)))
    elif new:
        row.words = f"{row.words} {' '.join(new)}"


# Every topic's lexemes from its posts' documents (lexeme_union: the migration's aggregate of
# tsvector_concat); bench/generate.py fills its data the same way.
FILL_TOPIC_WORDS_POSTGRES = (
    "INSERT INTO topic_words (topic_id, words, tsv) "
    "SELECT p.topic_id, '', lexeme_union(strip(d.tsv)) FROM search_documents d "
    "JOIN posts p ON p.id = d.post_id GROUP BY p.topic_id")


def rebuild_topic_words() -> None:
    """Every topic's word set again, from the posts' documents (flask forum reindex)."""
    db.session.execute(delete(TopicWords))
    if on_postgresql():
        db.session.execute(text(FILL_TOPIC_WORDS_POSTGRES))
        return
    chunks: dict[int, dict[str, None]] = {}
    for topic_id, title, body in db.session.execute(
            select(Post.topic_id, SearchDocument.title, SearchDocument.body)
            .join(Post, Post.id == SearchDocument.post_id).order_by(Post.topic_id, Post.id)):
        chunks.setdefault(topic_id, {}).update(_chunks(f"{title} {body}"))
    if chunks:
        db.session.execute(insert(TopicWords), [{"topic_id": t, "words": " ".join(seen)}
                                                for t, seen in chunks.items()])


def index_post(post: Post) -> None:
    """Add or refresh a post's document (its topic's title too, for an opening post), and
    add its words to its topic's."""
    fields = _fields(post)
    remember_words(fields["title"], fields["body"])
    add_topic_words(post.topic_id, fields["title"], fields["body"])
    document = db.session.get(SearchDocument, post.id)
    if document is None:
        db.session.add(SearchDocument(post_id=post.id, created_at=post.created_at, **fields))
    elif (document.title, document.body) != (fields["title"], fields["body"]):
        document.title, document.body = fields["title"], fields["body"]
    db.session.flush()


def retitle(topic: Topic) -> None:
    if topic.first_post_id is not None:
        remember_words(topic.title)
        add_topic_words(topic.id, clean_title(topic.title))
        db.session.execute(update(SearchDocument)
                           .where(SearchDocument.post_id == topic.first_post_id)
                           .values(title=clean_title(topic.title)))


def post_created(post, **extra) -> None:
    index_post(post)


def post_edited(post, **extra) -> None:
    index_post(post)  # the opening post carries its topic's (possibly new) title


def post_visibility_changed(post, hidden=None, **extra) -> None:
    # Visibility is checked when searching; only make sure the post is in the index (a post
    # written before the index existed, or held for approval, becomes findable).
    if db.session.get(SearchDocument, post.id) is None:
        index_post(post)


def topic_changed(topic, change=None, **extra) -> None:
    # Moving, hiding, restoring, publishing: read from topics when searching. A topic that
    # was never announced (a draft article) gets its opening post indexed when it changes.
    if change == "renamed":
        retitle(topic)
    elif topic.first_post is not None \
            and db.session.get(SearchDocument, topic.first_post_id) is None:
        index_post(topic.first_post)


def rebuild(batch: int = 5000) -> int:
    """Rebuild every document from the posts (flask forum reindex); returns how many.
    Runs in the caller's transaction; the database triggers rebuild the engine's index.
    Kept search pages and results are dropped when it commits (pagecache.changed)."""
    pagecache.changed(pagecache.SITE)
    db.session.execute(delete(SearchDocument))
    count, last_id = 0, 0
    while True:
        rows = db.session.execute(
            select(Post.id, Post.position, Post.body_html, Post.created_at, Topic.title)
            .join(Topic, Topic.id == Post.topic_id)
            .where(Post.id > last_id).order_by(Post.id).limit(batch)).all()
        if not rows:
            break
        documents = [{"post_id": row.id, "created_at": row.created_at,
                      "title": clean_title(row.title) if row.position == 1 else "",
                      "body": plain_text(row.body_html)} for row in rows]
        db.session.execute(insert(SearchDocument), documents)
        remember_words(*(d["title"] + " " + d["body"] for d in documents))
        count += len(rows)
        last_id = rows[-1].id
    rebuild_topic_words()
    return count

"""Keeping the index in step with the board: receivers of forum/events.py signals, run
inside the write's own transaction (they add rows to it and never commit), and `rebuild()`
for `flask forum reindex`.

Every post gets a document, hidden ones and drafts included: who may find what is decided
when searching (forum/search/queries.py, with the rules in forum/permissions.py), so hiding,
restoring, publishing and moving need no index write and take effect at once.
"""
from __future__ import annotations

import html
import re

from sqlalchemy import delete, insert, select, update

from .. import events
from ..board.models import Post, Topic
from ..extensions import db
from .models import SearchDocument

_TAG = re.compile(r"<[^>]*>")
# Control characters (the highlighter's markers among them) never reach the index.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")
# A tag that ends a block becomes a space, so words in adjacent paragraphs stay apart.
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|pre)>|<br\s*/?>", re.I)


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


def index_post(post: Post) -> None:
    """Add or refresh a post's document (its topic's title too, for an opening post)."""
    fields = _fields(post)
    document = db.session.get(SearchDocument, post.id)
    if document is None:
        db.session.add(SearchDocument(post_id=post.id, created_at=post.created_at, **fields))
    elif (document.title, document.body) != (fields["title"], fields["body"]):
        document.title, document.body = fields["title"], fields["body"]
    db.session.flush()


def retitle(topic: Topic) -> None:
    if topic.first_post_id is not None:
        db.session.execute(update(SearchDocument)
                           .where(SearchDocument.post_id == topic.first_post_id)
                           .values(title=clean_title(topic.title)))


@events.post_created.connect
def _post_created(post, **extra) -> None:
    index_post(post)


@events.post_edited.connect
def _post_edited(post, **extra) -> None:
    index_post(post)  # the opening post carries its topic's (possibly new) title


@events.post_visibility_changed.connect
def _post_visibility_changed(post, hidden=None, **extra) -> None:
    # Visibility is checked when searching; only make sure the post is in the index (a post
    # written before the index existed, or held for approval, becomes findable).
    if db.session.get(SearchDocument, post.id) is None:
        index_post(post)


@events.topic_changed.connect
def _topic_changed(topic, change=None, **extra) -> None:
    # Moving, hiding, restoring, publishing: read from topics when searching. A topic that
    # was never announced (a draft article) gets its opening post indexed when it changes.
    if change == "renamed":
        retitle(topic)
    elif topic.first_post is not None \
            and db.session.get(SearchDocument, topic.first_post_id) is None:
        index_post(topic.first_post)


def rebuild(batch: int = 5000) -> int:
    """Rebuild every document from the posts (flask forum reindex); returns how many.
    Runs in the caller's transaction; the database triggers rebuild the engine's index."""
    db.session.execute(delete(SearchDocument))
    count, last_id = 0, 0
    while True:
        rows = db.session.execute(
            select(Post.id, Post.position, Post.body_html, Post.created_at, Topic.title)
            .join(Topic, Topic.id == Post.topic_id)
            .where(Post.id > last_id).order_by(Post.id).limit(batch)).all()
        if not rows:
            break
        db.session.execute(insert(SearchDocument), [
            {"post_id": row.id, "created_at": row.created_at,
             "title": clean_title(row.title) if row.position == 1 else "",
             "body": plain_text(row.body_html)} for row in rows])
        count += len(rows)
        last_id = rows[-1].id
    return count

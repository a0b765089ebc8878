"""Read queries for feeds: public content only, newest first, one query a feed (plus the
forum, topic or tag it is about)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..board.models import Forum, Post, Tag, Topic, TopicKind, topic_tags
from ..board.queries import page_first
from ..extensions import db

LIMIT = 20


def published_at():
    """When a topic became public: its publishing time if it had one, else when written."""
    return func.coalesce(Topic.publish_at, Topic.created_at)


def topics(*, forum: Forum | None = None, kind: TopicKind | None = None,
           tag: Tag | None = None, limit: int = LIMIT) -> list[Topic]:
    query = select(Topic).where(Topic.public())
    if forum is not None:
        query = query.where(Topic.forum_id == forum.id)
    if kind is not None:
        query = query.where(Topic.kind == kind)
    if tag is not None:
        query = query.where(Topic.id.in_(
            select(topic_tags.c.topic_id).where(topic_tags.c.tag_id == tag.id)))
    return list(db.session.scalars(
        page_first(query, (published_at().desc(), Topic.id.desc()), limit)
        .options(joinedload(Topic.author), joinedload(Topic.first_post),
                 joinedload(Topic.forum))))


def public_topic(topic_id: int) -> Topic | None:
    return db.session.scalar(select(Topic).where(Topic.id == topic_id, Topic.public())
                             .options(joinedload(Topic.forum)))


def posts(topic: Topic, limit: int = LIMIT) -> list[Post]:
    """The newest visible posts of a topic (the opening post too, when among them)."""
    return list(db.session.scalars(
        select(Post).where(Post.topic_id == topic.id, Post.hidden_at.is_(None))
        .order_by(Post.position.desc()).limit(limit).options(joinedload(Post.author))))


def tag(slug: str) -> Tag | None:
    return db.session.scalar(select(Tag).where(Tag.slug == slug[:60]))

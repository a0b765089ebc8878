"""Read queries for the library pages: a fixed number per page, however many links."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..board.models import Forum, Post, Tag, Topic, TopicKind, topic_tags
from ..extensions import db
from .models import LinkEntry

SORTS = {
    "section": "By section",
    "newest": "Newest first",
    "views": "Most viewed",
}


def _listed():
    return select(LinkEntry).join(LinkEntry.topic).where(
        Topic.kind == TopicKind.LINK, Topic.public())


PER_PAGE = 50


def link_count(tag: Tag | None = None) -> int:
    query = select(func.count(LinkEntry.id)).join(LinkEntry.topic).where(
        Topic.kind == TopicKind.LINK, Topic.public())
    if tag is not None:
        query = query.where(Topic.id.in_(select(topic_tags.c.topic_id)
                                         .where(topic_tags.c.tag_id == tag.id)))
    return db.session.scalar(query) or 0


def links(sort: str = "section", tag: Tag | None = None, page: int = 1,
          per_page: int | None = None) -> list[LinkEntry]:
    """A page of public links, with topic, annotation and tags (a whole library of a few
    dozen links is one page)."""
    query = _listed().options(
        joinedload(LinkEntry.topic).joinedload(Topic.first_post),
        joinedload(LinkEntry.topic).selectinload(Topic.tags))
    if tag is not None:
        query = query.where(Topic.id.in_(select(topic_tags.c.topic_id)
                                         .where(topic_tags.c.tag_id == tag.id)))
    if sort == "newest":
        query = query.order_by(LinkEntry.created_at.desc(), LinkEntry.id.desc())
    elif sort == "views":
        query = query.order_by(LinkEntry.click_count.desc(), LinkEntry.id)
    else:  # by section, then in the order they were added (as the old page listed them)
        query = query.order_by(LinkEntry.section, LinkEntry.created_at.desc(),
                               LinkEntry.id.desc())
    per_page = per_page or PER_PAGE
    query = query.limit(per_page).offset((page - 1) * per_page)
    return list(db.session.scalars(query).unique())


def tags_in_use() -> list[tuple[Tag, int]]:
    """Tags on public links, with how many links carry each."""
    rows = db.session.execute(
        select(Tag, func.count(Topic.id)).join(topic_tags, topic_tags.c.tag_id == Tag.id)
        .join(Topic, Topic.id == topic_tags.c.topic_id)
        .where(Topic.kind == TopicKind.LINK, Topic.public())
        .group_by(Tag.id).order_by(Tag.name))
    return [(tag, count) for tag, count in rows]


def tag_by_slug(slug: str) -> Tag | None:
    return db.session.scalar(select(Tag).where(Tag.slug == slug))


def link(link_id: int) -> LinkEntry | None:
    """One link with what its page shows: topic, forum and category, annotation, tags."""
    return db.session.scalar(
        select(LinkEntry).where(LinkEntry.id == link_id)
        .options(joinedload(LinkEntry.topic).joinedload(Topic.forum)
                 .joinedload(Forum.category),
                 joinedload(LinkEntry.topic).joinedload(Topic.first_post)
                 .joinedload(Post.author),
                 joinedload(LinkEntry.topic).joinedload(Topic.first_post)
                 .joinedload(Post.edited_by),
                 joinedload(LinkEntry.topic).selectinload(Topic.tags)))


def link_for_topic(topic_id: int) -> LinkEntry | None:
    return db.session.scalar(select(LinkEntry).where(LinkEntry.topic_id == topic_id))


def comments(topic: Topic, limit: int) -> list[Post]:
    """The first replies (positions 2..limit+1), with their authors."""
    return list(db.session.scalars(
        select(Post).where(Post.topic_id == topic.id, Post.position.between(2, limit + 1))
        .order_by(Post.position)
        .options(joinedload(Post.author), joinedload(Post.edited_by))))

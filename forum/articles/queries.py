"""Read queries for article pages: a fixed number of queries per page, however many rows."""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from ..board.models import Tag, Topic, TopicKind, TopicStatus, topic_tags
from ..extensions import db
from .models import Article, Series


class Part(NamedTuple):
    id: int
    slug: str
    title: str
    part: int | None


class TagLink(NamedTuple):
    name: str
    slug: str


PUBLISHED_ON = func.coalesce(Topic.publish_at, Topic.created_at)


def _public_articles():
    return (select(Topic, Article).join(Article, Article.topic_id == Topic.id)
            .where(Topic.kind == TopicKind.ARTICLE, Topic.public()))


def article_count() -> int:
    return db.session.scalar(select(func.count(Topic.id)).join(
        Article, Article.topic_id == Topic.id).where(
        Topic.kind == TopicKind.ARTICLE, Topic.public())) or 0


def articles(page: int, per_page: int) -> list[tuple[Topic, Article]]:
    """Public articles, newest first, with their authors."""
    return list(db.session.execute(
        _public_articles().order_by(PUBLISHED_ON.desc(), Topic.id.desc())
        .options(joinedload(Topic.author))
        .limit(per_page).offset((page - 1) * per_page)).all())


def unpublished_articles(limit: int = 50) -> list[Topic]:
    """Drafts and articles waiting for their time, for staff."""
    return list(db.session.scalars(
        select(Topic).where(Topic.kind == TopicKind.ARTICLE,
                            Topic.status.in_([TopicStatus.DRAFT, TopicStatus.SCHEDULED]),
                            ~Topic.published())
        .order_by(Topic.created_at.desc()).limit(limit)))


def tag(slug: str) -> Tag | None:
    return db.session.scalar(select(Tag).where(Tag.slug == slug))


def _tagged(tag: Tag):
    return (Topic.public(), topic_tags.c.tag_id == tag.id)


def tagged_count(tag: Tag) -> int:
    return db.session.scalar(select(func.count(Topic.id)).join(
        topic_tags, topic_tags.c.topic_id == Topic.id).where(*_tagged(tag))) or 0


def tagged(tag: Tag, page: int, per_page: int) -> list[tuple[Topic, Article | None]]:
    """Public topics with a tag, articles and others alike, newest first; other topics bring
    their opening post along for an excerpt."""
    return list(db.session.execute(
        select(Topic, Article).join(topic_tags, topic_tags.c.topic_id == Topic.id)
        .outerjoin(Article, Article.topic_id == Topic.id).where(*_tagged(tag))
        .order_by(PUBLISHED_ON.desc(), Topic.id.desc())
        .options(joinedload(Topic.author), joinedload(Topic.first_post))
        .limit(per_page).offset((page - 1) * per_page)).all())


def series(slug: str) -> Series | None:
    return db.session.scalar(select(Series).where(Series.slug == slug))


def series_parts(series: Series) -> list[tuple[Topic, Article]]:
    return list(db.session.execute(
        _public_articles().where(Article.series_id == series.id)
        .order_by(Article.series_part.asc().nulls_last(), PUBLISHED_ON, Topic.id)
        .options(joinedload(Topic.author))).all())


def article(topic_id: int) -> Article | None:
    return db.session.scalar(select(Article).where(Article.topic_id == topic_id)
                             .options(joinedload(Article.series)))


def article_details(topic_id: int) -> dict:
    """In one query: the article (with its series), its tags, and the public parts of its
    series in order, so a topic page can show the previous and next part."""
    series_id = select(Article.series_id).where(Article.topic_id == topic_id) \
        .scalar_subquery()
    rows = db.session.execute(
        select(Article, Topic.id, Topic.slug, Topic.title, Tag.name, Tag.slug)
        .join(Topic, Topic.id == Article.topic_id)
        .outerjoin(topic_tags, and_(topic_tags.c.topic_id == Topic.id, Topic.id == topic_id))
        .outerjoin(Tag, Tag.id == topic_tags.c.tag_id)
        .where(or_(Article.topic_id == topic_id,
                   and_(Article.series_id == series_id, Topic.public())))
        .order_by(Article.series_part.asc().nulls_last(), PUBLISHED_ON, Topic.id, Tag.name)
        .options(joinedload(Article.series))).all()
    found = {"article": None, "tags": [], "previous": None, "next": None}
    parts = []
    for article, id_, slug, title, tag_name, tag_slug in rows:
        if id_ == topic_id:
            found["article"] = article
            if tag_slug is not None:
                found["tags"].append(TagLink(tag_name, tag_slug))
        if not parts or parts[-1].id != id_:
            parts.append(Part(id_, slug, title, article.series_part))
    article = found["article"]
    if article is not None and article.series_id is not None:
        ids = [part.id for part in parts]
        at = ids.index(topic_id)
        found["previous"] = parts[at - 1] if at > 0 else None
        found["next"] = parts[at + 1] if at + 1 < len(parts) else None
    found["tags"].sort(key=lambda tag: tag.name.lower())
    return found


def topic_extras(topic: Topic) -> dict:
    """What an article's page shows after its opening post: its details, tags and series
    neighbours (one query; none for other topics)."""
    extras = {"article": None, "tags": [], "previous": None, "next": None}
    if topic.kind == TopicKind.ARTICLE:
        extras.update(article_details(topic.id))
    return extras

"""Read queries for board pages. Each page costs a fixed number of queries whatever the data
size: lists come from denormalised counters and position ranges, related rows are joined."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import User
from ..extensions import db
from .models import Category, Forum, Pin, Post, PostRevision, Topic, TopicKind


def forum_index() -> list[Category]:
    last = joinedload(Forum.last_post)
    return list(db.session.scalars(
        select(Category).order_by(Category.position, Category.id)
        .options(selectinload(Category.forums).options(
            last.joinedload(Post.topic), last.joinedload(Post.author)))))


def forum_by_slug(slug: str) -> Forum | None:
    return db.session.scalar(select(Forum).where(Forum.slug == slug)
                             .options(joinedload(Forum.category)))


def all_forums() -> list[Forum]:
    return list(db.session.scalars(select(Forum).join(Forum.category)
                                   .order_by(Category.position, Forum.position)))


def _unanswered(forum: Forum):
    return ((Topic.forum_id == forum.id) & Topic.public()
            & (Topic.kind == TopicKind.QUESTION) & Topic.accepted_post_id.is_(None))


def unanswered_count(forum: Forum) -> int:
    return db.session.scalar(select(func.count(Topic.id)).where(_unanswered(forum))) or 0


def forum_topics(forum: Forum, page: int, per_page: int,
                 unanswered: bool = False) -> list[Topic]:
    listed = _unanswered(forum) if unanswered else (
        (Topic.forum_id == forum.id) & Topic.public())
    return list(db.session.scalars(
        select(Topic)
        .where(listed)
        .order_by(Topic.pinned.desc(), Topic.last_post_at.desc(), Topic.id.desc())
        .options(joinedload(Topic.author), joinedload(Topic.last_post).joinedload(Post.author))
        .limit(per_page).offset((page - 1) * per_page)))


GLOBAL_PINS_SHOWN = 5


def global_pins(forum: Forum) -> list[Topic]:
    """Topics pinned everywhere from other forums, shown above every forum's first page."""
    return list(db.session.scalars(
        select(Topic)
        .where(Topic.pinned == Pin.GLOBAL, Topic.forum_id != forum.id, Topic.public())
        .order_by(Topic.last_post_at.desc(), Topic.id.desc())
        .options(joinedload(Topic.author), joinedload(Topic.forum),
                 joinedload(Topic.last_post).joinedload(Post.author))
        .limit(GLOBAL_PINS_SHOWN)))


def topic(topic_id: int) -> Topic | None:
    return db.session.scalar(
        select(Topic).where(Topic.id == topic_id)
        .options(joinedload(Topic.forum).joinedload(Forum.category),
                 joinedload(Topic.last_post).joinedload(Post.author),
                 joinedload(Topic.accepted_post).joinedload(Post.author)))


def topic_posts(topic: Topic, page: int, per_page: int, by_helpful: bool = False) -> list[Post]:
    """A page of posts: a position range in time order (constant cost at any depth), or
    most helpful first (the opening post stays first)."""
    query = select(Post).where(Post.topic_id == topic.id).options(
        joinedload(Post.author), joinedload(Post.edited_by))
    if by_helpful:
        query = query.order_by((Post.position == 1).desc(), Post.vote_count.desc(),
                               Post.position).limit(per_page).offset((page - 1) * per_page)
    else:
        first = (page - 1) * per_page + 1
        query = query.where(Post.position.between(first, first + per_page - 1)) \
            .order_by(Post.position)
    return list(db.session.scalars(query))


def post(post_id: int) -> Post | None:
    return db.session.scalar(
        select(Post).where(Post.id == post_id)
        .options(joinedload(Post.topic).joinedload(Topic.forum).joinedload(Forum.category),
                 joinedload(Post.author)))


def revisions(post: Post) -> list[PostRevision]:
    return list(db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id)
        .order_by(PostRevision.created_at, PostRevision.id)
        .options(joinedload(PostRevision.editor))))


def recent_topics_by(user: User, limit: int = 10) -> list[Topic]:
    return list(db.session.scalars(
        select(Topic).where(Topic.author_id == user.id, Topic.public())
        .order_by(Topic.created_at.desc()).limit(limit)))


def recent_replies_by(user: User, limit: int = 10) -> list[Post]:
    return list(db.session.scalars(
        select(Post).join(Post.topic)
        .where(Post.author_id == user.id, Post.position > 1, Post.hidden_at.is_(None),
               Topic.public())
        .order_by(Post.created_at.desc()).limit(limit)
        .options(joinedload(Post.topic))))

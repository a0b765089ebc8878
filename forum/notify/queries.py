"""Read queries for notification pages and unread marks: a fixed number per page."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, func, literal, select
from sqlalchemy.orm import aliased, contains_eager

from ..accounts.models import User
from ..board.models import Forum, Topic
from ..extensions import db
from .models import ForumRead, Notification, NotifySettings, Subscription, TopicRead

EPOCH = datetime(1970, 1, 1)


def notification_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id)) or 0


def notifications(user: User, page: int, per_page: int) -> list[Notification]:
    """A page of a member's notifications, newest first, with actor, topic and post (one
    query)."""
    actor = aliased(User)
    query = (select(Notification)
             .outerjoin(Notification.actor.of_type(actor))
             .outerjoin(Notification.topic).outerjoin(Notification.post)
             .options(contains_eager(Notification.actor.of_type(actor)),
                      contains_eager(Notification.topic), contains_eager(Notification.post))
             .where(Notification.user_id == user.id)
             .order_by(Notification.id.desc())
             .offset((page - 1) * per_page).limit(per_page))
    return list(db.session.scalars(query).unique())


def notification(notification_id: int) -> Notification | None:
    return db.session.get(Notification, notification_id)


def topic_state(user, topic: Topic) -> tuple[bool, int]:
    """(following?, last position read) for a member on a topic page: one query."""
    following = (select(Subscription.active).where(Subscription.user_id == user.id,
                                                   Subscription.topic_id == topic.id)
                 .scalar_subquery())
    position = (select(TopicRead.last_position).where(TopicRead.user_id == user.id,
                                                      TopicRead.topic_id == topic.id)
                .scalar_subquery())
    row = db.session.execute(select(following, position)).one()
    return bool(row[0]), row[1] if row[1] is not None else -1


def following_forum(user, forum: Forum) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(db.session.scalar(select(Subscription.active).where(
        Subscription.user_id == user.id, Subscription.forum_id == forum.id)))


def _unread_clause(user: User):
    """SQL: a topic (Topic) has posts the member has not read. A topic is read when its last
    post is older than the member's joining, their "mark everything read" or their "mark this
    forum read", or when they have seen its last position."""
    seen = (select(TopicRead.last_position).where(TopicRead.user_id == user.id,
                                                  TopicRead.topic_id == Topic.id)
            .correlate(Topic).scalar_subquery())
    forum_read = (select(ForumRead.read_at).where(ForumRead.user_id == user.id,
                                                  ForumRead.forum_id == Topic.forum_id)
                  .correlate(Topic).scalar_subquery())
    all_read = (select(NotifySettings.all_read_at).where(NotifySettings.user_id == user.id)
                .scalar_subquery())
    return and_(Topic.last_post_at >= user.created_at,
                Topic.last_post_at > func.coalesce(forum_read, EPOCH),
                Topic.last_post_at > func.coalesce(all_read, EPOCH),
                Topic.post_count > func.coalesce(seen, 0))


def unread_topic_ids(user, topic_ids) -> set[int]:
    """Which of these topics have posts the member has not read (one query; none for
    visitors)."""
    topic_ids = list(topic_ids)
    if not getattr(user, "is_authenticated", False) or not topic_ids:
        return set()
    return set(db.session.scalars(select(Topic.id).where(Topic.id.in_(topic_ids),
                                                         _unread_clause(user))))


def unread_forum_ids(user, forum_ids) -> set[int]:
    """Which of these forums hold a public topic with unread posts (one query)."""
    forum_ids = list(forum_ids)
    if not getattr(user, "is_authenticated", False) or not forum_ids:
        return set()
    has_unread = exists().where(Topic.forum_id == Forum.id, Topic.public(),
                                _unread_clause(user)).correlate(Forum)
    return set(db.session.scalars(select(Forum.id).where(Forum.id.in_(forum_ids),
                                                         has_unread)))


def followed(user: User, limit: int = 100) -> tuple[list[Topic], list[Forum]]:
    """The topics and forums a member follows (two queries)."""
    topics = list(db.session.scalars(
        select(Topic).join(Subscription, Subscription.topic_id == Topic.id)
        .where(Subscription.user_id == user.id, Subscription.active.is_(True))
        .order_by(Topic.last_post_at.desc()).limit(limit)))
    forums = list(db.session.scalars(
        select(Forum).join(Subscription, Subscription.forum_id == Forum.id)
        .where(Subscription.user_id == user.id, Subscription.active.is_(True))
        .order_by(Forum.title)))
    return topics, forums


def forum_state(user, forum: Forum, topic_ids) -> tuple[bool | None, set[int]]:
    """(following the forum?, which of these topics are unread) for a member: one query.
    Visitors: (None, empty set), no query."""
    if not getattr(user, "is_authenticated", False):
        return None, set()
    topic_ids = list(topic_ids)
    following = (select(Subscription.active).where(Subscription.user_id == user.id,
                                                   Subscription.forum_id == forum.id)
                 .scalar_subquery())
    one_row = select(literal(1).label("one")).subquery()
    rows = db.session.execute(
        select(following, Topic.id).select_from(one_row).outerjoin(
            Topic, and_(Topic.id.in_(topic_ids or [0]), _unread_clause(user)))).all()
    return bool(rows[0][0]), {topic_id for _, topic_id in rows if topic_id is not None}

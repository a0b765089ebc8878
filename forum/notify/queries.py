"""Read queries for notification pages and unread marks: a fixed number per page."""
from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import DateTime, Integer, and_, bindparam, exists, func, literal, select
from sqlalchemy.orm import aliased, contains_eager, defer

from .. import pagecache
from ..accounts.models import User
from ..board import queries as board_queries
from ..board.models import Forum, Post, Topic
from ..dbutil import in_ids
from ..extensions import db
from ..permissions import viewer_scope
from ..urls import page_count
from .models import ForumRead, Notification, NotifySettings, Subscription, TopicRead
from ..outbox import OutboxEmail

EPOCH = datetime(1970, 1, 1)


def notification_count(user: User) -> int:
    return db.session.scalar(_notification_statements()[0], {"user_id": user.id}) or 0


def notifications(user: User, page: int, per_page: int) -> tuple[list[Notification], int]:
    """A page of a member's notifications, newest first, with actor, topic, its forum and
    post, and how many they have: one statement, the count beside each row (0 when the page
    has no row: past the end, or none at all)."""
    rows = db.session.execute(_notification_statements()[1], {
        "user_id": user.id, "skip": (page - 1) * per_page, "per_page": per_page}).all()
    return [row[0] for row in rows], rows[0][1] if rows else 0


def notification_page(user: User, asked: int, per_page: int
                      ) -> tuple[list[Notification], int, int]:
    """(the notifications shown, the page, how many pages) for page `asked`, or the last
    page when `asked` is past it: one statement, or three when it is (a count, then the
    last page). A first page with no row means none at all: nothing to count."""
    shown, total = notifications(user, asked, per_page)
    if not shown and asked > 1:
        total = notification_count(user)
    pages = page_count(total, per_page)
    page = min(asked, pages)
    if not shown and total:
        shown, _ = notifications(user, page, per_page)
    return shown, page, pages


@cache
def _notification_statements():
    """(the count, a page with the count) of a member's notifications, built once per
    process with bound parameters (building them was ~0.5 ms of the notifications page).
    The page's count is a scalar subquery that does not depend on the row, so it is run
    once (an InitPlan on PostgreSQL), where count(*) OVER () would join every notification
    before the LIMIT; and the page needs no second round trip."""
    user_id = bindparam("user_id", type_=Integer)
    count = select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id)
    counted = aliased(Notification)
    total = (select(func.count()).select_from(counted).where(counted.user_id == user_id)
             .scalar_subquery())
    actor = aliased(User)
    page = (select(Notification, total)
            .outerjoin(Notification.actor.of_type(actor))
            .outerjoin(Notification.topic).outerjoin(Topic.forum)
            .outerjoin(Notification.post)
            # without the long texts no notification shows (a post's body was most of
            # what the statement read)
            .options(contains_eager(Notification.actor.of_type(actor)).options(
                         *(defer(column, raiseload=True)
                           for column in (actor.bio, actor.bio_html, actor.password_hash))),
                     # the topic's forum: may the member see it (was a query a forum)
                     contains_eager(Notification.topic).contains_eager(Topic.forum),
                     contains_eager(Notification.post).options(
                         defer(Post.body_source, raiseload=True),
                         defer(Post.body_html, raiseload=True)))
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .offset(bindparam("skip", type_=Integer))
            .limit(bindparam("per_page", type_=Integer)))
    return count, page


# --- A member's page of notifications, kept ---------------------------------------------
# Rendering 30 notifications (who, what, where, when, a form each) was 8 ms of a worker,
# a quarter of the forum's speed for the members who read it most (issue 15). So each page
# of them is kept as the member saw it (pagecache: Redis when configured, for the member
# alone: their id is in its key), and dropped by every write that changes what it shows:
# - the member's notifications: a new one, one read (its button, "Mark all as read", or
#   reading the posts they are about): `notifications_scope(member)`, marked changed by
#   notify's services and reading;
# - what they point at: a topic hidden, restored, moved, renamed or published (`site`,
#   pagecache.topic_changed), a post hidden or shown, an opening post edited (a title):
#   TARGETS, marked changed by notify's receivers;
# - what the member may see: their role and groups are in the key (viewer_scope), a
#   forum's grants change `site`.
# Relative times and actors' names are at most POST_LIST_CACHE_SECONDS old, as everywhere
# fragments are kept.
TARGETS = "notification-targets"


def notifications_scope(user_id: int) -> str:
    """The page cache scope of a member's notifications: every write of them marks it."""
    return f"notifications:{user_id}"


def kept_page(user: User, page: int) -> pagecache.KeptFragment:
    """The member's page `page` of notifications as they last saw it, looked up now."""
    return pagecache.KeptFragment(
        f"notifications:{user.id}:{page}:{viewer_scope(user).key}",
        [pagecache.SITE, TARGETS, notifications_scope(user.id)])


def notification(notification_id: int) -> Notification | None:
    return db.session.get(Notification, notification_id)


def _following(user_id, topic_id):
    return (select(Subscription.active).where(Subscription.user_id == user_id,
                                              Subscription.topic_id == topic_id)
            .scalar_subquery())


def _read_position(user_id, topic_id):
    return (select(TopicRead.last_position).where(TopicRead.user_id == user_id,
                                                  TopicRead.topic_id == topic_id)
            .scalar_subquery())


# Loaded with the topic for its viewer (board.queries.TOPIC_FACTS): the topic page of a
# member costs no statement of its own for them.
@board_queries.topic_viewer_fact("viewer_follows")
def _viewer_follows(topic_id):
    return _following(board_queries.TOPIC_VIEWER, topic_id)


@board_queries.topic_viewer_fact("viewer_read_position")
def _viewer_read_position(topic_id):
    return _read_position(board_queries.TOPIC_VIEWER, topic_id)


def topic_state(user, topic: Topic) -> tuple[bool, int]:
    """(following?, last position read) for a member on a topic page: loaded with the topic
    for them, else one query."""
    facts = board_queries.topic_facts(topic, user.id)
    if "viewer_follows" in facts:
        row = facts["viewer_follows"], facts["viewer_read_position"]
    else:
        row = db.session.execute(select(_following(user.id, topic.id),
                                        _read_position(user.id, topic.id))).one()
    return bool(row[0]), row[1] if row[1] is not None else -1


def follow_state(user, topic: Topic) -> bool | None:
    """Whether a member follows the topic (None for visitors, who cost nothing): loaded
    with the topic for them, else one query."""
    if not getattr(user, "is_authenticated", False):
        return None
    return topic_state(user, topic)[0]


def following_forum(user, forum: Forum) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(db.session.scalar(select(Subscription.active).where(
        Subscription.user_id == user.id, Subscription.forum_id == forum.id)))


def _unread_clause(user: User, user_id=None, joined=None):
    """SQL: a topic (Topic) has posts the member has not read. A topic is read when its last
    post is older than the member's joining, their "mark everything read" or their "mark this
    forum read", or when they have seen its last position. `user_id`, `joined`: the member's
    id and joining time as expressions (bound parameters), for a statement built once."""
    user_id = user.id if user_id is None else user_id
    joined = user.created_at if joined is None else joined
    seen = (select(TopicRead.last_position).where(TopicRead.user_id == user_id,
                                                  TopicRead.topic_id == Topic.id)
            .correlate(Topic).scalar_subquery())
    forum_read = (select(ForumRead.read_at).where(ForumRead.user_id == user_id,
                                                  ForumRead.forum_id == Topic.forum_id)
                  .correlate(Topic).scalar_subquery())
    all_read = (select(NotifySettings.all_read_at).where(NotifySettings.user_id == user_id)
                .scalar_subquery())
    return and_(Topic.last_post_at >= joined,
                Topic.last_post_at > func.coalesce(forum_read, EPOCH),
                Topic.last_post_at > func.coalesce(all_read, EPOCH),
                Topic.post_count > func.coalesce(seen, 0))


def unread_topics(user, page: int, per_page: int) -> tuple[list[Topic], bool]:
    """The Unread tab: topics the member may read that have posts they have not read, most
    recent activity first (one query, as board's other listings)."""
    where = Topic.visible_to(viewer_scope(user)) & _unread_clause(user)
    return board_queries.topic_listing(where, board_queries.LATEST_ORDER, page, per_page)


# --- A member's "Unread" badges in a kept listing, kept with it ----------------------------
# The home page's forums, Latest's topics and a forum's topics are kept for everyone of a
# scope, with markers for the badges (board.views); which of their ids are unread for this
# member (and, on a forum page, whether they follow it) is a statement of its own (0.4-0.7
# ms with PostgreSQL's share, the largest part of a member's home page), so its answer is
# kept too, beside the listing and looked up in the same round trip. It changes when the
# listing may (the listing's scopes, its window of the clock) and when the member reads or
# follows: each write of their read state or follows marks reader_scope(member) changed.

def reader_scope(user_id: int) -> str:
    """The page cache scope of a member's read state (read marks, forums and everything
    marked read) and follows: notify's services and reading mark it changed when they
    write them."""
    return f"reader:{user_id}"


def kept_unread(user, listing_key: str, scopes: list[str]) -> dict[str, tuple[str, list[str]]]:
    """To look up with a kept listing (`listing_key` under `scopes`): {"unread": this member's
    unread ids among its markers}, for pagecache.kept_fragments; nothing for visitors."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"unread": (f"unread:{user.id}:{listing_key}", [*scopes, reader_scope(user.id)])}


def kept_unread_ids(kept: pagecache.KeptFragment | None, find) -> set[int]:
    """The ids kept_unread's fragment holds, or `find()`'s (kept for the next page)."""
    return find() if kept is None else kept.or_find_ids(find)


def kept_forum_state(kept: pagecache.KeptFragment | None,
                     find) -> tuple[bool | None, set[int]]:
    """forum_state's answer as kept_unread's fragment holds it, or `find()`'s (kept)."""
    if kept is None:
        return find()
    return kept.or_find(
        find, lambda state: f"{int(bool(state[0]))}|{pagecache.ids_text(state[1])}",
        lambda text: (text[0] == "1", pagecache.text_ids(text[2:])))


def unread_topic_ids(user, topic_ids) -> set[int]:
    """Which of these topics have posts the member has not read (one query; none for
    visitors)."""
    topic_ids = list(topic_ids)
    if not getattr(user, "is_authenticated", False) or not topic_ids:
        return set()
    return set(db.session.scalars(_unread_topics_statement(), {
        "user_id": user.id, "joined": user.created_at, "topic_ids": topic_ids}))


@cache
def _unread_topics_statement():
    """unread_topic_ids' statement, built once per process with bound parameters: building
    the unread clause's three subqueries for each request, with the topic ids as an expanding
    IN list, made a member's latest page 12.7M instructions, 9.4M this way (issue 15)."""
    return select(Topic.id).where(in_ids(Topic.id, "topic_ids"), _unread_clause(
        None, user_id=bindparam("user_id", type_=Integer),
        joined=bindparam("joined", type_=DateTime)))


@cache
def _unread_forums_statement(shape: tuple[bool, bool]):
    """unread_forum_ids' statement, built once per process for each shape a scope gives
    (board.queries.scope_shape: every forum; the open ones; the open ones plus some), with
    bound parameters: building it was half of the home page's CPU for a member (issue 15)."""
    has_unread = exists().where(
        Topic.forum_id == Forum.id, board_queries.visible_topics(shape),
        _unread_clause(None, user_id=bindparam("user_id", type_=Integer),
                       joined=bindparam("joined", type_=DateTime))).correlate(Forum)
    return select(Forum.id).where(
        in_ids(Forum.id, "forum_ids"), has_unread)


def unread_forum_ids(user, forum_ids) -> set[int]:
    """Which of these forums hold a topic the member may read with unread posts (one
    query)."""
    forum_ids = list(forum_ids)
    if not getattr(user, "is_authenticated", False) or not forum_ids:
        return set()
    scope = viewer_scope(user)
    return set(db.session.scalars(
        _unread_forums_statement(board_queries.scope_shape(scope)),
        board_queries.scope_values(scope, user_id=user.id, joined=user.created_at,
                                   forum_ids=forum_ids)))


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


@cache
def _forum_state_statement():
    """forum_state's statement, built once per process with bound parameters (building the
    unread clause's three subqueries was a fifth of a member's forum page, issue 15)."""
    user_id = bindparam("user_id", type_=Integer)
    following = (select(Subscription.active)
                 .where(Subscription.user_id == user_id,
                        Subscription.forum_id == bindparam("forum_id", type_=Integer))
                 .scalar_subquery())
    one_row = select(literal(1).label("one")).subquery()
    return select(following, Topic.id).select_from(one_row).outerjoin(
        Topic, and_(in_ids(Topic.id, "topic_ids"),
                    _unread_clause(None, user_id=user_id,
                                   joined=bindparam("joined", type_=DateTime))))


def forum_state(user, forum: Forum, topic_ids) -> tuple[bool | None, set[int]]:
    """(following the forum?, which of these topics are unread) for a member: one query.
    Visitors: (None, empty set), no query."""
    if not getattr(user, "is_authenticated", False):
        return None, set()
    rows = db.session.execute(_forum_state_statement(), {
        "user_id": user.id, "forum_id": forum.id, "joined": user.created_at,
        "topic_ids": list(topic_ids)}).all()
    return bool(rows[0][0]), {topic_id for _, topic_id in rows if topic_id is not None}


def outbox_page(page: int, per_page: int) -> tuple[list[OutboxEmail], int]:
    """A page of the outbox, newest first, and the number of messages (two queries)."""
    total = db.session.scalar(select(func.count()).select_from(OutboxEmail)) or 0
    rows = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc())
                              .limit(per_page).offset((page - 1) * per_page))
    return list(rows), total

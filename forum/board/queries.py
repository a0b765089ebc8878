"""Read queries for board pages. Each page costs a fixed number of queries whatever the data
size: lists come from denormalised counters and position ranges, related rows are joined."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import DateTime, Integer, String, bindparam, exists, func, inspect, select
from sqlalchemy.orm import defer, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from .. import clock, keptrows
from ..accounts.models import User
from ..dbutil import Facts
from ..extensions import PLAN_FOR_VALUES, db
from .models import (Approval, Category, Forum, Pin, Post, PostRevision, PostState, Topic,
                     TopicKind)

# --- Statements built once ----------------------------------------------------------------
# A page's lists are rendered again whenever their kept copies end (a write, the kept
# fragments' window turning, and the many pages read too seldom to be kept at all). Building
# their statements afresh for each render (the visibility rule's subquery and aliased forum,
# the eager loads) was the largest part of SQLAlchemy's share, 30%, of such a topic page.
# So they are built once per process for each *shape* of viewer (scope_shape), with the
# values (scope_values and the page's own) bound when they run (issue 15).

NOW = bindparam("now", type_=DateTime)


def _bound(name: str):
    return bindparam(name, type_=Integer)


def scope_shape(scope) -> tuple[bool, bool]:
    """What a statement's text depends on in a viewer's scope (a permissions.ViewerScope,
    None for everyone): whether they read every forum; whether they read some restricted
    ones."""
    if scope is None or scope.all_forums:
        return scope is not None, False
    return False, bool(scope.readable)


def scope_values(scope, **values) -> dict[str, Any]:
    """The values a statement built for scope_shape(scope) binds: `now` and, for those who
    read some restricted forums, which (`readable`); with the statement's own `values`."""
    values["now"] = clock.now()
    if scope is not None and not scope.all_forums and scope.readable:
        values["readable"] = sorted(scope.readable)
    return values


def visible_topics(shape: tuple[bool, bool]):
    """Topic.visible_to for a statement built once for a scope's shape (scope_shape)."""
    all_forums, some_readable = shape
    if all_forums:
        return Topic.published(NOW)
    return Topic.visible_to(None, now=NOW, readable="readable" if some_readable else None)


def public_topics():
    """Topic.public for a statement built once (binds `now`, scope_values(None))."""
    return visible_topics((False, False))


def forum_index(scope=None) -> list[Category]:
    """Categories and the forums in them the viewer may read (a permissions.ViewerScope;
    None: what everyone may read). A category whose every forum is closed to the viewer is
    left out, so not even its title shows."""
    all_forums = scope is not None and scope.all_forums
    readable = () if scope is None or all_forums else tuple(sorted(scope.readable))
    return list(db.session.scalars(_forum_index_statement(all_forums, readable)))


@lru_cache(maxsize=64)
def _forum_index_statement(all_forums: bool, readable: tuple[int, ...]):
    """forum_index's statement for a scope: built once per process for each set of
    restricted forums read (a few: one per set of groups that open some), as the forums'
    condition is in the loader, which takes no bound values."""
    last = joinedload(Forum.last_post)
    condition = Forum.readable_with(all_forums, readable)
    listed = select(Forum.id).where(Forum.category_id == Category.id, condition)
    empty = ~exists().where(Forum.category_id == Category.id)
    return (select(Category).where(exists(listed) | empty)
            .order_by(Category.position, Category.id)
            .options(selectinload(Category.forums.and_(condition)).options(
                last.joinedload(Post.topic), last.joinedload(Post.author))))


def forum_by_slug(slug: str) -> Forum | None:
    return db.session.scalar(_forum_by_slug_statement(), {"slug": slug})


# A forum by its slug, kept per worker and checked in the page's round trip (a forum page's
# one statement was a third of its cost for a member; forum/keptrows.py).
FORUMS = keptrows.Kind("forums", Forum, Forum.slug)


def kept_forum_by_slug(slug: str) -> Forum | None:
    """forum_by_slug for a page that looks up its kept fragments (FORUMS)."""
    return FORUMS.get(slug)


@cache
def _forum_by_slug_statement():
    """forum_by_slug's statement, built once per process (~0.1 ms of a forum page). Its
    category is not joined: no page that finds a forum by its slug shows it."""
    return select(Forum).where(Forum.slug == bindparam("slug", type_=String))


def _forums_in_order(scope, *columns):
    """`columns` of every forum (scope=None) or of those a viewer may read (a
    permissions.ViewerScope), in the order the index lists them."""
    query = select(*columns).join(Forum.category).order_by(Category.position, Forum.position)
    return query.where(Forum.readable_by(scope)) if scope is not None else query


def all_forums(scope=None) -> list[Forum]:
    """Every forum (scope=None), or those a viewer may read (a permissions.ViewerScope)."""
    return list(db.session.scalars(_forums_in_order(scope, Forum)))


def forum_choices(scope) -> list:
    """(id, slug, title) of the forums a viewer may read, in the order of all_forums: rows,
    not Forums, for a list to choose from (search's forum filter: with 50 Forums made, a
    visitor's search page took 15.7M instructions, 13.5M with rows; issue 15)."""
    return list(db.session.execute(_forums_in_order(scope, Forum.id, Forum.slug, Forum.title)))


def _in_forum(shape: tuple[bool, bool], unanswered: bool):
    """A forum's (`forum_id`) topics the viewer may read; with `unanswered`, only questions
    without an accepted answer."""
    listed = (Topic.forum_id == _bound("forum_id")) & visible_topics(shape)
    if unanswered:
        listed = listed & (Topic.kind == TopicKind.QUESTION) & Topic.accepted_post_id.is_(None)
    return listed


@cache
def _unanswered_count_statement(shape: tuple[bool, bool]):
    return select(func.count(Topic.id)).where(_in_forum(shape, True))


def unanswered_count(forum: Forum, scope=None) -> int:
    return db.session.scalar(_unanswered_count_statement(scope_shape(scope)),
                             scope_values(scope, forum_id=forum.id)) or 0


@cache
def _forum_topics_statement(shape: tuple[bool, bool], unanswered: bool):
    return (select(Topic).where(_in_forum(shape, unanswered))
            .order_by(Topic.pinned.desc(), Topic.last_post_at.desc(), Topic.id.desc())
            .options(joinedload(Topic.author),
                     joinedload(Topic.last_post).joinedload(Post.author))
            .limit(_bound("limit")).offset(_bound("offset")))


def forum_topics(forum: Forum, page: int, per_page: int,
                 unanswered: bool = False, scope=None) -> list[Topic]:
    """A page of the forum's topics the viewer may read (scope as in forum_index)."""
    return list(db.session.scalars(
        _forum_topics_statement(scope_shape(scope), unanswered),
        scope_values(scope, forum_id=forum.id, limit=per_page, offset=(page - 1) * per_page)))


GLOBAL_PINS_SHOWN = 5


@cache
def _global_pins_statement(shape: tuple[bool, bool]):
    return (select(Topic)
            .where(Topic.pinned == Pin.GLOBAL, Topic.forum_id != _bound("forum_id"),
                   visible_topics(shape))
            .order_by(Topic.last_post_at.desc(), Topic.id.desc())
            .options(joinedload(Topic.author), joinedload(Topic.forum),
                     joinedload(Topic.last_post).joinedload(Post.author))
            .limit(GLOBAL_PINS_SHOWN))


def global_pins(forum: Forum, scope=None) -> list[Topic]:
    """Topics pinned everywhere from other forums, shown above every forum's first page
    (those the viewer may read)."""
    return list(db.session.scalars(_global_pins_statement(scope_shape(scope)),
                                   scope_values(scope, forum_id=forum.id)))


# Facts other features keep about a topic that its page needs before asking them (has it a
# poll? does this member follow it?), registered by the features that own them: name ->
# fn(topic id column) giving a scalar subquery, which may use TOPIC_VIEWER (the viewer's
# id, 0 for visitors). They are loaded with the topic, in the same statement, and read with
# topic_facts(); so a feature is asked for its part only when there is one (issue 15).
TOPIC_FACTS = Facts()
topic_fact = TOPIC_FACTS.register
TOPIC_VIEWER = bindparam("viewer_id", type_=Integer)
# The facts about the viewer (those that use TOPIC_VIEWER), registered with this instead: a
# kept topic (TOPICS) keeps the others, and a member's are read in a statement of their own.
VIEWER_FACTS: set[str] = set()


def topic_viewer_fact(name: str):
    VIEWER_FACTS.add(name)
    return topic_fact(name)


# What the topic page's body shows of the topic's last and accepted posts (who wrote the
# last post; the answer): loaded with the topic, or after it (load_summary) by a page that
# knows only then whether it shows them (board/topicbody.py: a kept body does not).
def _summary_options() -> tuple:
    return (joinedload(Topic.last_post).load_only(Post.id, Post.author_id)
            .joinedload(Post.author).load_only(*PAGE_AUTHOR_COLUMNS),
            joinedload(Topic.accepted_post).load_only(*ACCEPTED_POST_COLUMNS)
            .joinedload(Post.author).load_only(*PAGE_AUTHOR_COLUMNS))


def _topic_statement(summary: bool) -> tuple[tuple[str, ...], Any]:
    """The topic page's topic statement with the facts (TOPIC_FACTS.statement), with the
    summary's posts and authors or without."""
    return TOPIC_FACTS.statement(Topic.id, lambda *facts: (
        select(Topic, *facts)
        .where(Topic.id == bindparam("topic_id", type_=Integer))
        .options(joinedload(Topic.forum),  # (no page of a topic shows its category)
                 *(_summary_options() if summary else ()))), variant=summary)


def topic(topic_id: int, viewer_id: int | None = None, summary: bool = True) -> Topic | None:
    """A topic with its forum, last and accepted posts (what its page shows of
    them and their authors: other columns load when first read), and its facts (those
    about a viewer for `viewer_id`). `summary=False` leaves the last and accepted posts
    for load_summary: joining them was a third of the topic page's statement's time.
    A page checked in its round trip gets the kept topic and forum (TOPICS) without their
    summary (summary_loaded), and a member's facts about them in a statement of its own."""
    if TOPICS.usable():
        found = TOPICS.get(topic_id)
        if found is not None and viewer_id is not None:
            found.loaded_facts = {**found.loaded_facts,
                                  **VIEWER_TOPIC_FACTS.get((topic_id, viewer_id)),
                                  "viewer_id": viewer_id}
        return found
    names, statement = _topic_statement(summary)
    row = db.session.execute(statement, {"topic_id": topic_id,
                                         "viewer_id": viewer_id or 0}).first()
    if row is None:
        return None
    found = row[0]
    found.loaded_facts = dict(zip(names, row[1:]), viewer_id=viewer_id)
    return found


@cache
def _summary_statement():
    return select(Topic).where(Topic.id == bindparam("topic_id", type_=Integer)) \
        .options(*_summary_options())


def summary_loaded(topic: Topic) -> bool:
    """Whether the topic came with its last and accepted posts (topic(..., summary=True))."""
    return "last_post" not in inspect(topic).unloaded


class _TopicRows(keptrows.Kind):
    """A topic by id with its forum and the facts about it (not those about its viewer):
    kept as the columns of both and the facts, made into a Topic and its Forum."""

    def __init__(self) -> None:
        super().__init__("topics", Topic, Topic.id)
        self._topic = keptrows.columns_of(Topic)
        self._forum = keptrows.columns_of(Forum)
        self._names: tuple[str, ...] = ()

    def statement(self):
        names = tuple(name for name in TOPIC_FACTS if name not in VIEWER_FACTS)
        if self._statement is None or names != self._names:  # (facts register at import)
            self._names = names
            self._statement = (
                select(*(column.label(f"t_{key}") for key, column in self._topic),
                       *(column.label(f"f_{key}") for key, column in self._forum),
                       *(TOPIC_FACTS[name](Topic.id).label(name) for name in names))
                .join(Forum, Forum.id == Topic.forum_id)
                .where(Topic.id == bindparam("kept_row_key", type_=Integer)))
        return self._statement

    def columns(self, row):
        values = tuple(row)
        topic, forum = len(self._topic), len(self._forum)
        return ({key: value for (key, _), value in zip(self._topic, values)},
                {key: value for (key, _), value in zip(self._forum, values[topic:])},
                dict(zip(self._names, values[topic + forum:])))

    def made(self, kept) -> Topic:
        topic_columns, forum_columns, facts = kept
        forum = keptrows.made(Forum, forum_columns)
        found = keptrows.made(Topic, topic_columns)
        if "forum" not in found.__dict__:  # as a joined load would have it
            set_committed_value(found, "forum", forum)
        found.loaded_facts = dict(facts, viewer_id=None)
        return found


TOPICS = _TopicRows()


class _ViewerTopicFacts(keptrows.Kind):
    """The facts about a viewer of a topic (VIEWER_FACTS: following it? read to where?), by
    (topic id, viewer id): kept as they are, a dict, so a member's topic page that moved
    neither asks nothing (their statement cost a member's page as much as the topic's)."""

    def __init__(self) -> None:
        super().__init__("topic-viewer-facts", Topic, Topic.id)
        self._names: tuple[str, ...] = ()

    def statement(self):
        names = tuple(name for name in TOPIC_FACTS if name in VIEWER_FACTS)
        if self._statement is None or names != self._names:  # (facts register at import)
            self._names = names
            topic_id = bindparam("topic_id", type_=Integer)
            self._statement = select(*(TOPIC_FACTS[name](topic_id).label(name)
                                       for name in names))
        return self._statement

    def _read(self, key) -> dict[str, Any]:
        topic_id, viewer_id = key
        row = db.session.execute(self.statement(), {"topic_id": topic_id,
                                                    "viewer_id": viewer_id}).first()
        return dict(zip(self._names, row))

    def made(self, kept) -> dict[str, Any]:
        return kept


VIEWER_TOPIC_FACTS = _ViewerTopicFacts()


def load_summary(topic: Topic) -> None:
    """The last and accepted posts of a topic loaded by `topic(..., summary=False)`, with
    their authors: one statement where reading them would have lazily loaded up to four.
    (The topic is in the session already: the joined loads fill in what it has not loaded,
    and leave what it has, its forum and facts, as they are.)"""
    db.session.execute(_summary_statement(), {"topic_id": topic.id}).first()


def topic_facts(topic: Topic, viewer_id: int | None = None) -> dict[str, Any]:
    """The facts loaded with this topic by topic() ({} if it was loaded otherwise, or, given
    a `viewer_id`, for another viewer: then a feature asks as if each fact were true)."""
    facts = getattr(topic, "loaded_facts", {})
    if viewer_id is not None and facts.get("viewer_id") != viewer_id:
        return {}
    return facts


# What a topic page shows of each post's author and editor; the rest of a member's row
# (e-mail, password hash, bio) stays in the database. A template that shows more of them
# adds the column here: one that is not loaded costs a query per author.
PAGE_AUTHOR_COLUMNS = (User.id, User.display_name, User.role, User.is_government_verified,
                       User.avatar_key)
# What a topic page shows of its accepted answer, above the posts.
ACCEPTED_POST_COLUMNS = (Post.id, Post.topic_id, Post.author_id, Post.position,
                         Post.hidden_at, Post.approval, Post.body_html)


@cache
def _topic_posts_statement(by_helpful: bool):
    """A page of a topic's posts (`topic_id`): a position range in time order, `first` to
    `last` (constant cost at any depth), or most helpful first (the opening post stays
    first), `offset` and `limit`."""
    query = select(Post).where(Post.topic_id == _bound("topic_id")).options(
        defer(Post.body_source),
        joinedload(Post.author).load_only(*PAGE_AUTHOR_COLUMNS),
        joinedload(Post.edited_by).load_only(*PAGE_AUTHOR_COLUMNS))
    if by_helpful:
        return query.order_by((Post.position == 1).desc(), Post.vote_count.desc(),
                              Post.position).limit(_bound("limit")).offset(_bound("offset"))
    # The LIMIT says nothing new (a range of `limit` positions) but tells PostgreSQL so: it
    # cannot tell how many of a long topic's posts fall in the range (12,770 of 20,000
    # estimated for 25) and would hash-join every member for the authors (6 ms, not 0.2).
    return query.where(Post.position.between(_bound("first"), _bound("last"))) \
        .order_by(Post.position).limit(_bound("limit"))


def topic_posts(topic: Topic, page: int, per_page: int, by_helpful: bool = False) -> list[Post]:
    """A page of posts, to render. The Markdown source is left out (it is for the editor and
    the history, as large as the HTML shown)."""
    first = (page - 1) * per_page
    return list(db.session.scalars(_topic_posts_statement(by_helpful), {
        "topic_id": topic.id, "limit": per_page, "offset": first,
        "first": first + 1, "last": first + per_page}))


@dataclass(slots=True)
class PostFacts(PostState):
    """What a topic page reads of a post when its list is kept already (board/postlist.py
    keeps them with the list, so the page asks nothing of its posts then): the facts the
    post rules read (permissions.TopicAbilities._post_facts), the position (read mark,
    opening), how many found it helpful (whether to look for the viewer's mark) and the
    author's name (the viewer's controls). Plain values: making 25 Post objects with their
    authors costs several times the statement itself."""
    id: int
    topic_id: int
    author_id: int
    position: int
    hidden_at: datetime | None
    hidden_by_id: int | None
    approval: Approval | None
    vote_count: int
    author_name: str
    topic: Topic

    @classmethod
    def of(cls, post: Post, topic: Topic) -> PostFacts:
        """A loaded Post's facts (its author loaded with it, as topic_posts does)."""
        return cls(post.id, post.topic_id, post.author_id, post.position, post.hidden_at,
                   post.hidden_by_id, post.approval, post.vote_count,
                   post.author.display_name, topic)

    def as_row(self) -> list:
        """Plain values (JSON), kept with a topic page's list: from_row makes them again."""
        return [self.id, self.topic_id, self.author_id, self.position,
                self.hidden_at.isoformat() if self.hidden_at else None, self.hidden_by_id,
                self.approval.value if self.approval else None, self.vote_count,
                self.author_name]

    @classmethod
    def from_row(cls, row: list, topic: Topic) -> PostFacts:
        (post_id, topic_id, author_id, position, hidden_at, hidden_by_id, approval,
         vote_count, author_name) = row
        return cls(post_id, topic_id, author_id, position,
                   datetime.fromisoformat(hidden_at) if hidden_at else None, hidden_by_id,
                   Approval(approval) if approval else None, vote_count, author_name, topic)


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


@cache
def _recent_topics_statement():
    return (select(Topic).where(Topic.author_id == _bound("author_id"), public_topics())
            .order_by(Topic.created_at.desc(), Topic.id.desc()).limit(_bound("limit")))


def recent_topics_by(user: User, limit: int = 10) -> list[Topic]:
    return list(db.session.scalars(_recent_topics_statement(), scope_values(
        None, author_id=user.id, limit=limit)))


@cache
def _recent_replies_statement():
    return (select(Post).join(Post.topic)
            .where(Post.author_id == _bound("author_id"), Post.position > 1,
                   Post.hidden_at.is_(None), public_topics())
            .order_by(Post.created_at.desc(), Post.id.desc()).limit(_bound("limit"))
            .options(joinedload(Post.topic)))


def recent_replies_by(user: User, limit: int = 10) -> list[Post]:
    return list(db.session.scalars(_recent_replies_statement(), scope_values(
        None, author_id=user.id, limit=limit)))


def posts_out_of_sight(user_ids, scope) -> dict[int, int]:
    """For a list of members (the directory): how many of each one's counted topics and
    replies are in forums this viewer may not read, {user id: count}, for those with any
    (one query; none for those who read everything, or for no members)."""
    user_ids = list(user_ids)
    if not user_ids or (scope is not None and scope.all_forums):
        return {}
    rows = db.session.execute(
        select(Post.author_id, func.count(Post.id)).join(Topic, Topic.id == Post.topic_id)
        .where(Post.author_id.in_(user_ids), ~Topic.in_forums_readable_by(scope),
               # as counted_out_of_sight: published topics started, visible replies
               ((Post.position == 1) & Topic.published())
               | ((Post.position > 1) & Post.hidden_at.is_(None)))
        .group_by(Post.author_id).execution_options(**PLAN_FOR_VALUES))
    return {author_id: count for author_id, count in rows}


def out_of_sight_by_author(scope):
    """A subquery (author_id, n): each member's counted topics and replies in forums this
    viewer may not read (as posts_out_of_sight), for ordering a list of members by what the
    viewer can see; None when the viewer reads everything."""
    if scope is not None and scope.all_forums:
        return None
    return (select(Post.author_id.label("author_id"), func.count(Post.id).label("n"))
            .join(Topic, Topic.id == Post.topic_id)
            .where(~Topic.in_forums_readable_by(scope),
                   ((Post.position == 1) & Topic.published())
                   | ((Post.position > 1) & Post.hidden_at.is_(None)))
            .group_by(Post.author_id).subquery())


_OUT_OF_SIGHT: dict[bool, object] = {}


def _out_of_sight_statement(some_readable: bool):
    """counted_out_of_sight's statement, built once per process with bound parameters (the
    member, now, the restricted forums the viewer reads, for the viewers who read some):
    building it was most of a profile page's own time (issue 15). Without any, the shape
    PostgreSQL plans best (an empty IN list slowed the count fourfold)."""
    statement = _OUT_OF_SIGHT.get(some_readable)
    if statement is None:
        author = bindparam("author_id", type_=Integer)
        closed = ~Topic.in_forums_readable_by(
            None, readable="readable" if some_readable else None)
        topics = select(func.count(Topic.id)).where(
            Topic.author_id == author, Topic.published(bindparam("now", type_=DateTime)),
            closed).scalar_subquery()
        replies = select(func.count(Post.id)).join(Topic, Topic.id == Post.topic_id).where(
            Post.author_id == author, Post.position > 1, Post.hidden_at.is_(None),
            closed).scalar_subquery()
        # a generic plan reads all of a prolific member's posts first (15-90 ms)
        statement = _OUT_OF_SIGHT[some_readable] = select(topics, replies).execution_options(
            **PLAN_FOR_VALUES)
    return statement


def counted_out_of_sight(user: User, scope) -> tuple[int, int]:
    """How many of a member's counted topics and replies (users.topic_count, reply_count)
    are in forums this viewer may not read, so a profile shows counts of what the viewer
    could find (one query; none for those who read everything)."""
    if scope is not None and scope.all_forums:
        return 0, 0
    return tuple(db.session.execute(_out_of_sight_statement(scope_shape(scope)[1]),
                                    scope_values(scope, author_id=user.id)).one())


# ------------------------------------------------------------ home tabs: Latest and Top

# Top topics are those started within the period, most replied to first.
TOP_PERIODS = {"day": 1, "week": 7, "month": 30, "year": 365, "all": None}


def topic_listing(where, order, page: int, per_page: int) -> tuple[list[Topic], bool]:
    """A page of topics across forums (`where` decides which, `order` their order), with
    forum, starter and last post's author joined, and whether a next page exists: one query
    (per_page + 1 rows read, no count of everything)."""
    return run_listing(listing_statement(where, order), {}, page, per_page)


def listing_statement(where, order):
    """topic_listing's statement, to build once (`limit` and `offset` bound by
    run_listing)."""
    return page_first(select(Topic).where(where), order, _bound("limit"), _bound("offset")) \
        .options(joinedload(Topic.forum), joinedload(Topic.author),
                 joinedload(Topic.last_post).joinedload(Post.author))


def run_listing(statement, values: dict[str, Any], page: int,
                per_page: int) -> tuple[list[Topic], bool]:
    """A listing_statement's page of topics with `values`, and whether a next page exists."""
    rows = list(db.session.scalars(statement, {
        **values, "limit": per_page + 1, "offset": (page - 1) * per_page}))
    return rows[:per_page], len(rows) > per_page


def page_first(query, order, limit, offset=0):
    """`query` (a select of Topic) ordered and cut to one page, written so that the page's
    topic ids are found first and only those rows are joined to what the caller eager-loads:
    with the joins in the same SELECT, PostgreSQL joined every matching topic to its forum,
    author and post before sorting (/top?period=all: 2 s at 100,000 topics). Planned for
    its values each time: a generic plan, blind to the limit and the period, took 17-26 ms
    against 2-5 ms (bench/plans.py). `limit`, `offset`: numbers or bound parameters."""
    ids = query.with_only_columns(Topic.id).order_by(*order).limit(limit).offset(offset)
    page = ids.subquery("page")
    return (select(Topic).join(page, page.c.id == Topic.id).order_by(*order)
            .execution_options(**PLAN_FOR_VALUES))


LATEST_ORDER = (Topic.last_post_at.desc(), Topic.id.desc())
TOP_ORDER = (Topic.reply_count.desc(), Topic.view_count.desc(), Topic.id.desc())


@cache
def _latest_statement(shape: tuple[bool, bool]):
    return listing_statement(visible_topics(shape), LATEST_ORDER)


def latest_topics(scope, page: int, per_page: int) -> tuple[list[Topic], bool]:
    """Every forum's topics the viewer may read, most recent activity first."""
    return run_listing(_latest_statement(scope_shape(scope)), scope_values(scope),
                       page, per_page)


@cache
def _top_statement(shape: tuple[bool, bool], since: bool):
    where = visible_topics(shape)
    if since:
        where = where & (Topic.created_at >= bindparam("since", type_=DateTime))
    return listing_statement(where, TOP_ORDER)


def top_topics(scope, period: str, page: int, per_page: int,
               now: datetime | None = None) -> tuple[list[Topic], bool]:
    """Topics started within the period (TOP_PERIODS), most replies first, then most
    viewed."""
    days = TOP_PERIODS[period]
    values = scope_values(scope)
    if days is not None:
        values["since"] = (now or clock.now()) - timedelta(days=days)
    return run_listing(_top_statement(scope_shape(scope), days is not None), values,
                       page, per_page)


SUGGESTED_SHOWN = 5


@cache
def _suggested_statement(shape: tuple[bool, bool]):
    return (select(Topic).where(Topic.forum_id == _bound("forum_id"), visible_topics(shape),
                                Topic.id != _bound("topic_id"))
            .order_by(*LATEST_ORDER)
            .options(joinedload(Topic.author),
                     joinedload(Topic.last_post).joinedload(Post.author))
            .limit(SUGGESTED_SHOWN))


def suggested_topics(topic: Topic, scope) -> list[Topic]:
    """Other topics to read after this one: the most recently active in its forum (one
    query; the forum is the topic's, which the viewer may read)."""
    return list(db.session.scalars(_suggested_statement(scope_shape(scope)), scope_values(
        scope, forum_id=topic.forum_id, topic_id=topic.id)))

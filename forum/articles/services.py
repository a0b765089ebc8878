"""Article rules: writing, scheduling and publishing articles, and series.

Each function is one unit of work in the caller's transaction (the request commits once).

Articles are topics of kind article in the "Articles" forum (slug articles, made on first
use), pinned in that forum. The opening post is the body, so edits keep revisions
(board.services.edit_post) and the replies are the comments.

Scheduled articles: reading never needs a job, because Topic.public() treats a scheduled topic
whose publish_at has passed as public. Counters and the other features that follow public
content (search, notifications, pings) are brought up to date by publish_due(), a cheap,
idempotent promotion (scheduled -> published, recount the forum and author, send
topic_changed(change="status")). It runs after responses at most once a minute
(views.promote_due_articles) and from `flask articles publish-due`; it writes only when
something has come due, never per page view.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from .. import clock, events, markup
from ..accounts.models import User
from ..board import services as board
from ..board.models import Category, Forum, Pin, Topic, TopicKind, TopicStatus
from ..dbutil import insert_ignoring_duplicates
from ..errors import Invalid
from ..extensions import db
from ..permissions import require
from .models import Article, Series

FORUM_SLUG = "articles"
EXCERPT_WORDS = 50
EXCERPT_MAX = 600
QUESTION_MAX = 500
SERIES_MAX = 150

# What the form's "status" choice means.
DRAFT, PUBLISH, SCHEDULE = "draft", "publish", "schedule"


@dataclass
class ArticleData:
    title: str
    body: str
    excerpt: str = ""
    tags: str = ""
    series: str = ""
    series_part: int | None = None
    question: str = ""
    status: str = PUBLISH
    publish_at: datetime | None = None


def articles_forum() -> Forum:
    """The forum articles live in, created (with its own category) the first time."""
    forum = db.session.scalar(select(Forum).where(Forum.slug == FORUM_SLUG))
    if forum is None:
        position = (db.session.scalar(select(func.max(Category.position))) or 0) + 1
        category = board.create_category("Articles", position)
        forum = board.create_forum(category, "Articles", "Articles by the forum's staff: "
                                   "commentary, series and news.", slug=FORUM_SLUG)
    return forum


def _series(title: str) -> Series | None:
    title = " ".join((title or "").split())
    if not title:
        return None
    if len(title) > SERIES_MAX:
        raise Invalid(f"A series title can be at most {SERIES_MAX} characters.", "series")
    slug = board.slugify(title, 80)
    insert_ignoring_duplicates(Series, slug=slug, title=title, created_at=clock.now())
    return db.session.scalar(select(Series).where(Series.slug == slug))


def _status(data: ArticleData, now: datetime, published_at: datetime | None
            ) -> tuple[TopicStatus, datetime | None]:
    """The topic status and publication date the form's choice means."""
    if data.status == DRAFT:
        return TopicStatus.DRAFT, None
    if data.status == SCHEDULE:
        if data.publish_at is None:
            raise Invalid("Enter the date and time to publish it.", "publish_at")
        if data.publish_at <= now:
            raise Invalid("Choose a time in the future, or publish it now.", "publish_at")
        return TopicStatus.SCHEDULED, data.publish_at.replace(second=0, microsecond=0)
    if data.status == PUBLISH:
        return TopicStatus.PUBLISHED, published_at or now
    raise Invalid("Choose whether to save a draft, publish now or schedule it.", "status")


def _details(article: Article, data: ArticleData, body: str) -> None:
    given = " ".join((data.excerpt or "").split())
    if len(given) > EXCERPT_MAX:
        raise Invalid(f"The excerpt can be at most {EXCERPT_MAX} characters.", "excerpt")
    article.excerpt_given = bool(given)
    article.excerpt = given or markup.excerpt(body, EXCERPT_WORDS)
    question = (data.question or "").strip()
    if len(question) > QUESTION_MAX:
        raise Invalid(f"The question can be at most {QUESTION_MAX} characters.", "question")
    markup.check(question, "question")
    article.question_source = question or None
    article.question_html = markup.render(question) if question else None
    series = _series(data.series)
    if data.series_part is not None and series is None:
        raise Invalid("Give the series a title, or leave the part number empty.", "series")
    if data.series_part is not None and not 1 <= data.series_part <= 999:
        raise Invalid("Enter a part number from 1 to 999.", "series_part")
    article.series_id = series.id if series else None
    article.series_part = data.series_part if series else None


def create_article(actor: User, data: ArticleData, *, now: datetime | None = None) -> Topic:
    """A new article: a pinned topic of kind article in the Articles forum. A draft or
    scheduled article is neither counted nor announced until it is public (publish_due, or
    an edit that publishes): board.start_topic does that by its status."""
    require(actor, "write_article")
    now = now or clock.now()
    board.check_title(data.title)  # the board's own rules, checked first as the form shows
    body = board.check_body(data.body)
    status, publish_at = _status(data, now, None)
    names = board.tag_names(data.tags)
    topic = board.start_topic(actor, articles_forum(), data.title, data.body,
                              TopicKind.ARTICLE, pinned=Pin.FORUM, status=status,
                              publish_at=publish_at, now=now)
    article = Article(topic_id=topic.id)
    _details(article, data, body)
    db.session.add(article)
    board.set_tags(topic, names)
    db.session.flush()
    return topic


def update_article(actor: User, topic: Topic, data: ArticleData, *,
                   reason: str | None = None, now: datetime | None = None) -> bool:
    """Change an article: title and body through the board (a revision is kept), its details
    here. Publishing, unpublishing or rescheduling recounts and announces the change."""
    require(actor, "edit_article", topic)
    now = now or clock.now()
    article = db.session.get(Article, topic.id)
    if article is None:
        raise Invalid("This topic is not an article.")
    if topic.status == TopicStatus.HIDDEN:
        raise Invalid("A moderator has hidden this article: it must be restored before it "
                      "can be changed here.")
    was = (topic.status, topic.is_published)
    was_public = was[1]
    published_at = topic.publish_at if topic.status == TopicStatus.PUBLISHED else None
    if was_public and topic.status == TopicStatus.SCHEDULED:
        published_at = topic.publish_at  # it came due: keep the date it appeared
    status, publish_at = _status(data, now, published_at)
    names = board.tag_names(data.tags)
    before = (topic.status, topic.publish_at, article.excerpt, article.excerpt_given,
              article.question_source, article.series_id, article.series_part,
              [tag.slug for tag in topic.tags])
    changed = board.edit_post(actor, topic.first_post, data.body, title=data.title,
                              reason=reason, now=now)
    _details(article, data, topic.first_post.body_source)
    topic.status, topic.publish_at = status, publish_at
    board.set_tags(topic, names)
    db.session.flush()
    after = (topic.status, topic.publish_at, article.excerpt, article.excerpt_given,
             article.question_source, article.series_id, article.series_part,
             [tag.slug for tag in topic.tags])
    if (topic.status, topic.is_published) != was:
        _status_changed([topic])  # counters, pings and followers see the new state
    return changed or before != after


def publish_due(now: datetime | None = None) -> int:
    """Scheduled topics whose time has come become published; their forums and authors are
    recounted and the change announced. Idempotent; returns how many were published."""
    now = now or clock.now()
    due = list(db.session.scalars(
        select(Topic).where(Topic.status == TopicStatus.SCHEDULED, Topic.publish_at <= now)
        .with_for_update()))
    for topic in due:
        topic.status = TopicStatus.PUBLISHED
    db.session.flush()
    if due:
        _status_changed(due)
    return len(due)


def _status_changed(topics: list[Topic]) -> None:
    for forum_id in {topic.forum_id for topic in topics}:
        board.recount_forum(db.session.get(Forum, forum_id))
    for author_id in {topic.author_id for topic in topics}:
        board.recount_user(db.session.get(User, author_id))
    for topic in topics:
        events.topic_changed.send(topic, change="status")

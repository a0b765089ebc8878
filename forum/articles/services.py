"""Article rules: writing, scheduling and publishing articles, series, and pings.

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

import html
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request
from sqlalchemy import delete, func, select, update

from .. import clock, events, markup
from ..accounts.models import User
from ..board import services as board
from ..board.models import Category, Forum, Pin, Post, Topic, TopicKind, TopicStatus
from ..dbutil import insert_ignoring_duplicates
from ..errors import Invalid
from ..extensions import db
from ..permissions import require
from .models import Article, Ping, Series

FORUM_SLUG = "articles"
EXCERPT_WORDS = 50
EXCERPT_MAX = 600
QUESTION_MAX = 500
SERIES_MAX = 150
PING_EXCERPT_WORDS = 45

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
    """A new article: a pinned topic of kind article in the Articles forum."""
    require(actor, "write_article")
    now = now or clock.now()
    title = board._check_title(data.title)  # the board's own rules for titles and bodies
    body = board._check_body(data.body)
    status, publish_at = _status(data, now, None)
    names = board.tag_names(data.tags)
    forum = articles_forum()
    topic = Topic(forum_id=forum.id, author_id=actor.id, title=title,
                  slug=board.slugify(title), kind=TopicKind.ARTICLE, pinned=Pin.FORUM,
                  status=status, publish_at=publish_at, created_at=now, post_count=1,
                  reply_count=0, voice_count=1, last_post_at=now)
    db.session.add(topic)
    db.session.flush()
    post = board._new_post(topic, actor, body, 1, now)
    topic.first_post_id = topic.last_post_id = post.id
    article = Article(topic_id=topic.id)
    _details(article, data, body)
    db.session.add(article)
    board.set_tags(topic, names)
    db.session.flush()
    if topic.is_published:
        # Counted and announced like any new topic. Drafts and scheduled articles are not,
        # until they become public (publish_due, or an edit that publishes).
        db.session.execute(update(Forum).where(Forum.id == forum.id).values(
            topic_count=Forum.topic_count + 1, post_count=Forum.post_count + 1,
            last_post_id=post.id))
        db.session.execute(update(User).where(User.id == actor.id).values(
            topic_count=User.topic_count + 1))
        db.session.flush()
        events.post_created.send(post)
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


# --- Pings -----------------------------------------------------------------------------------

_HREF = re.compile(r'<a\s[^>]*?href="([^"]*)"', re.IGNORECASE)
_PATH = re.compile(r"/(t|p)/([1-9][0-9]{0,9})(?:[-/?#]|$)")
_BLOCK = re.compile(r"<(p|li|blockquote|h[3-6]|pre)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _site_hosts() -> set[str]:
    hosts = {host.lower() for host in current_app.config.get("SITE_HOSTS", ())}
    if current_app.config.get("SERVER_NAME"):
        hosts.add(current_app.config["SERVER_NAME"].lower())
    if has_request_context():
        hosts.add(request.host.lower())
    return hosts


def _linked(href: str, hosts: set[str]) -> tuple[str, int] | None:
    """("t", topic id) or ("p", post id) when the link points at this forum."""
    try:
        parts = urlsplit(html.unescape(href).strip())
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc.lower() not in hosts:
            return None
    found = _PATH.match(parts.path)
    if found is None:
        return None
    number = int(found.group(2))
    return (found.group(1), number) if number < 2**31 else None


def _context(body_html: str, href: str) -> str:
    """The words around a link: the plain text of its paragraph, cut at a word."""
    block = next((m.group(0) for m in _BLOCK.finditer(body_html) if href in m.group(0)),
                 body_html)
    words = html.unescape(_TAG.sub(" ", block)).split()
    text = " ".join(words[:PING_EXCERPT_WORDS])
    return (text + " …" if len(words) > PING_EXCERPT_WORDS else text)[:400]


def links_in(body_html: str, hosts: set[str]) -> dict[int, str]:
    """{target topic id: excerpt} for the links in a post's HTML to this forum's topics."""
    wanted: dict[tuple[str, int], str] = {}
    for href in _HREF.findall(body_html):
        target = _linked(href, hosts)
        if target is not None and target not in wanted:
            wanted[target] = href
    post_ids = [n for kind, n in wanted if kind == "p"]
    post_topics = dict(db.session.execute(
        select(Post.id, Post.topic_id).where(Post.id.in_(post_ids))).all()) if post_ids else {}
    targets: dict[int, str] = {}
    for (kind, number), href in wanted.items():
        topic_id = number if kind == "t" else post_topics.get(number)
        if topic_id is not None and topic_id not in targets:
            targets[topic_id] = _context(body_html, href)
    if targets:
        existing = set(db.session.scalars(select(Topic.id).where(Topic.id.in_(targets))))
        targets = {k: v for k, v in targets.items() if k in existing}
    return targets


def refresh_pings(post: Post) -> None:
    """Make this post's pings match its text and visibility (public sources only)."""
    db.session.execute(delete(Ping).where(Ping.source_post_id == post.id))
    topic = post.topic
    if not (post.is_public and topic.is_published):
        return
    for target_id, excerpt in links_in(post.body_html, _site_hosts()).items():
        if target_id != topic.id:
            db.session.add(Ping(source_post_id=post.id, source_topic_id=topic.id,
                                target_topic_id=target_id, excerpt=excerpt,
                                created_at=post.created_at))
    db.session.flush()


def refresh_topic_pings(topic: Topic) -> None:
    """After a topic is hidden, restored, published or unpublished."""
    db.session.execute(delete(Ping).where(Ping.source_topic_id == topic.id))
    if not topic.is_published:
        return
    for post in db.session.scalars(select(Post).where(
            Post.topic_id == topic.id, Post.hidden_at.is_(None),
            Post.body_html.contains("href="))):
        refresh_pings(post)


def _on_post(post: Post, **_: object) -> None:
    refresh_pings(post)


def _on_topic(topic: Topic, change: str = "", **_: object) -> None:
    if change in ("hidden", "restored", "status"):
        refresh_topic_pings(topic)


events.post_created.connect(_on_post)
events.post_edited.connect(_on_post)
events.post_visibility_changed.connect(_on_post)
events.topic_changed.connect(_on_topic)

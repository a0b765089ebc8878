"""Atom feeds (/feeds/...). Public content only, whoever asks (feed readers have no
session): hidden posts, drafts, scheduled and hidden topics never appear. Authors are
display names; no e-mail address is ever written."""
from __future__ import annotations

from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, abort, current_app, url_for

from .. import clock
from ..text import xml_safe
from ..board import queries as board_queries
from ..board.models import TopicKind
from ..permissions import can
from ..urls import post_url, topic_url
from . import queries

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC, microsecond=0)


def _absolute(path: str) -> str:
    return url_for("board.index", _external=True).rstrip("/") + path


def _topic_entry(topic):
    post = topic.first_post
    published = topic.publish_at or topic.created_at
    updated = max(published, post.edited_at or published) if post else published
    return dict(id=url_for("board.topic", topic_id=topic.id, _external=True),
                title=topic.title, link=_absolute(topic_url(topic)),
                author=topic.author.display_name, published=published, updated=updated,
                html=post.body_html if post is not None and not post.is_hidden else None,
                category=topic.forum.title)


def _post_entry(topic, post):
    return dict(id=url_for("board.post", post_id=post.id, _external=True),
                title=(topic.title if post.position == 1
                       else f"Reply by {post.author.display_name} to “{topic.title}”"),
                link=_absolute(post_url(post)), author=post.author.display_name,
                published=post.created_at, updated=post.edited_at or post.created_at,
                html=post.body_html, category=None)


def _atom(title: str, self_endpoint: str, self_args: dict, page_url: str,
          entries: list[dict], subtitle: str) -> Response:
    """An Atom document. Every text goes through xml_safe: what is stored may hold characters
    XML cannot carry (rows older than the input filter), and a feed must still be served."""
    site = xml_safe(current_app.config["SITE_NAME"])
    title, subtitle = xml_safe(title), xml_safe(subtitle)
    self_url = url_for(self_endpoint, _external=True, **self_args)
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(f"{title} – {site}")
    feed.subtitle(subtitle)
    feed.author({"name": site})
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.language("en")
    feed.generator(site, uri=_absolute("/"))
    feed.updated(_aware(max((e["updated"] for e in entries), default=clock.now())))
    for e in entries:
        entry = feed.add_entry(order="append")
        entry.id(e["id"])
        entry.title(xml_safe(e["title"]))
        entry.link(href=e["link"], rel="alternate", type="text/html")
        entry.author({"name": xml_safe(e["author"])})
        entry.published(_aware(e["published"]))
        entry.updated(_aware(e["updated"]))
        if e["category"]:
            entry.category(term=xml_safe(e["category"]))
        if e["html"] is not None:
            entry.content(xml_safe(e["html"]), type="html")
        else:
            entry.summary("This post has been hidden.")
    return Response(feed.atom_str(pretty=True),
                    mimetype="application/atom+xml", content_type=(
                        "application/atom+xml; charset=utf-8"))


@bp.get("/latest.atom")
def latest():
    return _atom("Latest topics", "feeds.latest", {}, url_for("board.index", _external=True),
                 [_topic_entry(t) for t in queries.topics()],
                 "New topics in every forum.")


@bp.get("/articles.atom")
def articles():
    return _atom("Articles", "feeds.articles", {}, _absolute("/articles"),
                 [_topic_entry(t) for t in queries.topics(kind=TopicKind.ARTICLE)],
                 "New articles.")


@bp.get("/f/<slug>.atom")
def forum(slug: str):
    forum = board_queries.forum_by_slug(slug)
    if forum is None or not can(None, "view_forum", forum):  # feeds are what visitors see
        abort(404)
    return _atom(forum.title, "feeds.forum", {"slug": forum.slug},
                 url_for("board.forum", slug=forum.slug, _external=True),
                 [_topic_entry(t) for t in queries.topics(forum=forum)],
                 f"New topics in {forum.title}.")


@bp.get("/t/<id:topic_id>.atom")
def topic(topic_id: int):
    topic = queries.public_topic(topic_id)
    if topic is None:
        abort(404)
    return _atom(topic.title, "feeds.topic", {"topic_id": topic.id},
                 _absolute(topic_url(topic)),
                 [_post_entry(topic, p) for p in queries.posts(topic)],
                 f"The newest posts in “{topic.title}”.")


@bp.get("/tags/<slug>.atom")
def tag(slug: str):
    tag = queries.tag(slug)
    if tag is None:
        abort(404)
    return _atom(f"Tagged “{tag.name}”", "feeds.tag", {"slug": tag.slug},
                 _absolute(f"/tags/{tag.slug}"),
                 [_topic_entry(t) for t in queries.topics(tag=tag)],
                 f"New topics tagged “{tag.name}”.")

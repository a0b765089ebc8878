"""Keeping pings in step with posts: receivers of forum/events.py (connected in forum/composition/wiring.py)
recompute the pings of a post, or of every linking post of a topic, inside the write's own
transaction. Only public posts in public topics ping; links are read from the stored HTML:
relative /t/<id> and /p/<id> links, and absolute ones to this site (sitelinks.site_hosts,
the same hosts quotes count)."""
from __future__ import annotations

import html
import re

from sqlalchemy import delete, select

from .. import pagecache
from ..board.models import Post, Topic
from ..extensions import db
from ..sitelinks import local_path, site_hosts
from .models import Ping

PING_EXCERPT_WORDS = 45

_HREF = re.compile(r'<a\s[^>]*?href="([^"]*)"', re.IGNORECASE)
_PATH = re.compile(r"/(t|p)/([1-9][0-9]{0,9})(?:[-/?#]|$)")
_BLOCK = re.compile(r"<(p|li|blockquote|h[3-6]|pre)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _linked(href: str, hosts: set[str]) -> tuple[str, int] | None:
    """("t", topic id) or ("p", post id) when the link points at this forum."""
    path = local_path(href, hosts)
    found = _PATH.match(path) if path is not None else None
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
    """Make this post's pings match its text and visibility (public sources only). The
    topics that gained or lost a ping show it at once: their kept pages and fragments are
    dropped when the write commits (pagecache.changed)."""
    targets = set(db.session.scalars(delete(Ping).where(Ping.source_post_id == post.id)
                                     .returning(Ping.target_topic_id)))
    topic = post.topic
    if post.is_public and topic.is_published:
        for target_id, excerpt in links_in(post.body_html, site_hosts()).items():
            if target_id != topic.id:
                targets.add(target_id)
                db.session.add(Ping(source_post_id=post.id, source_topic_id=topic.id,
                                    target_topic_id=target_id, excerpt=excerpt,
                                    created_at=post.created_at))
    db.session.flush()
    if targets:
        pagecache.changed(*(f"topic:{target_id}" for target_id in targets))


def refresh_topic_pings(topic: Topic) -> None:
    """After a topic is hidden, restored, published or unpublished."""
    db.session.execute(delete(Ping).where(Ping.source_topic_id == topic.id))
    if not topic.is_published:
        return
    for post in db.session.scalars(select(Post).where(
            Post.topic_id == topic.id, Post.hidden_at.is_(None),
            Post.body_html.contains("href="))):
        refresh_pings(post)


def on_post(post: Post, **_: object) -> None:
    """A post written, edited, hidden or shown (forum/composition/wiring.py)."""
    refresh_pings(post)


def on_topic(topic: Topic, change: str = "", **_: object) -> None:
    """A topic hidden, restored, published or unpublished (forum/composition/wiring.py)."""
    if change in ("hidden", "restored", "status"):
        refresh_topic_pings(topic)

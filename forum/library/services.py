"""Rules for the link library: creating and editing links, counting clicks.

A link is a topic of kind link in the "Link Library" forum, pinned there and started by a
member of staff; its opening post is the annotation and its replies are the comments. Title
and annotation changes go through board.services.edit_post, so they keep post revisions;
the link's own fields (address, source author, section, tags) keep LinkRevision rows.

Clicks: one LinkClick row per (link, visitor, time window), added with INSERT ... ON
CONFLICT DO NOTHING; the counter moves by one atomic UPDATE only when a row was added, so
repeated clicks count once and concurrent clicks never lose an update.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, select, update

from .. import clock, markup
from ..accounts.models import User
from ..board import services as board
from ..board.models import Category, Forum, Pin, TopicKind
from ..dbutil import insert_ignoring_duplicates
from ..errors import Invalid
from ..extensions import db
from ..permissions import require
from . import netguard
from .models import LinkClick, LinkEntry, LinkRevision

LIBRARY_FORUM_SLUG = "link-library"
LIBRARY_FORUM_TITLE = "Link Library"
LIBRARY_CATEGORY_TITLE = "Library"
AUTHOR_MAX, SECTION_MAX, ANNOTATION_MAX = 100, 200, 2000
URL_MAX = netguard.URL_MAX
CLICK_WINDOW_SECONDS = 30 * 60  # repeated clicks by one visitor within this count once
_EPOCH = datetime(1970, 1, 1)


@dataclass
class LinkData:
    """What a person types for a link (the form's fields)."""
    title: str
    url: str
    annotation: str
    source_author: str = ""
    section: str = ""
    tags: str = ""


def check_url(url: str) -> str:
    """An absolute http or https address, normalised (netguard.normalise), or Invalid on
    the url field."""
    return netguard.normalise(url)


def _clean(data: LinkData) -> LinkData:
    url = check_url(data.url)
    netguard.check_public(url)
    author = " ".join((data.source_author or "").split())
    if len(author) > AUTHOR_MAX:
        raise Invalid(f"The author can be at most {AUTHOR_MAX} characters.", "source_author")
    if author.casefold() in ("na", "n/a"):  # the old site's "by na": no author known
        author = ""
    section = " ".join((data.section or "").split())
    if len(section) > SECTION_MAX:
        raise Invalid(f"The section can be at most {SECTION_MAX} characters.", "section")
    annotation = (data.annotation or "").replace("\x00", "").strip()
    if not annotation:
        raise Invalid("Write a short annotation: what the link is and why it is worth "
                      "reading.", "annotation")
    if len(annotation) > ANNOTATION_MAX:
        raise Invalid(f"Keep the annotation to {ANNOTATION_MAX:,} characters.", "annotation")
    markup.check(annotation, "annotation")
    board.tag_names(data.tags)  # raises Invalid("...", "tags") for an overlong tag
    return LinkData(title=data.title, url=url, annotation=annotation, source_author=author,
                    section=section, tags=data.tags)


def library_forum() -> Forum:
    """The "Link Library" forum, created on first use (two first uses at once make one)."""
    forum = db.session.scalar(select(Forum).where(Forum.slug == LIBRARY_FORUM_SLUG))
    if forum is not None:
        return forum
    category = db.session.scalar(select(Category).where(
        Category.title == LIBRARY_CATEGORY_TITLE).order_by(Category.id).limit(1))
    if category is None:
        last = db.session.scalar(select(Category.position).order_by(
            Category.position.desc()).limit(1))
        category = board.create_category(LIBRARY_CATEGORY_TITLE,
                                          (last + 1) if last is not None else 0)
    insert_ignoring_duplicates(
        Forum, category_id=category.id, slug=LIBRARY_FORUM_SLUG, title=LIBRARY_FORUM_TITLE,
        description="Articles and reports from elsewhere, chosen and annotated by staff. "
                    "Reply to a link to discuss it.",
        position=0, topic_count=0, post_count=0)
    return db.session.scalar(select(Forum).where(Forum.slug == LIBRARY_FORUM_SLUG))


def _snapshot(link: LinkEntry, editor: User, reason: str | None, now: datetime) -> None:
    db.session.add(LinkRevision(
        link_id=link.id, editor_id=editor.id, title=link.topic.title, url=link.url,
        source_author=link.source_author, section=link.section,
        tags=", ".join(tag.name for tag in link.topic.tags),
        reason=(reason or "").strip()[:500] or None, created_at=now))


def create_link(actor: User, data: LinkData, *, now: datetime | None = None) -> LinkEntry:
    require(actor, "manage_links")
    data = _clean(data)
    now = now or clock.now()
    topic = board.start_topic(actor, library_forum(), data.title, data.annotation,
                              TopicKind.LINK, pinned=Pin.FORUM, now=now)
    link = LinkEntry(topic_id=topic.id, url=data.url, source_author=data.source_author or None,
                     section=data.section, created_at=now, updated_at=now, click_count=0)
    db.session.add(link)
    db.session.flush()
    link.topic = topic
    board.set_tags(topic, board.tag_names(data.tags))
    _snapshot(link, actor, None, now)
    db.session.flush()
    return link


def edit_link(actor: User, link: LinkEntry, data: LinkData, *, reason: str | None = None,
              now: datetime | None = None) -> bool:
    """Change a link; False if nothing changed. The title and annotation change through the
    board (a post revision); the rest leaves a LinkRevision."""
    require(actor, "manage_links", link)
    data = _clean(data)
    now = now or clock.now()
    topic = link.topic
    post = topic.first_post
    text_changed = board.edit_post(actor, post, data.annotation, title=data.title,
                                   reason=reason, now=now)
    names = board.tag_names(data.tags)
    old = (link.url, link.source_author, link.section,
           [tag.name.casefold() for tag in topic.tags])
    new = (data.url, data.source_author or None, data.section,
           [name.casefold() for name in names])
    if old != new:
        link.url, link.source_author, link.section = new[:3]
        board.set_tags(topic, names)
    if old != new or text_changed:
        link.updated_at = now
        db.session.flush()
        _snapshot(link, actor, reason, now)
        db.session.flush()
        return True
    return False


def visitor_key(user_id: int | None, address: str | None) -> str:
    """Who clicked, as an HMAC keyed with the secret key: never a raw address. The member, or
    else the client's address alone: nothing the browser chooses (its User-Agent) makes a
    visitor new."""
    who = f"user:{user_id}" if user_id else f"addr:{address or ''}"
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, who.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:64]


def click_window() -> int:
    return int(current_app.config.get("LINK_CLICK_WINDOW_SECONDS", CLICK_WINDOW_SECONDS))


def record_click(link: LinkEntry, visitor: str, *, now: datetime | None = None) -> bool:
    """Count a visitor following the link, once per time window. True if it counted."""
    now = now or clock.now()
    bucket = int((now - _EPOCH).total_seconds()) // click_window()
    if not insert_ignoring_duplicates(LinkClick, link_id=link.id, visitor=visitor,
                                      bucket=bucket, created_at=now):
        return False
    db.session.execute(update(LinkEntry).where(LinkEntry.id == link.id)
                       .values(click_count=LinkEntry.click_count + 1))
    return True


def forget_old_clicks(*, now: datetime | None = None) -> int:
    """Drop click rows from windows that have ended (they only guard against repeats)."""
    now = now or clock.now()
    bucket = int((now - _EPOCH).total_seconds()) // click_window()
    return db.session.execute(delete(LinkClick).where(LinkClick.bucket < bucket)).rowcount

"""Composing e-mails: notification messages, daily digests, unsubscribe links and headers.

Links in e-mails are absolute, built from SITE_URL (there may be no request to take a host
from); in development without SITE_URL, from the address the request came to. The HTML part
is a template with autoescaping; the only markup inserted as is is a
post's stored body_html.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask import current_app, render_template
import bleach
from itsdangerous import BadData, URLSafeSerializer
from markupsafe import Markup
from sqlalchemy import select

from .. import clock, markup
from ..accounts.models import User
from ..board.models import Forum, Post, Topic
from ..extensions import db
from ..outbox import enqueue
from ..templating import in_zone_of
from ..urls import external_url, page_of, site_url
from .models import EmailMode, Notification, NotifySettings

UNSUBSCRIBE_SALT = "notify-unsubscribe"
DIGEST_EVERY = timedelta(days=1)
DIGEST_MAX_ITEMS = 50


# ------------------------------------------------------------------------------- links

def post_link(post: Post) -> str:
    per_page = current_app.config["POSTS_PER_PAGE"]
    page = page_of(post.position, per_page)
    return external_url("board.topic", topic_id=post.topic_id, slug=post.topic.slug,
                        page=page if page > 1 else None, _anchor=f"post-{post.id}")


def topic_link(topic: Topic) -> str:
    return external_url("board.topic", topic_id=topic.id, slug=topic.slug)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int) -> str:
    """A signed token that stops a member's notification e-mails, no log-in needed. It never
    expires: an old e-mail's link must still work."""
    return _serializer().dumps({"u": user_id, "s": "email"})


def read_unsubscribe_token(token: str) -> int | None:
    try:
        data = _serializer().loads(token)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("s") != "email" or not isinstance(data.get("u"), int):
        return None
    return data["u"]


def unsubscribe_url(user_id: int) -> str:
    return external_url("notify.unsubscribe", token=unsubscribe_token(user_id))


def list_headers(user_id: int) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: mail programs show an "Unsubscribe" button that POSTs."""
    return {"List-Unsubscribe": f"<{unsubscribe_url(user_id)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"{current_app.config['SITE_NAME']} notifications "
                       f"<notifications.{urlsplit(site_url()).hostname}>"}


# ---------------------------------------------------------------------------- plain text

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)
PAGE_TAGS = markup.ALLOWED_TAGS | {"hr", "div", "span", "table", "tr", "td", "th", "tbody"}


def html_part_for_page(html: str | None) -> Markup | None:
    """An e-mail's HTML part, to show inside a page of the site (the development outbox):
    the body's content, cleaned to the markup allowlist (no styles: the site's
    Content-Security-Policy forbids inline ones), links kept."""
    if not html:
        return None
    match = _BODY.search(html)
    body = match.group(1) if match else html
    return Markup(bleach.clean(body, tags=PAGE_TAGS,
                               attributes={"a": ["href", "title"], "abbr": ["title"]},
                               protocols=markup.ALLOWED_PROTOCOLS, strip=True,
                               strip_comments=True).strip())


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "blockquote", "pre", "ul", "ol", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag):
        if tag == "a" and self.href:
            self.parts.append(f" ({self.href})")
            self.href = None
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """A post's stored HTML as readable plain text (paragraphs, list dashes, link URLs)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) if not line.startswith("- ") else "- " + " ".join(line[2:].split())
             for line in "".join(parser.parts).split("\n")]
    text, blank = [], False
    for line in lines:
        if not line:
            blank = bool(text)
            continue
        if blank:
            text.append("")
        text.append(line)
        blank = False
    return "\n".join(text)


# ------------------------------------------------------------------------------ messages

def headline(kind: str, actor: str | None, topic: Topic | None, forum: Forum | None = None,
             text: str | None = None) -> str:
    title = f"“{topic.title}”" if topic is not None else ""
    who = actor or "Someone"
    return {
        "reply": f"{who} replied to {title}",
        "mention": f"{who} mentioned you in {title}",
        "topic": f"{who} started {title}" + (f" in {forum.title}" if forum else ""),
        "answer_accepted": f"Your reply to {title} was accepted as the answer",
        "moderation": "A moderator acted on your post or account",
        "report_resolved": "Your report was dealt with",
    }.get(kind, text or "News from the forum")


def queue_notification(notification_id: int, user: User, kind: str, *,
                       actor_id: int | None, topic: Topic | None, post: Post | None,
                       text: str | None) -> bool:
    """Queue the e-mail for one new notification (deduplicated by the notification)."""
    about_post = kind not in ("moderation", "report_resolved")  # those never quote the post
    actor = db.session.get(User, actor_id) if actor_id and about_post else None
    forum = db.session.get(Forum, topic.forum_id) if topic is not None else None
    subject = headline(kind, actor.display_name if actor else None, topic, forum, text)
    link = post_link(post) if post is not None and post.is_public else (
        topic_link(topic) if topic is not None and topic.is_published else None)
    context = dict(user=user, kind=kind, subject=subject, text=text, link=link,
                   post_text=html_to_text(post.body_html) if post is not None and about_post
                   else None,
                   post_html=post.body_html if post is not None and about_post else None,
                   at=post.created_at if post is not None and about_post else clock.now(),
                   site_name=current_app.config["SITE_NAME"],
                   unsubscribe=unsubscribe_url(user.id),
                   settings=external_url("notify.settings"))
    with in_zone_of(user):
        plain = render_template("notify/email/notification.txt", **context)
        html = render_template("notify/email/notification.html", **context)
    return enqueue(user.email, subject, plain, html,
                   user_id=user.id, dedup_key=f"notification:{notification_id}",
                   headers=list_headers(user.id))


def build_digests(now: datetime | None = None) -> int:
    """Queue a digest for each member on the daily digest whose day has passed, each in its
    own commit. Returns how many digests were queued."""
    now = now or clock.now()
    due = db.session.execute(
        select(User, NotifySettings).join(NotifySettings, NotifySettings.user_id == User.id)
        .where(NotifySettings.email_mode == EmailMode.DIGEST, User.email_verified_at.is_not(None),
               (NotifySettings.digest_sent_at.is_(None))
               | (NotifySettings.digest_sent_at <= now - DIGEST_EVERY))).all()
    queued = 0
    for user, settings in due:
        since = settings.digest_sent_at or datetime(1970, 1, 1)
        rows = db.session.execute(
            select(Notification, Topic, Post, User)
            .outerjoin(Topic, Topic.id == Notification.topic_id)
            .outerjoin(Post, Post.id == Notification.post_id)
            .outerjoin(User, User.id == Notification.actor_id)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None),
                   Notification.created_at > since, Notification.created_at <= now)
            .order_by(Notification.id).limit(DIGEST_MAX_ITEMS)).all()
        settings.digest_sent_at = now
        items = []
        for note, topic, post, actor in rows:
            link = post_link(post) if post is not None and post.is_public else (
                topic_link(topic) if topic is not None and topic.is_published else None)
            items.append(dict(
                headline=headline(note.kind, actor.display_name if actor and note.kind !=
                                  "moderation" else None, topic, None, note.text),
                text=note.text, link=link, at=note.created_at))
        if items:
            context = dict(user=user, items=items, site_name=current_app.config["SITE_NAME"],
                           unsubscribe=unsubscribe_url(user.id),
                           settings=external_url("notify.settings"),
                           all_link=external_url("notify.index"))
            subject = (f"{current_app.config['SITE_NAME']}: "
                       f"{len(items)} new notification{'s' if len(items) != 1 else ''}")
            with in_zone_of(user):
                plain = render_template("notify/email/digest.txt", **context)
                html = render_template("notify/email/digest.html", **context)
            if enqueue(user.email, subject, plain, html, user_id=user.id, dedup_key=f"digest:{user.id}:{now:%Y-%m-%d}",
                       headers=list_headers(user.id)):
                queued += 1
        db.session.commit()
    return queued

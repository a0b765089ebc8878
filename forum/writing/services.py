"""Writing rules: quotes between posts and members' drafts. Each function works inside the
caller's transaction (the request commits once); receivers of forum/events.py keep quotes in
step with every write, as pings do."""
from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import delete, func, select, update

from .. import clock, pagecache
from ..board.models import Post, Topic, TopicKind
from ..board.services import BODY_MAX, TITLE_MAX
from ..dbutil import insert_ignoring_duplicates
from ..errors import Invalid
from ..extensions import db
from ..permissions import can
from ..sitelinks import local_path, site_hosts
from . import queries
from .models import Draft, PostQuote

# --- Quotes -------------------------------------------------------------------------------

QUOTE_MAX = 5_000  # characters of quoted text put into a reply
_BLOCKQUOTE = re.compile(r"<blockquote[^>]*>(.*?)</blockquote>", re.S)
_HREF = re.compile(r'<a [^>]*href="([^"]+)"')
_POST_PATH = re.compile(r"/p/([1-9][0-9]{0,9})/?")


def quote_markdown(author_name: str, post_path: str, text: str) -> str:
    """An attributed quote with a link to the post, as Markdown, ready to reply below."""
    text = text.replace("\x00", "").replace("\r\n", "\n").strip()[:QUOTE_MAX]
    lines = [f"> [{_escape_link_text(author_name)} wrote]({post_path}):", ">"]
    lines += [f"> {line}".rstrip() for line in text.split("\n")]
    return "\n".join(lines) + "\n\n"


def _escape_link_text(text: str) -> str:
    return re.sub(r"([\\\[\]*_`<>])", r"\\\1", text)


def quoted_ids(body_html: str) -> set[int]:
    """Ids of the posts a post's HTML quotes: links to /p/<id> inside a blockquote."""
    hosts, found = site_hosts(), set()
    for block in _BLOCKQUOTE.findall(body_html or ""):
        for href in _HREF.findall(block):
            path = local_path(href, hosts)
            match = _POST_PATH.fullmatch(path) if path is not None else None
            if match and int(match.group(1)) < 2**31:
                found.add(int(match.group(1)))
    return found


def refresh_quotes(post: Post) -> None:
    """Make this post's quote rows match its text and visibility (public sources only), and
    the quoted posts' counters match their rows."""
    before = set(db.session.scalars(delete(PostQuote).where(
        PostQuote.source_post_id == post.id).returning(PostQuote.quoted_post_id)))
    after: set[int] = set()
    if post.is_public and post.topic.is_published:
        wanted = quoted_ids(post.body_html) - {post.id}
        if wanted:
            after = set(db.session.scalars(select(Post.id).where(Post.id.in_(wanted))))
        for quoted in sorted(after):
            db.session.add(PostQuote(source_post_id=post.id, source_topic_id=post.topic_id,
                                     quoted_post_id=quoted))
    db.session.flush()
    _recount(before | after)


def _recount(post_ids: set[int]) -> None:
    if not post_ids:
        return
    counted = (select(func.count(PostQuote.id)).where(PostQuote.quoted_post_id == Post.id)
               .scalar_subquery())
    topics = set(db.session.scalars(
        update(Post).where(Post.id.in_(post_ids)).values(quote_count=counted)
        .returning(Post.topic_id).execution_options(synchronize_session=False)))
    # The quoted posts' pages (and their kept post lists) show the new count.
    pagecache.changed(*(f"topic:{topic_id}" for topic_id in topics))
    for post in db.session.identity_map.values():
        if isinstance(post, Post) and post.id in post_ids:
            db.session.expire(post, ["quote_count"])


def refresh_topic_quotes(topic: Topic) -> None:
    """After a topic is hidden, restored, published or unpublished."""
    for post in db.session.scalars(select(Post).where(
            Post.topic_id == topic.id, Post.body_html.contains("<blockquote"))):
        refresh_quotes(post)


def on_post(post: Post, **_: object) -> None:
    """A post written, edited, hidden or shown (connected in forum/composition/wiring.py)."""
    refresh_quotes(post)


# --- Names for @mentions ------------------------------------------------------------------

MENTION_LIMIT = 8        # names suggested at most
MENTION_QUERY_MAX = 60   # characters of the typed name looked at (a name has at most 40)


def mention_names(viewer, text: str, topic: Topic | None = None) -> list[str]:
    """Display names the viewer may @mention, for what they typed after "@": never the
    viewer, at most MENTION_LIMIT. In a forum only some groups read, only members who can read
    the topic (anyone else would not be told, and nobody learns who else could); that check
    costs a query per candidate, at most 3 × MENTION_LIMIT."""
    text = (text or "").replace("\x00", "").strip().lstrip("@")[:MENTION_QUERY_MAX]
    if topic is None or not topic.forum.read_restricted:
        return [u.display_name for u in queries.name_suggestions(text, viewer.id, MENTION_LIMIT)]
    readers = [u for u in queries.name_suggestions(text, viewer.id, 3 * MENTION_LIMIT)
               if can(u, "view_topic", topic)]
    return [u.display_name for u in readers[:MENTION_LIMIT]]


# --- Drafts -------------------------------------------------------------------------------

_DRAFT_KEY = re.compile(r"(topic|conversation)|(reply|edit|message):([1-9][0-9]{0,9})")

# Who may keep a draft for the forms of features beside this one (kind -> check(user, id or
# None)), registered by forum/composition/wiring.py: "message" (a reply in a conversation: its active
# participants only) and "conversation" (a new one). A kind with no check is refused.
DRAFT_CHECKS: dict[str, Callable[[object, int | None], bool]] = {}


def draft_key_for(user, key: str) -> str:
    """A draft key the member may write under: "topic" (a new topic), "reply:<id>" for a
    topic they may reply to, "edit:<id>" for a post they may edit, or a kind in
    DRAFT_CHECKS that allows it. Anything else is refused."""
    match = _DRAFT_KEY.fullmatch(key or "")
    if match is None:
        raise Invalid("That is not a form whose text can be kept.", "key")
    kind = match.group(1) or match.group(2)
    number = int(match.group(3)) if match.group(3) else None
    if number is not None and number >= 2**31:
        number = 0
    if kind == "reply":
        topic = db.session.get(Topic, number) if number else None
        if topic is None or not can(user, "view_topic", topic) or not can(user, "reply", topic):
            raise Invalid("You cannot reply to that topic.", "key")
    elif kind == "edit":
        post = db.session.get(Post, number) if number else None
        if post is None or not can(user, "view_topic", post.topic) \
                or not can(user, "edit_post", post):
            raise Invalid("You cannot edit that post.", "key")
    elif kind == "topic":
        if not can(user, "create_topic", None):
            raise Invalid("You cannot start a topic.", "key")
    elif kind not in DRAFT_CHECKS or not DRAFT_CHECKS[kind](user, number):
        raise Invalid("That is not a form whose text can be kept.", "key")
    return key


def save_draft(user, key: str, body: str, title: str = "", *, now=None) -> Draft | None:
    """Keep the member's unsent text for `key` (one row per member and form, replaced each
    time); empty text discards the draft. Two saves racing end with one row."""
    key = draft_key_for(user, key)
    body = (body or "").replace("\x00", "")[:BODY_MAX]
    title = " ".join((title or "").replace("\x00", "").split())[:TITLE_MAX]
    if not body.strip() and not title:
        clear_drafts(user.id, [key])
        return None
    now = now or clock.now()
    values = dict(body=body, title=title, updated_at=now)
    if not insert_ignoring_duplicates(Draft, user_id=user.id, key=key, **values):
        db.session.execute(update(Draft).where(Draft.user_id == user.id, Draft.key == key)
                           .values(**values))
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.key == key)
                             .execution_options(populate_existing=True))


def clear_drafts(user_id: int, keys: list[str]) -> None:
    db.session.execute(delete(Draft).where(Draft.user_id == user_id, Draft.key.in_(keys)))


def draft_previewed(user, key: str = "", body: str = "", title: str = "", **_: object) -> None:
    """A form's Preview (without script) keeps its text as the member's draft."""
    try:
        save_draft(user, key, body, title)
    except Invalid:
        pass


def post_sent(post: Post, **_: object) -> None:
    """Sending a reply or a topic ends its draft."""
    keys = [f"reply:{post.topic_id}"]
    if post.is_opening and post.topic.kind in (TopicKind.DISCUSSION, TopicKind.QUESTION):
        keys.append("topic")
    clear_drafts(post.author_id, keys)


def on_topic(topic: Topic, change: str = "", **_: object) -> None:
    """A topic hidden, restored, published or unpublished (connected in forum/composition/wiring.py)."""
    if change in ("hidden", "restored", "status"):
        refresh_topic_quotes(topic)

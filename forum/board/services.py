"""Board rules: starting topics, replying, editing, hiding, and keeping counters right.

Each function is one unit of work inside the caller's transaction (the request commits once).
Counters are moved with single UPDATE statements, so concurrent writers never lose an update:
the UPDATE of the topic row also hands out the new post's position and holds the row lock
until commit, which orders replies to one topic.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import case, distinct, exists, func, select, update

from .. import clock, events, markup
from ..accounts.models import User
from ..dbutil import insert_ignoring_duplicates
from ..errors import Invalid
from ..extensions import db
from ..permissions import require
from . import approval
from .models import (Approval, Category, Forum, Pin, Post, PostRevision, Tag, Topic,
                     TopicKind, TopicStatus)

TITLE_MIN, TITLE_MAX = 3, 150
BODY_MAX = 50_000


def slugify(text: str, max_length: int = 80) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "topic"


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise Invalid(f"Title must be between {TITLE_MIN} and {TITLE_MAX} characters.", "title")
    return title


def check_body(body: str) -> str:
    body = body.replace("\x00", "").strip()
    if not body:
        raise Invalid("Write something before posting.", "body")
    if len(body) > BODY_MAX:
        raise Invalid(f"Posts can be at most {BODY_MAX:,} characters.", "body")
    markup.check(body, "body")
    return body


def create_category(title: str, position: int = 0) -> Category:
    category = Category(title=title, position=position)
    db.session.add(category)
    db.session.flush()
    return category


def create_forum(category: Category, title: str, description: str = "", position: int = 0,
                 slug: str | None = None) -> Forum:
    forum = Forum(category_id=category.id, title=title, description=description,
                  position=position, slug=slug or slugify(title))
    db.session.add(forum)
    db.session.flush()
    return forum


def _new_post(topic: Topic, author: User, body: str, position: int, now: datetime,
              held: bool = False) -> Post:
    post = Post(topic_id=topic.id, author_id=author.id, position=position, body_source=body,
                body_html=markup.render(body), created_at=now)
    if held:  # waits for a moderator: hidden (so left out of every count) until approved
        post.hidden_at, post.approval = now, Approval.PENDING
    db.session.add(post)
    db.session.flush()
    db.session.add(PostRevision(post_id=post.id, editor_id=author.id, body_source=body,
                                title=topic.title if position == 1 else None, created_at=now))
    return post


def create_topic(actor: User, forum: Forum, title: str, body: str,
                 kind: TopicKind = TopicKind.DISCUSSION, *, pinned: Pin = Pin.NONE,
                 now: datetime | None = None) -> Topic:
    """A member starts a topic in a forum (the new-topic form)."""
    require(actor, "create_topic", forum)
    return start_topic(actor, forum, title, body, kind, pinned=pinned, now=now)


def start_topic(actor: User, forum: Forum, title: str, body: str,
                kind: TopicKind = TopicKind.DISCUSSION, *, pinned: Pin = Pin.NONE,
                status: TopicStatus = TopicStatus.PUBLISHED,
                publish_at: datetime | None = None, now: datetime | None = None) -> Topic:
    """A new topic and its opening post, for any feature (articles, the link library); the
    caller has checked the actor may. A new member's post may wait for approval (status
    pending). Counters move when the topic is public now; a draft or scheduled topic is
    counted and announced when it is published (topic_changed(change="status"))."""
    now = now or clock.now()
    title, body = check_title(title), check_body(body)
    held = approval.needs_approval(actor, body)  # listed and counted once approved
    topic = Topic(forum_id=forum.id, author_id=actor.id, title=title, slug=slugify(title),
                  kind=kind, pinned=pinned, created_at=now, post_count=1, reply_count=0,
                  voice_count=0 if held else 1, last_post_at=now, publish_at=publish_at,
                  status=TopicStatus.PENDING if held else status)
    db.session.add(topic)
    db.session.flush()
    post = _new_post(topic, actor, body, 1, now, held)
    topic.first_post_id = topic.last_post_id = post.id
    if topic.is_published:
        db.session.execute(update(Forum).where(Forum.id == forum.id).values(
            topic_count=Forum.topic_count + 1, post_count=Forum.post_count + 1,
            last_post_id=post.id))
        db.session.execute(update(User).where(User.id == actor.id).values(
            topic_count=User.topic_count + 1))
    db.session.flush()
    if status == TopicStatus.PUBLISHED:  # a held post too: search indexes it meanwhile
        events.post_created.send(post)
    return topic


def post_reply(actor: User, topic: Topic, body: str, *, now: datetime | None = None) -> Post:
    require(actor, "reply", topic)
    now = now or clock.now()
    body = check_body(body)
    # Takes the topic's row lock until commit and hands out the next position.
    position = db.session.execute(
        update(Topic).where(Topic.id == topic.id)
        .values(post_count=Topic.post_count + 1).returning(Topic.post_count)
    ).scalar_one()
    new_voice = not db.session.scalar(select(exists().where(
        Post.topic_id == topic.id, Post.author_id == actor.id, Post.hidden_at.is_(None))))
    held = approval.needs_approval(actor, body)  # counted once approved
    post = _new_post(topic, actor, body, position, now, held)
    if not held:
        db.session.execute(update(Topic).where(Topic.id == topic.id).values(
            reply_count=Topic.reply_count + 1, voice_count=Topic.voice_count + int(new_voice),
            last_post_id=post.id, last_post_at=now))
        db.session.execute(update(Forum).where(Forum.id == topic.forum_id).values(
            post_count=Forum.post_count + 1, last_post_id=post.id))
        db.session.execute(update(User).where(User.id == actor.id).values(
            reply_count=User.reply_count + 1))
    db.session.expire(topic)
    events.post_created.send(post)
    return post


def edit_post(actor: User, post: Post, body: str, *, title: str | None = None,
              reason: str | None = None, now: datetime | None = None,
              files_added: list[str] = (), files_removed: list[str] = ()) -> bool:
    """Change a post (and, for an opening post, its topic's title). The names of the files
    the same edit added and removed (uploads.services did that) go into the revision, so an
    edit of files alone is a version too, with its editor, time and reason. False if nothing
    changed."""
    require(actor, "edit_post", post)
    body = check_body(body)
    topic = post.topic
    new_title = check_title(title) if title is not None and post.is_opening else topic.title
    if body == post.body_source and new_title == topic.title and not (
            files_added or files_removed):
        return False
    now = now or clock.now()
    post.body_source, post.body_html = body, markup.render(body)
    post.edited_at, post.edited_by_id = now, actor.id
    if new_title != topic.title:
        topic.title, topic.slug = new_title, slugify(new_title)
    file_changes = {"added": list(files_added), "removed": list(files_removed)} \
        if files_added or files_removed else None
    db.session.add(PostRevision(post_id=post.id, editor_id=actor.id, body_source=body,
                                title=new_title if post.is_opening else None,
                                reason=(reason or "").strip() or None,
                                file_changes=file_changes, created_at=now))
    db.session.flush()
    events.post_edited.send(post)
    return True


def hide_post(actor: User, post: Post, reason: str | None = None) -> None:
    require(actor, "hide_post", post)
    post.hidden_at, post.hidden_by_id = clock.now(), actor.id
    post.hide_reason = (reason or "").strip()[:500] or None
    if post.topic.accepted_post_id == post.id:  # a hidden reply cannot stay the answer
        post.topic.accepted_post_id = None
    db.session.flush()
    recount_after_change(post)
    events.post_visibility_changed.send(post, hidden=True)
    if actor.id != post.author_id:  # a moderator: moderation logs it
        events.post_moderated.send(post, actor=actor, hidden=True, reason=reason)


def restore_post(actor: User, post: Post) -> None:
    require(actor, "restore_post", post)
    by_someone_else = actor.id != post.author_id
    post.hidden_at = post.hidden_by_id = post.hide_reason = None
    db.session.flush()
    recount_after_change(post)
    events.post_visibility_changed.send(post, hidden=False)
    if by_someone_else:
        events.post_moderated.send(post, actor=actor, hidden=False, reason=None)


def recount_after_change(post: Post) -> None:
    """After a post is hidden or restored: its topic, forum and author counters."""
    recount_topic(post.topic)
    recount_forum(post.topic.forum)
    recount_user(post.author)


def recount_topic(topic: Topic) -> None:
    """Set a topic's counters from its rows (used after hiding, restoring, moving)."""
    db.session.execute(select(Topic.id).where(Topic.id == topic.id).with_for_update())
    visible = (Post.topic_id == topic.id) & Post.hidden_at.is_(None)
    replies, voices = db.session.execute(
        select(func.count(case((Post.position > 1, 1))), func.count(distinct(Post.author_id)))
        .where(visible)).one()
    last = db.session.execute(select(Post.id, Post.created_at).where(visible)
                              .order_by(Post.position.desc()).limit(1)).first()
    if last is None:  # everything hidden: the opening post still anchors the listing
        last = db.session.execute(select(Post.id, Post.created_at)
                                  .where(Post.topic_id == topic.id, Post.position == 1)).first()
    topic.reply_count, topic.voice_count = replies, voices
    topic.last_post_id, topic.last_post_at = last
    db.session.flush()


def recount_forum(forum: Forum) -> None:
    listed = (Topic.forum_id == forum.id) & Topic.published()
    topics, replies = db.session.execute(
        select(func.count(Topic.id), func.coalesce(func.sum(Topic.reply_count), 0))
        .where(listed)).one()
    forum.topic_count, forum.post_count = topics, topics + replies
    forum.last_post_id = db.session.scalar(
        select(Topic.last_post_id).where(listed)
        .order_by(Topic.last_post_at.desc(), Topic.id.desc()).limit(1))
    db.session.flush()


def recount_user(user: User) -> None:
    user.topic_count = db.session.scalar(select(func.count(Topic.id)).where(
        Topic.author_id == user.id, Topic.published())) or 0
    user.reply_count = db.session.scalar(select(func.count(Post.id)).where(
        Post.author_id == user.id, Post.position > 1, Post.hidden_at.is_(None))) or 0
    db.session.flush()


TAG_MAX = 50


def tag_names(text: str) -> list[str]:
    """Tags typed as a comma-separated list: trimmed, spaces collapsed, duplicates dropped."""
    names: dict[str, str] = {}
    for raw in (text or "").split(","):
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > TAG_MAX:
            raise Invalid(f"A tag can be at most {TAG_MAX} characters.", "tags")
        names.setdefault(slugify(name, 60), name)
    return list(names.values())


def set_tags(topic: Topic, names: list[str]) -> None:
    """Give a topic exactly these tags, creating the ones that do not exist yet (two writers
    adding the same new tag at once both end up with the one row)."""
    wanted = {slugify(name, 60): name for name in names}
    for slug, name in wanted.items():
        insert_ignoring_duplicates(Tag, name=name, slug=slug)
    tags = {tag.slug: tag for tag in db.session.scalars(
        select(Tag).where(Tag.slug.in_(wanted)))} if wanted else {}
    topic.tags = [tags[slug] for slug in wanted]
    db.session.flush()


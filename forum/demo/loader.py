"""Load the demo content (content.py) through the same services the site itself uses.

load() runs inside an app context and leaves the commit to its caller (`flask forum demo`).
It does nothing if the demo is already there, judged by the "miscellaneous" forum.
"""
from __future__ import annotations

import inspect
import os
import random
import secrets
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update

from ..accounts import services as accounts
from ..accounts.models import Role, User
from ..board import services as board
from ..board.models import Forum, Pin, Post, Topic, TopicKind
from ..extensions import db
from ..polls import services as polls
from ..polls.models import PollBallot, PostVote, Visibility
from . import articles as demo_articles
from . import content, library
from . import groups as demo_groups

MARKER_SLUG = "miscellaneous"
ADMIN_EMAIL = "admin@example.org"
ADMIN_LOGIN_FILE = "demo_admin.txt"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def load() -> bool:
    """Create the demo members, forums, topics and replies. False if already loaded."""
    if db.session.scalar(select(Forum.id).where(Forum.slug == MARKER_SLUG)) is not None:
        return False
    users, admin_password = _create_users()
    forums = _create_forums()
    topics = [*content.TOPICS, content.LONG_THREAD]
    for spec in sorted(topics, key=lambda spec: _time(spec["at"])):
        replies = (_long_thread_replies(spec, users) if spec is content.LONG_THREAD
                   else [(users[name], _time(at), _text(body))
                         for name, at, body in spec["replies"]])
        topic, posts = _create_topic(spec, users, forums[spec["forum"]], replies)
        if "poll" in spec:
            _create_poll(spec, users, topic)
        _mark_helpful(spec, users, posts)
        if "accepted" in spec:
            polls.accept_answer(topic.author, posts[spec["accepted"] - 1])
    library.load(users)
    demo_articles.load(users)
    demo_groups.load(users)
    for forum in forums.values():
        board.recount_forum(forum)
    for user in users.values():
        board.recount_user(user)
    _set_last_seen(users)
    _write_admin_login(admin_password)
    return True


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _text(body: str) -> str:
    return inspect.cleandoc(body)


@contextmanager
def _light_hashing():
    """The demo's members other than the admin get random passwords that nobody is told, so
    no one logs in as them and a 43-character random secret needs no slow hash to be safe:
    hashing them at the lightest argon2 setting keeps `make run` quick. (Their hash is
    brought up to the normal cost if a password is ever set through the forum.)"""
    config = current_app.config
    saved = config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"]
    config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"] = 1, 64
    try:
        yield
    finally:
        config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"] = saved


def _create_users() -> tuple[dict[str, User], str]:
    users: dict[str, User] = {}
    admin_password = secrets.token_urlsafe(12)
    for spec in content.USERS:
        role = Role(spec["role"])
        is_admin = spec["email"] == ADMIN_EMAIL
        if is_admin:
            user = accounts.register(spec["name"], spec["email"], admin_password, role=role)
        else:
            with _light_hashing():
                user = accounts.register(spec["name"], spec["email"], secrets.token_urlsafe(),
                                         role=role)
        accounts.update_profile(user, spec["bio"])
        user.created_at = user.email_verified_at = _time(spec["joined"])
        users[spec["name"]] = user
    if not any(user.email == ADMIN_EMAIL for user in users.values()):
        raise ValueError(f"content.USERS must include the admin, {ADMIN_EMAIL}")
    db.session.flush()
    return users, admin_password


def _create_forums() -> dict[str, Forum]:
    forums: dict[str, Forum] = {}
    for category_position, category_spec in enumerate(content.CATEGORIES):
        category = board.create_category(category_spec["title"], category_position)
        for position, spec in enumerate(category_spec["forums"]):
            forum = board.create_forum(category, spec["title"], spec["description"],
                                       position, slug=spec["slug"])
            forums[forum.slug] = forum
    return forums


def _create_topic(spec: dict, users: dict[str, User], forum: Forum,
                  replies: list[tuple[User, datetime, str]]) -> tuple[Topic, list[Post]]:
    """The topic and its replies, in order (replies[0] is reply number 1 in content.py)."""
    author, opened = users[spec["author"]], _time(spec["at"])
    _check_joined(author, opened, spec["title"])
    topic = board.create_topic(
        author, forum, spec["title"], _text(spec["body"]),
        TopicKind(spec.get("kind", "discussion")),
        pinned=Pin[spec.get("pinned", "none").upper()], now=opened)
    previous, posts = opened, []
    for replier, at, body in replies:
        if at <= previous:
            raise ValueError(f"replies to {spec['title']!r} are out of order at {at}")
        _check_joined(replier, at, spec["title"])
        posts.append(board.post_reply(replier, topic, body, now=at))
        previous = at
    topic.view_count = spec.get("views", 0)
    return topic, posts


def _create_poll(spec: dict, users: dict[str, User], topic: Topic) -> None:
    """An open, single-choice, secret poll with results always visible, dated with its topic;
    each ballot is dated when its member voted."""
    poll_spec = spec["poll"]
    poll = polls.create_poll(topic.author, topic, poll_spec["question"], poll_spec["options"],
                             visibility=Visibility.ALWAYS, voters_public=False)
    poll.created_at = topic.created_at
    option_ids = {option.label: option.id for option in poll.options}
    for name, label, at in poll_spec["ballots"]:
        voter, voted = users[name], _time(at)
        if voted < topic.created_at:
            raise ValueError(f"{name} votes in {spec['title']!r} before it opened")
        _check_joined(voter, voted, spec["title"])
        polls.cast_vote(voter, poll, [option_ids[label]])
        db.session.execute(update(PollBallot).where(
            PollBallot.poll_id == poll.id, PollBallot.user_id == voter.id)
            .values(created_at=voted, updated_at=voted))


def _mark_helpful(spec: dict, users: dict[str, User], posts: list[Post]) -> None:
    """Helpful marks, each dated a few hours after the reply (or the voter joining)."""
    for number, names in spec.get("helpful", {}).items():
        post = posts[number - 1]
        for n, name in enumerate(names, start=1):
            voter = users[name]
            if voter.id == post.author_id:
                raise ValueError(f"{name} marks their own reply {number} in "
                                 f"{spec['title']!r} helpful")
            polls.set_helpful(voter, post, True)
            at = max(post.created_at, voter.created_at) + timedelta(hours=3 * n, minutes=17 * n)
            db.session.execute(update(PostVote).where(
                PostVote.post_id == post.id, PostVote.user_id == voter.id).values(created_at=at))


def _check_joined(user: User, at: datetime, title: str) -> None:
    if at < user.created_at:
        raise ValueError(f"{user.display_name} posts in {title!r} before joining")


def _schedule(segments) -> list[datetime]:
    """Reply times spread evenly over each (first, last, count) segment, a little uneven."""
    times = []
    for first, last, count in segments:
        start, end = _time(first), _time(last)
        step = (end - start) / max(count - 1, 1)
        for n in range(count):
            at = start + step * n
            if 0 < n < count - 1:  # nudge inner times by up to an hour either way
                at += timedelta(minutes=n * 47 % 120 - 60)
            if at.hour < 7:  # people post in the day and evening, mostly
                at += timedelta(hours=7)
            elif at.hour >= 22:
                at -= timedelta(hours=3)
            times.append((at + timedelta(seconds=30)).replace(second=0, microsecond=0))
    return times


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + dot.strip()


def _long_thread_replies(spec: dict, users: dict[str, User]
                         ) -> list[tuple[User, datetime, str]]:
    """Build the long thread: points first, reactions to the previous poster in between,
    then quotes of earlier points once every point has been made."""
    times = _schedule(spec["schedule"])
    if len(times) != spec["reply_count"]:
        raise ValueError("the long thread's schedule does not add up to its reply_count")
    rng = random.Random(spec["seed"])
    pool = [users[name] for name in spec["authors"]]
    points, reactions, remarks = spec["points"], spec["reactions"], spec["remarks"]
    made: dict[int, tuple[User, datetime]] = {}  # point index -> who made it, and when
    opener = previous = users[spec["author"]]
    n_points = n_reactions = n_quotes = 0
    replies = []

    def pick(at: datetime, *avoid: User) -> User:
        eligible = [u for u in pool if u.created_at <= at and u not in avoid]
        return rng.choice(eligible)

    for i, at in enumerate(times):
        if i % 3 == 2:
            author = pick(at, previous)
            body = reactions[n_reactions % len(reactions)].format(
                prev=previous.display_name.split()[0])
            n_reactions += 1
        else:
            index = n_points % len(points)
            n_points += 1
            if index not in made:  # the opener asked for advice, so others give it
                author = pick(at, previous, opener)
                body = points[index]
                made[index] = (author, at)
            else:
                first_author, first_at = made[index]
                author = pick(at, previous, first_author)
                body = spec["quote_template"].format(
                    author=first_author.display_name,
                    when=f"{MONTHS[first_at.month - 1]} {first_at.year}",
                    quote=_first_sentence(points[index]),
                    remark=remarks[n_quotes % len(remarks)])
                n_quotes += 1
        replies.append((author, at, body))
        previous = author
    return replies


def _set_last_seen(users: dict[str, User]) -> None:
    latest = dict(db.session.execute(
        select(Post.author_id, func.max(Post.created_at)).group_by(Post.author_id)).all())
    for user in users.values():
        user.last_seen_at = latest.get(user.id, user.created_at)
    db.session.flush()


def _write_admin_login(password: str) -> None:
    """Leave the local admin's login where `make run` can show it (instance/ is private)."""
    folder = Path(current_app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ADMIN_LOGIN_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(f"{ADMIN_EMAIL} {password}\n")
    path.chmod(0o600)

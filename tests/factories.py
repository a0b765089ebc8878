"""Builders for test data, through the services (so counters stay right), plus a bulk
builder for very long topics. Registered as a pytest plugin from conftest.py."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import insert, update

from forum import clock, markup
from forum.accounts import services as accounts
from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Category, Forum, Post, Topic
from forum.extensions import db

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


class Factory:
    def __init__(self, app) -> None:
        self.app = app

    def user(self, name: str | None = None, role: Role = Role.MEMBER, **fields) -> User:
        n = next(_numbers)
        with self.app.app_context():
            user = accounts.register(name or f"Member {n}", fields.pop("email", None)
                                     or f"member{n}@example.gov", PASSWORD, role=role)
            for key, value in fields.items():
                setattr(user, key, value)
            db.session.commit()
            return user

    def forum(self, title: str = "Miscellaneous", category: str = "Discussion",
              slug: str | None = None) -> Forum:
        with self.app.app_context():
            cat = Category(title=category)
            db.session.add(cat)
            db.session.flush()
            forum = board.create_forum(cat, title, f"Talk about {title.lower()}.", slug=slug)
            db.session.commit()
            return forum

    def topic(self, author: User | None = None, forum: Forum | None = None,
              title: str = "How do you handle difficult callers?", body: str = "Opening post.",
              replies: int = 0, repliers: list[User] | None = None) -> Topic:
        author = author or self.user()
        forum = forum or self.forum(slug=f"forum-{next(_numbers)}")
        with self.app.app_context():
            actor = db.session.get(User, author.id)
            topic = board.create_topic(actor, db.session.get(Forum, forum.id), title, body)
            people = [db.session.get(User, u.id) for u in (repliers or [actor])]
            for i in range(replies):
                board.post_reply(people[i % len(people)], topic, f"Reply number {i + 1}.")
            db.session.commit()
            return db.session.get(Topic, topic.id)

    def long_topic(self, replies: int, forum: Forum | None = None) -> Topic:
        """A topic with many replies, inserted in bulk, counters set as the services would."""
        author, other = self.user(), self.user()
        topic = self.topic(author=author, forum=forum, title=f"A long topic of {replies} replies")
        with self.app.app_context():
            start = clock.now() - timedelta(days=replies)
            html = markup.render("A bulk reply.")
            rows = [dict(topic_id=topic.id, author_id=(author if i % 2 else other).id,
                         position=i + 2, body_source="A bulk reply.", body_html=html,
                         created_at=start + timedelta(minutes=i)) for i in range(replies)]
            db.session.execute(insert(Post), rows)
            last = db.session.query(Post).filter_by(topic_id=topic.id,
                                                    position=replies + 1).one()
            db.session.execute(update(Topic).where(Topic.id == topic.id).values(
                post_count=replies + 1, reply_count=replies, voice_count=2,
                last_post_id=last.id, last_post_at=last.created_at))
            db.session.execute(update(Forum).where(Forum.id == topic.forum_id).values(
                post_count=Forum.post_count + replies, last_post_id=last.id))
            db.session.commit()
            return db.session.get(Topic, topic.id)


@pytest.fixture
def make(app) -> Factory:
    return Factory(app)


@pytest.fixture
def login(client):
    """log in as a user through the real form: login(user) or login(user, client=other)."""
    def log_in(user: User, client=client):
        response = client.post("/login", data={"login": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.text
        return client
    return log_in

"""Board rules called directly: positions, counters, revisions, concurrency."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.board import services
from forum.board.models import Forum, Post, PostRevision, Topic
from forum.errors import Invalid, PermissionDenied
from forum.extensions import db


def _get(model, id_):
    return db.session.get(model, id_)


def _recounted(topic_id):
    visible = select(Post).where(Post.topic_id == topic_id, Post.hidden_at.is_(None)).subquery()
    replies = db.session.scalar(select(func.count()).select_from(visible)
                                .where(visible.c.position > 1))
    voices = db.session.scalar(select(func.count(func.distinct(visible.c.author_id))))
    return replies, voices


def test_counters_follow_replies_hides_and_restores(app, make):
    a, b = make.user(), make.user()
    topic = make.topic(author=a, replies=4, repliers=[a, b])
    with app.app_context():
        topic = _get(Topic, topic.id)
        assert (topic.reply_count, topic.voice_count, topic.post_count) == (4, 2, 5)
        assert _recounted(topic.id) == (4, 2)
        b_posts = db.session.scalars(select(Post).where(Post.topic_id == topic.id,
                                                        Post.author_id == b.id)).all()
        for post in b_posts:
            services.hide_post(_get(User, b.id), post, "mine")
        db.session.commit()
        topic = _get(Topic, topic.id)
        assert (topic.reply_count, topic.voice_count) == _recounted(topic.id) == (2, 1)
        forum = _get(Forum, topic.forum_id)
        assert forum.post_count == 3 and forum.topic_count == 1
        assert _get(User, b.id).reply_count == 0
        assert topic.last_post.author_id == a.id
        services.restore_post(_get(User, b.id), b_posts[-1])
        db.session.commit()
        topic = _get(Topic, topic.id)
        assert (topic.reply_count, topic.voice_count) == _recounted(topic.id) == (3, 2)


def test_every_version_is_kept(app, make):
    author = make.user()
    topic = make.topic(author=author, title="First title", body="one")
    with app.app_context():
        post = _get(Post, topic.first_post_id)
        assert services.edit_post(_get(User, author.id), post, "two", title="Second title")
        assert not services.edit_post(_get(User, author.id), post, "two", title="Second title")
        db.session.commit()
        rows = db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                                  .order_by(PostRevision.id)).all()
        assert [(r.body_source, r.title) for r in rows] == [("one", "First title"),
                                                           ("two", "Second title")]
        assert _get(Topic, topic.id).slug == "second-title"


def test_rules_refuse_bad_input_and_strangers(app, make):
    topic = make.topic()
    stranger = make.user()
    with app.app_context():
        topic = _get(Topic, topic.id)
        with pytest.raises(Invalid) as error:
            services.post_reply(_get(User, stranger.id), topic, "   ")
        assert error.value.field == "body"
        with pytest.raises(Invalid):
            services.create_topic(_get(User, stranger.id), topic.forum, "ab", "body")
        with pytest.raises(PermissionDenied):
            services.edit_post(_get(User, stranger.id), _get(Post, topic.first_post_id), "x")
        topic.locked = True
        with pytest.raises(PermissionDenied):
            services.post_reply(_get(User, stranger.id), topic, "hello")
        db.session.rollback()


def test_concurrent_replies_get_distinct_positions_and_exact_counters(app, make):
    writers = [make.user() for _ in range(8)]
    topic = make.topic()
    per_writer = 5
    errors: list[BaseException] = []
    start = threading.Barrier(len(writers))

    def write(user_id):
        try:
            start.wait()
            for i in range(per_writer):
                with app.app_context():
                    services.post_reply(_get(User, user_id), _get(Topic, topic.id), f"r{i}")
                    db.session.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w.id,)) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    total = len(writers) * per_writer
    with app.app_context():
        t = _get(Topic, topic.id)
        positions = db.session.scalars(select(Post.position).where(Post.topic_id == t.id)
                                       .order_by(Post.position)).all()
        assert positions == list(range(1, total + 2))
        assert (t.reply_count, t.post_count, t.voice_count) == (total, total + 1, 9)
        assert _get(Forum, t.forum_id).post_count == total + 1

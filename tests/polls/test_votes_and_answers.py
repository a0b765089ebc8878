"""Helpful-reply votes and accepted answers."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, update

from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Post, Topic, TopicKind
from forum.errors import PermissionDenied
from forum.extensions import db
from forum.polls import services
from forum.polls.models import PostVote


def _reply(app, topic, position=2):
    with app.app_context():
        return db.session.scalar(select(Post).where(Post.topic_id == topic.id,
                                                    Post.position == position))


def _question(make, app, replies=2):
    asker = make.user("Asker")
    forum = make.forum(slug="questions")
    topic = make.topic(author=asker, forum=forum, title="How do you measure satisfaction?",
                       replies=replies, repliers=[make.user("Answerer"), make.user("Other")])
    with app.app_context():
        db.session.execute(update(Topic).where(Topic.id == topic.id)
                           .values(kind=TopicKind.QUESTION))
        db.session.commit()
    return asker, topic


def test_mark_helpful_is_idempotent_and_counts_equal_rows(client, app, make, login):
    topic = make.topic(replies=1)
    reply = _reply(app, topic)
    login(make.user())
    for _ in range(2):
        client.post(f"/p/{reply.id}/helpful", data={"helpful": "1"})
    page = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert "1 member found this helpful" in page and 'aria-pressed="true"' in page
    for _ in range(2):
        client.post(f"/p/{reply.id}/helpful", data={"helpful": "0"})
    with app.app_context():
        assert db.session.get(Post, reply.id).vote_count == 0
        assert db.session.scalar(select(func.count(PostVote.id))) == 0


def test_no_helpful_vote_on_own_or_opening_posts(client, app, make, login):
    author = make.user()
    topic = make.topic(author=author, replies=1)  # the reply is the author's own too
    login(author)
    assert client.post(f"/p/{_reply(app, topic).id}/helpful",
                       data={"helpful": "1"}).status_code == 403
    client.post("/logout")
    login(make.user())
    assert client.post(f"/p/{topic.first_post_id}/helpful",
                       data={"helpful": "1"}).status_code == 403


def test_concurrent_double_clicks_count_once(app, make):
    topic = make.topic(replies=1)
    reply = _reply(app, topic)
    clickers = [make.user() for _ in range(10)]
    errors = []
    start = threading.Barrier(len(clickers) * 2)

    def click(user_id):
        try:
            start.wait(timeout=30)
            with app.app_context():
                services.set_helpful(db.session.get(User, user_id),
                                     db.session.get(Post, reply.id), True)
                db.session.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=click, args=(u.id,)) for u in clickers for _ in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors[:3]
    with app.app_context():
        rows = db.session.scalar(select(func.count(PostVote.id))
                                 .where(PostVote.post_id == reply.id))
        assert rows == db.session.get(Post, reply.id).vote_count == 10


def test_sort_by_helpfulness_keeps_opening_post_first(client, app, make):
    topic = make.topic(replies=3, repliers=[make.user(), make.user()])
    voters = [make.user() for _ in range(2)]
    with app.app_context():
        third = db.session.scalar(select(Post).where(Post.topic_id == topic.id,
                                                     Post.position == 4))
        for voter in voters:
            services.set_helpful(db.session.get(User, voter.id), third, True)
        db.session.commit()
    page = client.get(f"/t/{topic.id}-{topic.slug}?sort=helpful").text
    order = [page.index(text) for text in ("Opening post.", "Reply number 3.",
                                           "Reply number 1.", "Reply number 2.")]
    assert order == sorted(order)


def test_author_accepts_and_changes_answer(client, app, make, login):
    asker, topic = _question(make, app)
    first, second = _reply(app, topic, 2), _reply(app, topic, 3)
    login(asker)
    assert client.post(f"/p/{first.id}/accept").status_code == 302
    page = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert "Accepted answer" in page and "Answered" in page
    assert client.post(f"/p/{second.id}/accept").status_code == 302
    with app.app_context():
        assert db.session.get(Topic, topic.id).accepted_post_id == second.id
    listing = client.get("/f/questions").text
    assert "Answered" in listing
    assert topic.title not in client.get("/f/questions?show=unanswered").text


def test_only_author_or_moderator_accepts(client, app, make, login):
    asker, topic = _question(make, app)
    reply = _reply(app, topic)
    login(make.user())
    assert client.post(f"/p/{reply.id}/accept").status_code == 403
    client.post("/logout")
    login(make.user(role=Role.MODERATOR))
    assert client.post(f"/p/{reply.id}/accept").status_code == 302


def test_hidden_reply_cannot_be_accepted_and_hiding_clears_it(app, make):
    asker, topic = _question(make, app)
    reply = _reply(app, topic)
    with app.app_context():
        user = db.session.get(User, asker.id)
        post = db.session.get(Post, reply.id)
        services.accept_answer(user, post)
        board.hide_post(db.session.get(User, post.author_id), post, "withdrawn")
        db.session.commit()
        assert db.session.get(Topic, topic.id).accepted_post_id is None
        with pytest.raises(PermissionDenied):
            services.accept_answer(user, db.session.get(Post, reply.id))


def test_discussions_have_no_accepted_answers(client, app, make, login):
    author = make.user()
    topic = make.topic(author=author, replies=1)
    login(author)
    assert client.post(f"/p/{_reply(app, topic).id}/accept").status_code == 403


def test_unanswered_filter(client, app, make):
    asker, question = _question(make, app)
    with app.app_context():
        forum = db.session.get(Topic, question.id).forum
    make.topic(forum=forum, title="Just a chat")
    page = client.get("/f/questions?show=unanswered").text
    assert question.title in page and "Just a chat" not in page

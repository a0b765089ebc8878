"""Reports: once per member per post, automatic hiding at N reports, the queue."""
from __future__ import annotations

from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.board.models import Post, Topic
from forum.extensions import db
from forum.moderation.models import ModerationAction, Report


def _reply(app, topic, position=2):
    with app.app_context():
        return db.session.scalar(select(Post).where(Post.topic_id == topic.id,
                                                    Post.position == position))


def _report(app, reporter, post, reason="spam", details=""):
    client = app.test_client()
    from tests.factories import PASSWORD
    client.post("/login", data={"login": reporter.email, "password": PASSWORD})
    return client, client.post(f"/p/{post.id}/report", data={"reason": reason,
                                                             "details": details})


def _actions(app):
    with app.app_context():
        return [(a.action, a.reason) for a in
                db.session.scalars(select(ModerationAction).order_by(ModerationAction.id))]


def test_member_reports_once_and_not_their_own_post(app, make):
    author = make.user("Poster")
    topic = make.topic(replies=1, repliers=[author])
    reply = _reply(app, topic)
    reporter = make.user()
    client, response = _report(app, reporter, reply, "abusive", "Name-calling")
    assert response.status_code == 302
    again = client.post(f"/p/{reply.id}/report", data={"reason": "spam"}, follow_redirects=True)
    assert "You had already reported this post." in again.text
    with app.app_context():
        assert db.session.scalar(select(Report.details).where(Report.post_id == reply.id)) \
            == "Name-calling"
        assert len(db.session.scalars(select(Report)).all()) == 1
    own, response = _report(app, author, reply)
    assert response.status_code == 403


def test_report_form_needs_a_reason_and_keeps_details(app, make, client, login):
    topic = make.topic(replies=1, repliers=[make.user()])
    login(make.user())
    page = client.post(f"/p/{_reply(app, topic).id}/report",
                       data={"details": "Please look"}).text
    assert "Choose why you are reporting this post." in page and 'value="Please look"' in page


def test_three_reporters_hide_a_post_until_reviewed(app, make):
    author = make.user("Spammer")
    topic = make.topic(replies=1, repliers=[author])
    reply = _reply(app, topic)
    for _ in range(3):
        _report(app, make.user(), reply)
    with app.app_context():
        post = db.session.get(Post, reply.id)
        assert post.is_hidden and post.hidden_by_id is None
        assert db.session.get(Topic, topic.id).reply_count == 0
    visitor_page = app.test_client().get(f"/t/{topic.id}-{topic.slug}").text
    assert "This post has been hidden." in visitor_page and "Reply number 1." not in visitor_page
    assert _actions(app)[0][0] == "auto_hide_post"


def test_queue_groups_by_post_most_reported_first_and_moderator_resolves(app, make, client,
                                                                        login):
    topic = make.topic(replies=2, repliers=[make.user("Writer One"), make.user("Writer Two")])
    once, twice = _reply(app, topic, 2), _reply(app, topic, 3)
    _report(app, make.user(), once, "off_topic")
    for _ in range(2):
        _report(app, make.user(), twice, "abusive")
    moderator = make.user("Queue Mod", role=Role.MODERATOR)
    login(moderator)
    page = client.get("/moderation/queue").text
    assert page.index("2 reports on a post by Writer Two") < page.index(
        "1 report on a post by Writer One")
    assert client.post(f"/moderation/queue/{twice.id}",
                       data={"outcome": "hide", "reason": "Abuse"}).status_code == 302
    assert client.post(f"/moderation/queue/{once.id}",
                       data={"outcome": "dismiss"}).status_code == 302
    assert "There are no open reports." in client.get("/moderation/queue").text
    with app.app_context():
        assert db.session.get(Post, twice.id).is_hidden
        assert not db.session.get(Post, once.id).is_hidden
        outcomes = {r.post_id: (r.outcome, r.resolved_by_id) for r in
                    db.session.scalars(select(Report))}
    assert outcomes == {twice.id: ("hide", moderator.id), once.id: ("dismiss", moderator.id)}
    assert _actions(app) == [("hide_post", "Abuse"), ("dismiss_reports", None)]


def test_dismissing_restores_an_automatically_hidden_post(app, make, client, login):
    topic = make.topic(replies=1, repliers=[make.user()])
    reply = _reply(app, topic)
    for _ in range(3):
        _report(app, make.user(), reply)
    login(make.user(role=Role.MODERATOR))
    client.post(f"/moderation/queue/{reply.id}", data={"outcome": "dismiss",
                                                       "reason": "Not spam"})
    with app.app_context():
        assert not db.session.get(Post, reply.id).is_hidden
        assert db.session.get(Topic, topic.id).reply_count == 1
    assert [a for a, _ in _actions(app)] == ["auto_hide_post", "dismiss_reports"]


def test_suspended_member_cannot_report(app, make):
    from datetime import timedelta

    from forum import clock
    topic = make.topic(replies=1, repliers=[make.user()])
    suspended = make.user(suspended_until=clock.now() + timedelta(days=3))
    _, response = _report(app, suspended, _reply(app, topic))
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalars(select(Report)).all() == []
        assert db.session.get(User, suspended.id).is_suspended

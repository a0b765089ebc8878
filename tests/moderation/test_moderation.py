"""Moderator tools on topics and posts, and the append-only audit log."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Forum, Pin, Post, Topic, TopicStatus
from forum.extensions import db
from forum.moderation import services
from forum.moderation.models import AuditLogIsAppendOnly, ModerationAction


def _log(app):
    with app.app_context():
        return db.session.scalars(select(ModerationAction).order_by(ModerationAction.id)).all()


def _forum_counts(forum_id):
    forum = db.session.get(Forum, forum_id)
    db.session.refresh(forum)
    topics = db.session.scalars(select(Topic).where(
        Topic.forum_id == forum_id, Topic.status == TopicStatus.PUBLISHED)).all()
    recount = (len(topics), sum(t.reply_count + 1 for t in topics))
    return (forum.topic_count, forum.post_count), recount


@pytest.fixture
def moderator(make, client, login):
    mod = make.user("Mod Erator", role=Role.MODERATOR)
    login(mod)
    return mod


@pytest.mark.parametrize("action, data, check", [
    ("pin", {"pin": "2", "reason": "Important"},
     lambda t: t.pinned == Pin.GLOBAL),
    ("lock", {"reason": "Heated"}, lambda t: t.locked and t.lock_reason == "Heated"),
    ("rename", {"title": "A clearer title", "reason": "Clarity"},
     lambda t: t.title == "A clearer title" and t.slug == "a-clearer-title"),
    ("hide", {"reason": "Spam"}, lambda t: t.status == TopicStatus.HIDDEN),
])
def test_each_action_changes_the_topic_and_writes_one_audit_record(
        client, app, make, moderator, action, data, check):
    topic = make.topic(title="Original title")
    response = client.post(f"/t/{topic.id}/moderate/{action}", data=data)
    assert response.status_code == 302
    with app.app_context():
        assert check(db.session.get(Topic, topic.id))
    entries = _log(app)
    assert len(entries) == 1
    assert (entries[0].actor_id, entries[0].reason, entries[0].target_id) == (
        moderator.id, data["reason"], topic.id)
    assert entries[0].subject_user_id == topic.author_id


def test_move_keeps_both_forums_counters_equal_to_a_recount(client, app, make, moderator):
    source, target = make.forum("Source", slug="source"), make.forum("Target", slug="target")
    topic = make.topic(forum=source, replies=3)
    make.topic(forum=source, replies=1)
    make.topic(forum=target, replies=2)
    assert client.post(f"/t/{topic.id}/moderate/move",
                       data={"forum": target.id, "reason": "Wrong place"}).status_code == 302
    with app.app_context():
        for forum in (source, target):
            counted, recount = _forum_counts(forum.id)
            assert counted == recount
        assert _forum_counts(target.id)[0] == (2, 7)
    assert _log(app)[0].before == {"forum": "Source"} and _log(app)[0].after == {"forum": "Target"}


def test_hide_and_restore_topic_keep_counters_and_visibility(client, app, make, moderator):
    forum = make.forum(slug="misc")
    topic = make.topic(forum=forum, replies=2, title="To be hidden")
    client.post(f"/t/{topic.id}/moderate/hide", data={"reason": "Off topic"})
    visitor = app.test_client()
    assert visitor.get(f"/t/{topic.id}-{topic.slug}").status_code == 404
    assert "To be hidden" not in visitor.get("/f/misc").text
    assert client.get(f"/t/{topic.id}-{topic.slug}").status_code == 200  # moderators see it
    with app.app_context():
        assert _forum_counts(forum.id) == ((0, 0), (0, 0))
    client.post(f"/t/{topic.id}/moderate/restore", data={"reason": "Appeal upheld"})
    with app.app_context():
        assert _forum_counts(forum.id) == ((1, 3), (1, 3))
    assert [e.action for e in _log(app)] == ["hide_topic", "restore_topic"]


def test_locked_topic_shows_why_and_refuses_replies(client, app, make, moderator, login):
    topic = make.topic()
    client.post(f"/t/{topic.id}/moderate/lock", data={"reason": "Resolved elsewhere"})
    member = login(make.user(), client=app.test_client())
    page = member.get(f"/t/{topic.id}-{topic.slug}").text
    assert "This topic is locked" in page and "Resolved elsewhere" in page
    assert 'name="body"' not in page
    assert member.post(f"/t/{topic.id}/reply", data={"body": "Sneaky"}).status_code == 403


def test_moderator_hiding_a_post_is_logged_authors_own_hiding_is_not(app, make):
    author = make.user()
    mod = make.user(role=Role.MODERATOR)
    topic = make.topic(author=author, replies=2)
    with app.app_context():
        first, second = db.session.scalars(select(Post).where(
            Post.topic_id == topic.id, Post.position > 1).order_by(Post.position)).all()
        board.hide_post(db.session.get(User, author.id), first, "my mistake")
        board.hide_post(db.session.get(User, mod.id), second, "abusive")
        board.restore_post(db.session.get(User, mod.id), second)
        db.session.commit()
    assert [(e.action, e.reason, e.actor_id) for e in _log(app)] == [
        ("hide_post", "abusive", mod.id), ("restore_post", None, mod.id)]


def test_audit_log_cannot_be_changed(app, make):
    topic = make.topic()
    mod = make.user(role=Role.MODERATOR)
    with app.app_context():
        services.lock_topic(db.session.get(User, mod.id), db.session.get(Topic, topic.id), True,
                            "x")
        db.session.commit()
        entry = db.session.scalar(select(ModerationAction))
        entry.reason = "rewritten"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalar(select(ModerationAction)))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(func.count(ModerationAction.id))) == 1


def test_log_page_filters_and_csv(client, app, make, moderator):
    alice, bob = make.user("Alice Author"), make.user("Bob Author")
    t1, t2 = make.topic(author=alice, title="Alice's topic"), make.topic(author=bob)
    client.post(f"/t/{t1.id}/moderate/lock", data={"reason": "for Alice"})
    client.post(f"/t/{t2.id}/moderate/pin", data={"pin": "1", "reason": "for Bob"})
    page = client.get("/moderation/log").text
    assert "for Alice" in page and "for Bob" in page and "locked: no &rarr; yes" in page
    assert 'href="/moderation/review"' in client.get("/").text  # linked in the header
    page = client.get("/moderation/log?member=Alice Author").text
    assert "for Alice" in page and "for Bob" not in page
    page = client.get("/moderation/log?action=pin").text
    assert "for Bob" in page and "for Alice" not in page
    assert "No actions match." in client.get("/moderation/log?actor=Nobody Here").text
    rows = list(csv.reader(io.StringIO(client.get("/moderation/log.csv?member=Bob Author").text)))
    assert rows[0][:3] == ["when", "moderator", "action"] and len(rows) == 2
    assert rows[1][1:3] == ["Mod Erator", "pin"]
    assert rows[1][rows[0].index("reason")] == "for Bob"


def test_profile_shows_moderators_the_members_history(client, app, make, moderator):
    member = make.user("Watched Member")
    topic = make.topic(author=member)
    client.post(f"/t/{topic.id}/moderate/lock", data={"reason": "Repeated spam"})
    assert "Repeated spam" in client.get("/u/Watched Member").text
    assert "Moderation history" not in app.test_client().get("/u/Watched Member").text

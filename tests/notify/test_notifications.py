"""Who is notified of what: followers, mentions, accepted answers, moderation; never about
one's own action, never about content that is not public, once per post."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forum import clock
from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Forum, Post, Topic, TopicStatus
from forum.extensions import db
from forum.moderation import services as moderation
from forum.notify import services as notify
from forum.notify.models import EmailMode, Notification, Subscription
from forum.outbox import OutboxEmail
from forum.polls import services as polls


def _get(model, obj):
    return db.session.get(model, obj.id)


def notes(user) -> list[tuple[str, int | None]]:
    return [(n.kind, n.post_id) for n in db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))]


@pytest.fixture
def people(make):
    return {name: make.user(name, email_verified_at=clock.now())
            for name in ("Ann Lee", "Bob", "Cy Young", "Ann")}


def test_a_reply_notifies_followers_but_not_its_author(ctx, make, people):
    ann, bob, cy = people["Ann Lee"], people["Bob"], people["Cy Young"]
    topic = make.topic(author=ann)
    with_topic = _get(Topic, topic)
    board.post_reply(_get(User, bob), with_topic, "I agree.")   # Bob now follows it too
    reply = board.post_reply(_get(User, cy), with_topic, "Me too.")
    db.session.commit()
    assert notes(ann) == [("reply", reply.id - 1), ("reply", reply.id)]
    assert notes(bob) == [("reply", reply.id)]
    assert notes(cy) == []  # never about one's own post
    # Each new notification queued one e-mail (mode "each" is the default).
    assert db.session.scalar(select(OutboxEmail.to_address).where(
        OutboxEmail.user_id == bob.id)) == bob.email


def test_following_is_optional_and_stopping_is_remembered(ctx, make, people):
    ann, bob, cy = people["Ann Lee"], people["Bob"], people["Cy Young"]
    topic = _get(Topic, make.topic(author=ann))
    notify.save_settings(_get(User, bob), email_mode=EmailMode.OFF, auto_subscribe=False)
    first = board.post_reply(_get(User, bob), topic, "A reply without following.")
    notify.unsubscribe_topic(_get(User, ann), topic)
    board.post_reply(_get(User, ann), topic, "Replying again does not follow it again.")
    board.post_reply(_get(User, cy), topic, "Anyone here?")
    db.session.commit()
    assert notes(ann) == [("reply", first.id)] and notes(bob) == []
    assert not notify.is_subscribed(_get(User, ann), topic)
    notify.subscribe_topic(_get(User, bob), topic)
    reply = board.post_reply(_get(User, cy), topic, "Now Bob hears about this.")
    assert notes(bob) == [("reply", reply.id)]
    # Bob chose no e-mails.
    assert db.session.scalar(select(OutboxEmail.id).where(OutboxEmail.user_id == bob.id)) is None


def test_mentions_match_display_names_with_spaces_case_insensitively(ctx, make, people):
    ann_lee, ann, bob = people["Ann Lee"], people["Ann"], people["Bob"]
    topic = _get(Topic, make.topic(author=bob))
    post = board.post_reply(_get(User, bob), topic,
                            "Thanks @ann lee, and @ANN! Not `@Cy Young` in code, "
                            "nor cy@example.gov. Myself: @Bob")
    db.session.commit()
    assert notes(ann_lee) == [("mention", post.id)]
    assert notes(ann) == [("mention", post.id)]
    assert notes(people["Cy Young"]) == []
    assert notes(bob) == []  # mentioning oneself tells nobody
    assert notify.mentioned_users("@Nobody here") == []


def test_a_mention_of_a_follower_makes_one_notification(ctx, make, people):
    ann, bob = people["Ann Lee"], people["Bob"]
    topic = _get(Topic, make.topic(author=ann))
    post = board.post_reply(_get(User, bob), topic, "What do you think, @Ann Lee?")
    db.session.commit()
    assert notes(ann) == [("mention", post.id)]
    assert db.session.query(OutboxEmail).filter_by(user_id=ann.id).count() == 1


def test_hidden_posts_tell_nobody_until_shown_and_then_once(ctx, make, people):
    ann, bob, mod = people["Ann Lee"], people["Bob"], make.user(role=Role.MODERATOR)
    topic = _get(Topic, make.topic(author=ann))
    post = board.post_reply(_get(User, bob), topic, "Spam? @Cy Young")
    db.session.commit()
    assert notes(ann) == [("reply", post.id)]
    # Held back posts: hide it, then another reply's notification is not about it.
    db.session.execute(update(Notification).values(read_at=clock.now()))
    board.hide_post(_get(User, mod), _get(Post, post), "check")
    board.restore_post(_get(User, mod), _get(Post, post))
    db.session.commit()
    assert notes(ann) == [("reply", post.id)]  # still once
    kinds = [kind for kind, _ in notes(bob)]
    assert kinds == ["moderation", "moderation"]  # hid your post, restored your post
    texts = db.session.scalars(select(Notification.text).where(
        Notification.user_id == bob.id).order_by(Notification.id)).all()
    assert texts[0].startswith("A moderator hid your post") and "check" in texts[0]


def test_a_post_hidden_from_the_start_is_announced_when_it_becomes_public(
        ctx, make, people, monkeypatch):
    ann, bob, mod = people["Ann Lee"], people["Bob"], make.user(role=Role.MODERATOR)
    topic = _get(Topic, make.topic(author=ann))
    # As an approval queue does: the post exists but is not public when created.
    monkeypatch.setattr(Post, "is_public", property(lambda post: False))
    post = board.post_reply(_get(User, bob), topic, "Waiting for approval")
    assert notes(ann) == []
    monkeypatch.undo()
    board.hide_post(_get(User, mod), _get(Post, post), "held")
    board.restore_post(_get(User, mod), _get(Post, post))
    assert notes(ann) == [("reply", post.id)]


def test_unpublished_topics_tell_nobody(ctx, make, people):
    ann, bob = people["Ann Lee"], people["Bob"]
    topic = _get(Topic, make.topic(author=ann))
    notify.subscribe_topic(_get(User, bob), topic)
    db.session.execute(update(Notification).values(read_at=clock.now()))
    reply = board.post_reply(_get(User, ann), topic, "Written, then the topic is scheduled.")
    db.session.execute(Notification.__table__.delete())
    db.session.execute(update(Topic).where(Topic.id == topic.id).values(
        status=TopicStatus.SCHEDULED, publish_at=clock.now() + timedelta(days=1)))
    db.session.expire_all()
    notify.notify_about_post(_get(Post, reply))
    notify.notify(bob.id, "reply", actor_id=ann.id, post_id=reply.id)
    assert notes(bob) == []


def test_forum_followers_hear_of_new_topics(ctx, make, people):
    ann, bob = people["Ann Lee"], people["Bob"]
    forum = make.forum(slug="followed")
    notify.subscribe_forum(_get(User, bob), _get(Forum, forum))
    topic = board.create_topic(_get(User, ann), _get(Forum, forum), "New here", "Hello all.")
    assert notes(bob) == [("topic", topic.first_post_id)]
    notify.unsubscribe_forum(_get(User, bob), _get(Forum, forum))
    board.create_topic(_get(User, ann), _get(Forum, forum), "Another", "Hello again.")
    assert len(notes(bob)) == 1


def test_accepted_answers_and_moderation_and_reports(ctx, make, people):
    ann, bob, mod = people["Ann Lee"], people["Bob"], make.user(role=Role.MODERATOR)
    topic = _get(Topic, make.topic(author=ann))
    db.session.execute(update(Topic).where(Topic.id == topic.id).values(kind="question"))
    db.session.expire_all()
    reply = board.post_reply(_get(User, bob), _get(Topic, topic), "Try this.")
    polls.accept_answer(_get(User, ann), reply)
    assert ("answer_accepted", reply.id) in notes(bob)
    own = board.post_reply(_get(User, ann), _get(Topic, topic), "Answering myself.")
    polls.accept_answer(_get(User, ann), own)
    assert ("answer_accepted", own.id) not in notes(ann)  # not about one's own action
    moderation.lock_topic(_get(User, mod), _get(Topic, topic), True, "Solved")
    assert ("moderation", None) in notes(ann)
    # The moderation feature calls notify() for reporters.
    notify.notify(bob.id, "report_resolved", actor_id=mod.id, post_id=reply.id,
                  text="Moderators looked at the post you reported.")
    assert ("report_resolved", reply.id) in notes(bob)
    notify.notify(mod.id, "moderation", actor_id=mod.id, text="Own action")
    assert notes(mod) == []
    with pytest.raises(ValueError):
        notify.notify(bob.id, "no such kind")


def test_nobody_is_told_about_a_topic_they_cannot_view(ctx, make, people):
    ann, bob, mod = people["Ann Lee"], people["Bob"], make.user(role=Role.MODERATOR)
    topic = _get(Topic, make.topic(author=ann))
    board.post_reply(_get(User, bob), topic, "Hello.")
    moderation.hide_topic(_get(User, mod), _get(Topic, topic), "Off topic")
    before = notes(bob)
    notify.notify(bob.id, "reply", actor_id=ann.id, topic_id=topic.id,
                  post_id=topic.first_post_id)
    assert notes(bob) == before


def test_mark_read_one_and_all(ctx, make, people):
    ann, bob = people["Ann Lee"], people["Bob"]
    topic = _get(Topic, make.topic(author=ann))
    for i in range(3):
        board.post_reply(_get(User, bob), topic, f"Reply {i}")
    first = db.session.scalars(select(Notification).where(
        Notification.user_id == ann.id)).first()
    assert notify.unread_count(_get(User, ann)) == 3
    notify.mark_read(_get(User, ann), first)
    assert notify.unread_count(_get(User, ann)) == 2
    from forum.errors import PermissionDenied
    with pytest.raises(PermissionDenied):
        notify.mark_read(_get(User, bob), first)
    assert notify.mark_all_read(_get(User, ann)) == 2
    assert notify.unread_count(_get(User, ann)) == 0
    assert notify.unread_count(None) == 0


def test_unread_count_is_capped(ctx, make, people):
    ann = people["Ann Lee"]
    db.session.add_all(Notification(user_id=ann.id, kind="moderation", text=str(i))
                       for i in range(120))
    db.session.flush()
    assert notify.unread_count(_get(User, ann)) == 100  # shown as "99+"


def test_subscriptions_are_unique_per_member_and_topic(ctx, make, people):
    ann = people["Ann Lee"]
    topic = _get(Topic, make.topic(author=ann))
    for _ in range(3):
        notify.subscribe_topic(_get(User, ann), topic)
        notify.auto_subscribe(ann.id, topic.id)
    assert db.session.query(Subscription).filter_by(user_id=ann.id).count() == 1

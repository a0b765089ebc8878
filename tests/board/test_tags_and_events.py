"""Topic tags, and the signals the board sends for other features to follow."""
from __future__ import annotations

import pytest

from forum import events
from forum.accounts.models import User
from forum.board import services
from forum.board.models import Tag, Topic
from forum.errors import Invalid
from forum.extensions import db


def test_tag_names_are_trimmed_and_deduplicated():
    assert services.tag_names(" customer  service, Policy ,, customer service,") == [
        "customer service", "Policy"]
    with pytest.raises(Invalid):
        services.tag_names("x" * 51)


def test_set_tags_reuses_existing_tags_and_replaces_the_set(app, make):
    first, second = make.topic(), make.topic()
    with app.app_context():
        one, two = db.session.get(Topic, first.id), db.session.get(Topic, second.id)
        services.set_tags(one, ["customer service", "policy"])
        services.set_tags(two, ["Customer Service"])
        db.session.commit()
        assert db.session.query(Tag).count() == 2
        assert [t.slug for t in db.session.get(Topic, first.id).tags] == [
            "customer-service", "policy"]
        services.set_tags(one, ["policy"])
        db.session.commit()
        assert [t.name for t in db.session.get(Topic, first.id).tags] == ["policy"]
        services.set_tags(one, [])
        db.session.commit()
        assert db.session.get(Topic, first.id).tags == []


def test_writes_send_their_signals(app, make):
    author, other = make.user(), make.user()
    topic = make.topic(author=author)
    seen = []
    receivers = {
        events.post_created: lambda post: seen.append(("created", post.position)),
        events.post_edited: lambda post: seen.append(("edited", post.position)),
        events.post_visibility_changed:
            lambda post, hidden: seen.append(("hidden" if hidden else "restored",
                                              post.position)),
    }
    for signal, receiver in receivers.items():
        signal.connect(receiver)
    try:
        with app.app_context():
            writer = db.session.get(User, other.id)
            reply = services.post_reply(writer, db.session.get(Topic, topic.id), "A reply")
            services.edit_post(writer, reply, "A better reply")
            services.edit_post(writer, reply, "A better reply")  # no change: no signal
            services.hide_post(writer, reply, "mine")
            services.restore_post(writer, reply)
            db.session.commit()
    finally:
        for signal, receiver in receivers.items():
            signal.disconnect(receiver)
    assert seen == [("created", 2), ("edited", 2), ("hidden", 2), ("restored", 2)]

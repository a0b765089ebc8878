"""A member's page of notifications is kept (notify.queries.kept_page): seen again it asks
the database nothing, and it still follows every change of what it shows: a new
notification, one read (by its button, by "Mark all", by reading the topic), a topic hidden
or renamed, a post hidden, the member's own groups; and it is only ever theirs."""
from __future__ import annotations

import re

import pytest

from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Post, Topic
from forum.extensions import db
from forum.moderation import services as moderation
from forum.notify import services as notify
from tests.test_csrf import _log_in

pytestmark = pytest.mark.usefixtures("start_of_a_window")

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def world(app, make, login, client):
    ann, bob, cy = make.user("Ann"), make.user("Bob"), make.user("Cy")
    moderator = make.user("Mo", role=Role.MODERATOR)
    # Bob follows Cy's topic: what is done to the topic, its opening post and Ann's reply
    # below tells Cy and Ann, not Bob (nothing new in Bob's own notifications).
    topic = make.topic(author=cy, title="Where do forms go to die")
    with app.app_context():
        notify.subscribe_topic(db.session.get(User, bob.id), db.session.get(Topic, topic.id))
        reply = board.post_reply(db.session.get(User, ann.id), db.session.get(Topic, topic.id),
                                 "Into a drawer, mostly.")
        db.session.commit()
        reply_id = reply.id
    login(bob)
    client.get("/")  # spends the log-in's flash message
    return {"ann": ann, "bob": bob, "cy": cy, "moderator": moderator, "topic": topic,
            "reply_id": reply_id}


def _in(app, work) -> None:
    with app.app_context():
        work()
        db.session.commit()


def _get(model, obj):
    return db.session.get(model, obj if isinstance(obj, int) else obj.id)


def test_the_page_seen_again_asks_nothing(client, world, count_queries):
    first = client.get("/notifications").text
    assert "Where do forms go to die" in first
    with count_queries() as counter:
        again = client.get("/notifications").text
    assert counter.count == 0
    assert again == first


def test_a_new_notification_shows_at_once(app, client, world):
    assert "Second thoughts" not in client.get("/notifications").text
    _in(app, lambda: notify.notify(world["bob"].id, "moderation", topic_id=world["topic"].id,
                                   text="Second thoughts."))
    assert "Second thoughts" in client.get("/notifications").text


def _unread(client) -> int:
    return client.get("/notifications").text.count('class="notification unread"')


def test_read_marks_show_at_once(app, client, world):
    assert _unread(client) == _unread(client) == 1
    notification = re.search(r'action="/notifications/(\d+)/read"',
                             client.get("/notifications").text).group(1)
    client.post(f"/notifications/{notification}/read")
    assert _unread(client) == 0
    _in(app, lambda: notify.notify(world["bob"].id, "moderation", text="One more."))
    assert _unread(client) == 1
    client.post("/notifications/read")
    assert _unread(client) == 0
    _in(app, lambda: board.post_reply(_get(User, world["ann"]), _get(Topic, world["topic"]),
                                      "And another thing."))
    assert _unread(client) == 1
    topic = world["topic"]
    client.get(f"/t/{topic.id}-{topic.slug}")  # reading the topic marks it read
    assert _unread(client) == 0


def test_a_hidden_topic_is_no_longer_named(app, client, world):
    assert "Where do forms go to die" in client.get("/notifications").text
    _in(app, lambda: moderation.hide_topic(_get(User, world["moderator"]),
                                           _get(Topic, world["topic"]), "Off topic"))
    page = client.get("/notifications").text
    assert "Where do forms go to die" not in page
    assert "a topic that is no longer available" in page


def test_a_renamed_topic_shows_its_new_title(app, client, world):
    client.get("/notifications")
    _in(app, lambda: moderation.rename_topic(_get(User, world["moderator"]),
                                             _get(Topic, world["topic"]), "Where forms live"))
    assert "Where forms live" in client.get("/notifications").text


def test_an_opening_post_edit_shows_the_new_title(app, client, world):
    client.get("/notifications")
    topic = world["topic"]

    def edit():
        opening = _get(Topic, topic).first_post_id
        board.edit_post(_get(User, world["cy"]), _get(Post, opening), "Edited.",
                        title="Forms, revisited")
    _in(app, edit)
    assert "Forms, revisited" in client.get("/notifications").text


def test_a_hidden_post_is_no_longer_linked(app, client, world):
    permalink = f'href="/p/{world["reply_id"]}"'
    assert permalink in client.get("/notifications").text
    _in(app, lambda: board.hide_post(_get(User, world["moderator"]),
                                     _get(Post, world["reply_id"]), "Spam"))
    page = client.get("/notifications").text
    assert permalink not in page
    assert "Where do forms go to die" in page  # the topic still is


def test_each_session_gets_its_own_token_and_no_one_else_the_list(csrf_app, make):
    bob, ann = make.user("Bob"), make.user("Ann")
    topic = make.topic(author=bob, title="Counting forms")
    with csrf_app.app_context():
        notify.notify(bob.id, "moderation", topic_id=topic.id, text="Look here.")
        notify.notify(ann.id, "moderation", text="Ann's own note.")  # one write each
        db.session.commit()
    first, second, other = (csrf_app.test_client() for _ in range(3))
    _log_in(first, bob)
    _log_in(second, bob)
    _log_in(other, ann)
    pages = [first.get("/notifications").text, second.get("/notifications").text]
    tokens = [TOKEN.findall(page) for page in pages]
    assert all(tokens) and set(tokens[0]).isdisjoint(tokens[1])
    assert "<!--csrf-->" not in pages[0] + pages[1]
    assert [len(set(found)) for found in tokens] == [1, 1]  # one token a page, its own
    # the second session's kept page carries a token its own forms are accepted with
    answer = second.post("/notifications/read", data={"csrf_token": tokens[1][0]})
    assert answer.status_code == 302
    page = other.get("/notifications").text
    assert "Ann&#39;s own note." in page and "Counting forms" not in page

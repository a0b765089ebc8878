"""A member's "Unread" badges on the home page, Latest and a forum's page are kept beside
the kept listing (notify.queries.kept_unread), and so is whether they follow the forum: a
page seen again asks the database nothing, and the badges still follow every change of what
the member has read and of what there is to read, and the button what they follow."""
from __future__ import annotations

from datetime import timedelta

import pytest

from forum import clock
from forum.accounts.models import User
from forum.board import services as board
from forum.board.models import Topic
from forum.extensions import db

pytestmark = pytest.mark.usefixtures("start_of_a_window")

BADGE = 'unread-badge">Unread'
PAGES = ("/", "/latest", "/f/kept")
ALL = dict.fromkeys(PAGES, True)
NONE = dict.fromkeys(PAGES, False)


@pytest.fixture
def world(app, make, login, client):
    ann, bob, cleo = make.user("Ann"), make.user("Bob"), make.user("Cleo")
    forum = make.forum(slug="kept")
    topic = make.topic(author=ann, forum=forum, title="A kept topic")
    login(bob)
    return {"ann": ann, "cleo": cleo, "topic": topic, "url": f"/t/{topic.id}-{topic.slug}"}


def _reply(app, user, topic):
    with app.app_context():
        board.post_reply(db.session.get(User, user.id), db.session.get(Topic, topic.id),
                         "More news.")
        db.session.commit()


def _badges(client) -> dict[str, bool]:
    return {path: BADGE in client.get(path).text for path in PAGES}


@pytest.mark.parametrize("path", PAGES)
def test_a_page_seen_again_asks_nothing_more_than_a_visitors(app, client, world,
                                                             count_queries, path):
    visitor = app.test_client()
    visitor.get(path)
    with count_queries() as counted:
        visitor.get(path)
    client.get(path)  # spends the log-in's flash message
    first = client.get(path).text
    assert BADGE in first
    with count_queries() as counter:
        again = client.get(path).text
    assert counter.count == counted.count  # 0; 1 for the forum page (the forum's row)
    assert again == first


def test_the_kept_follow_state_follows_the_member(client, world):
    def button() -> str:
        page = client.get("/f/kept").text
        return "Stop following" if "Stop following this forum" in page else "Follow"
    assert button() == button() == "Follow"
    client.post("/f/kept/follow")
    assert button() == button() == "Stop following"
    client.post("/f/kept/unfollow")
    assert button() == "Follow"


def test_the_kept_badges_follow_reading_and_new_posts(app, client, world):
    assert _badges(client) == ALL
    assert _badges(client) == ALL  # kept now
    client.get(world["url"])  # Bob reads the topic
    assert _badges(client) == NONE
    _reply(app, world["ann"], world["topic"])  # something new to read
    assert _badges(client) == ALL
    client.post("/f/kept/mark-read")
    assert _badges(client) == NONE
    clock.advance(timedelta(seconds=2))
    _reply(app, world["ann"], world["topic"])
    assert _badges(client) == ALL
    client.post("/mark-all-read")
    assert _badges(client) == NONE


def test_each_member_has_their_own_badges(app, client, world, login):
    client.get(world["url"])  # Bob has read everything
    assert _badges(client) == NONE
    client.post("/logout")
    login(world["cleo"])  # Cleo, who joined with him, has not
    assert _badges(client) == ALL

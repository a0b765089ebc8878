"""A member's helpful marks on a topic page are kept beside the kept post list
(polls.services.kept_helpful): a page whose replies someone found helpful, seen again, asks
the database no more for a member than for a visitor, and the marks still follow every
vote, the member's own and no one else's."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.accounts.models import User
from forum.board.models import Post
from forum.extensions import db
from forum.polls import services

pytestmark = pytest.mark.usefixtures("start_of_a_window")

PRESSED = 'aria-pressed="true"'
VIEWS = re.compile(r"\d+ views?")


@pytest.fixture
def world(app, make, login):
    ann, bob, cleo = make.user("Ann"), make.user("Bob"), make.user("Cleo")
    topic = make.topic(author=ann, title="A helpful topic", replies=2, repliers=[ann])
    with app.app_context():
        replies = db.session.scalars(select(Post).where(
            Post.topic_id == topic.id, Post.position > 1).order_by(Post.position)).all()
        services.set_helpful(db.session.get(User, cleo.id), replies[0], True)
        db.session.commit()
        reply_ids = [reply.id for reply in replies]
    login(bob)
    return {"cleo": cleo, "url": f"/t/{topic.id}-{topic.slug}", "replies": reply_ids}


def test_a_page_seen_again_asks_nothing_more_than_a_visitors(app, client, world,
                                                             count_queries):
    visitor = app.test_client()
    visitor.get(world["url"])
    with count_queries() as counted:
        visitor.get(world["url"])
    client.get(world["url"])  # spends the log-in's flash message
    first = client.get(world["url"]).text
    with count_queries() as counter:
        again = client.get(world["url"]).text
    assert counter.count == counted.count == 1  # the topic's row and facts
    assert VIEWS.sub("", again) == VIEWS.sub("", first)  # but for the views counted


def test_the_kept_marks_follow_the_members_votes(client, world):
    def pressed() -> int:
        return client.get(world["url"]).text.count(PRESSED)
    assert pressed() == pressed() == 0  # Cleo's mark is not Bob's
    first, second = world["replies"]
    client.post(f"/p/{first}/helpful", data={"helpful": "1"})
    assert pressed() == pressed() == 1
    client.post(f"/p/{second}/helpful", data={"helpful": "1"})
    assert pressed() == pressed() == 2
    client.post(f"/p/{first}/helpful", data={"helpful": "0"})
    client.post(f"/p/{second}/helpful", data={"helpful": "0"})
    assert pressed() == pressed() == 0


def test_each_member_has_their_own_marks(client, world, login):
    assert PRESSED not in client.get(world["url"]).text  # kept for Bob
    client.post("/logout")
    login(world["cleo"])
    assert client.get(world["url"]).text.count(PRESSED) == 1

"""The pages people read most run statements built once per process with bound parameters:
after a first request, reading them again builds no `select()`. Building a statement (its
joins, subqueries and conditions as SQLAlchemy objects, then its cache key) cost 0.1-0.5 ms
each, a tenth of some pages (issue 15). Counted, never timed.

Nor do they when the page's kept fragments are made afresh: after a write, when their
window turns, and for the many pages read too seldom to be kept at all. There the statements
built for each render were the largest part of SQLAlchemy's share (30%) of a topic page."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.sql.selectable import Select

from forum import clock
from forum.accounts.models import User
from forum.board import services as board
from forum.board.models import Topic
from forum.extensions import db
from forum.notify import services as notify
from forum.polls import services as polls

PAGES = ["/", "/latest", "/f/{forum}", "/t/{topic}", "/t/{topic}?page=2", "/u/{author}",
         "/notifications", "/settings"]


@pytest.fixture
def world(app, make, login, client):
    reader, author = make.user("Reader Person"), make.user("Author Person")
    forum = make.forum(slug="reading")
    topic = make.topic(author=author, forum=forum, title="Built once")
    with app.app_context():
        for i in range(30):
            reply = board.post_reply(db.session.get(User, author.id),
                                     db.session.get(Topic, topic.id), f"Reply {i}")
        polls.set_helpful(db.session.get(User, reader.id), reply, True)
        notify.notify(reader.id, "moderation", actor_id=author.id, topic_id=topic.id,
                      text="A note.")
        db.session.commit()
        slug = db.session.get(Topic, topic.id).slug
    login(reader)
    return {"forum": "reading", "topic": f"{topic.id}-{slug}", "author": "Author Person"}


def _selects_built(monkeypatch, client, path: str) -> int:
    built = []
    original = Select.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)
    monkeypatch.setattr(Select, "__init__", counting)
    try:
        assert client.get(path).status_code == 200, path
    finally:
        monkeypatch.setattr(Select, "__init__", original)
    return len(built)


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_reading_a_page_again_builds_no_statement(app, client, world, monkeypatch, who):
    clock.freeze()  # kept fragments serve within a 30-second window: none may turn here
    reader = client if who == "member" else app.test_client()
    built = {}
    for pattern in PAGES:
        if who == "visitor" and pattern in ("/notifications", "/settings"):
            continue
        path = pattern.format(**world)
        for _ in range(2):  # the first request may build; kept fragments are made
            assert reader.get(path).status_code == 200, path
        built[path] = _selects_built(monkeypatch, reader, path)
    assert built == dict.fromkeys(built, 0), built


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_rendering_a_page_afresh_builds_no_statement(app, client, world, monkeypatch, who):
    clock.freeze()
    reader = client if who == "member" else app.test_client()
    paths = [pattern.format(**world) for pattern in PAGES
             if who == "member" or pattern not in ("/notifications", "/settings")]
    for path in paths:  # every statement the pages use is built once here
        assert reader.get(path).status_code == 200, path
    # the kept fragments' window turns: every page renders its lists again
    clock.advance(timedelta(seconds=app.config["POST_LIST_CACHE_SECONDS"] + 1))
    built = {path: _selects_built(monkeypatch, reader, path) for path in paths}
    assert built == dict.fromkeys(built, 0), built

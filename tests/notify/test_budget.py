"""/notifications and the unread marks cost a fixed number of queries as data grows."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from forum.accounts.models import User
from forum.board import services as board
from forum.board.models import Topic
from forum.extensions import db
from forum.notify import services as notify
from forum.notify.models import Notification

BUDGET = 7  # the most a page here runs; was 12


# A kept fragment's 30-second window turning between two counts would add the statements of
# a render to one of them: the clock stands still (conftest.still_clock).
pytestmark = pytest.mark.usefixtures("still_clock")


def _queries(client, count_queries, url):
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


def _build(app, make, login, client, replies: int):
    from tests.conftest import _clean
    _clean(app)
    client.post("/logout")
    reader, writer = make.user(), make.user()
    forum = make.forum(slug="budget")
    topics = [make.topic(author=reader, forum=forum, title=f"Topic {i}") for i in range(3)]
    with app.app_context():
        for i in range(replies):
            topic = db.session.get(Topic, topics[i % 3].id)
            text = f"Reply {i}" + (" @" + reader.display_name if i % 4 == 0 else "")
            board.post_reply(db.session.get(User, writer.id), topic, text)
        notify.notify(reader.id, "moderation", actor_id=writer.id, topic_id=topics[0].id,
                      text="A moderator locked your topic.")
        # Half of them read, so both kinds show.
        db.session.execute(update(Notification).where(Notification.id % 2 == 0)
                           .values(read_at=db.func.current_timestamp()))
        db.session.commit()
    login(reader)
    return topics


def test_notifications_index_and_forum_pages_cost_the_same_with_little_and_much_data(
        app, make, login, client, count_queries):
    costs = {}
    for replies in (2, 60):
        topics = _build(app, make, login, client, replies)
        costs[replies] = {
            "notifications": _queries(client, count_queries, "/notifications"),
            "notifications page 2": _queries(client, count_queries, "/notifications?page=2"),
            "index": _queries(client, count_queries, "/"),
            "forum": _queries(client, count_queries, "/f/budget"),
            "settings": _queries(client, count_queries, "/settings/notifications"),
            "topic, first view": _queries(client, count_queries,
                                          f"/t/{topics[0].id}-{topics[0].slug}"),
            "topic, again": _queries(client, count_queries,
                                     f"/t/{topics[0].id}-{topics[0].slug}"),
        }
        assert "Unread" in client.get("/f/budget").text
    # A few notifications fill one page: page 2 is past the end, which counts them and then
    # reads the last page (test_query_budget.test_notifications_page_statements); many
    # fill two, and page 2 costs what page 1 does.
    assert costs[2].pop("notifications page 2") == costs[2]["notifications"] + 2, costs
    assert costs[60].pop("notifications page 2") == costs[60]["notifications"], costs
    assert costs[2] == costs[60], costs
    assert max(costs[60].values()) <= BUDGET, costs


def test_notifications_about_topics_in_many_forums_cost_what_one_forum_does(
        app, make, login, client, count_queries):
    """May the member see each topic? Its forum says: loaded with the notifications, not
    a query for each forum they name."""
    from tests.conftest import _clean
    costs = {}
    for forums in (1, 5):
        _clean(app)
        client.post("/logout")
        reader, writer = make.user(), make.user()
        places = [make.forum(slug=f"place-{i}") for i in range(forums)]
        topics = [make.topic(author=writer, forum=places[i % forums], title=f"Topic {i}")
                  for i in range(5)]
        with app.app_context():
            for topic in topics:
                notify.notify(reader.id, "moderation", actor_id=writer.id,
                              topic_id=topic.id, text="A note about your topic.")
            db.session.commit()
        login(reader)
        costs[forums] = _queries(client, count_queries, "/notifications")
        assert client.get("/notifications").text.count("A note about your topic.") == 5
    assert costs[1] == costs[5], costs

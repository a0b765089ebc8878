"""Topics pinned everywhere lead the first page of every forum."""
from __future__ import annotations

from forum.accounts.models import Role, User
from forum.board.models import Pin, Topic
from forum.extensions import db
from forum.moderation import services as moderation


def _pin(app, moderator, topic, pin):
    with app.app_context():
        moderation.pin_topic(db.session.get(User, moderator.id), db.session.get(Topic, topic.id),
                             pin, "Everyone should see this")
        db.session.commit()


def _titles(html: str) -> list[str]:
    import re
    return re.findall(r'<p class="topic-title">.*?<a href="/t/[^"]+">([^<]+)</a>', html, re.S)


def test_a_topic_pinned_everywhere_leads_other_forums(client, make, app):
    moderator = make.user(role=Role.MODERATOR)
    news, other = make.forum("News", slug="news"), make.forum("Procurement", slug="buying")
    notice = make.topic(forum=news, title="Forum rules have changed")
    make.topic(forum=other, title="Framework agreements", replies=1)
    _pin(app, moderator, notice, Pin.GLOBAL)
    page = client.get("/f/buying").text
    assert _titles(page) == ["Forum rules have changed", "Framework agreements"]
    assert "Pinned everywhere" in page and 'in <a href="/f/news">News</a>' in page
    # Only once in its own forum, and not on later pages or the unanswered view.
    assert _titles(client.get("/f/news").text) == ["Forum rules have changed"]
    assert "Forum rules have changed" not in client.get("/f/buying?show=unanswered").text


def test_forum_pins_stay_in_their_forum_and_unpinning_removes_the_announcement(client, make,
                                                                              app):
    moderator = make.user(role=Role.MODERATOR)
    news, other = make.forum("News", slug="news"), make.forum("Procurement", slug="buying")
    notice = make.topic(forum=news, title="Only for news readers")
    make.topic(forum=other, title="Framework agreements")
    _pin(app, moderator, notice, Pin.FORUM)
    assert "Only for news readers" not in client.get("/f/buying").text
    _pin(app, moderator, notice, Pin.GLOBAL)
    assert "Only for news readers" in client.get("/f/buying").text
    _pin(app, moderator, notice, Pin.NONE)
    assert "Only for news readers" not in client.get("/f/buying").text


def test_announcements_cost_one_query_however_many_there_are(client, make, app,
                                                               count_queries):
    moderator = make.user(role=Role.MODERATOR)
    news, other = make.forum("News", slug="news"), make.forum("Procurement", slug="buying")
    make.topic(forum=other, title="Framework agreements")
    costs = []
    for n in range(2):
        _pin(app, moderator, make.topic(forum=news, title=f"Notice number {n}"), Pin.GLOBAL)
        with count_queries() as counter:
            assert client.get("/f/buying").status_code == 200
        costs.append(counter.count)
    assert costs[0] == costs[1] <= 12

"""Conversation and group pages cost a fixed number of queries, however many rows they show."""
from __future__ import annotations

from datetime import timedelta

from forum import clock
from forum.accounts.models import User
from forum.conversations import services as conversations
from forum.extensions import db
from forum.groups import services as groups
from tests.groups.helpers import log_in


def _talks(app, ann, others, count: int, messages: int) -> int:
    with app.app_context():
        a = db.session.get(User, ann.id)
        people = [db.session.get(User, o.id) for o in others]
        last = None
        for n in range(count):
            last = conversations.start(a, people, f"Topic {n}", "Hello")
            for m in range(messages):
                conversations.reply(people[m % len(people)], last, f"Reply {m}")
        db.session.commit()
        return last.id


def _cost(count_queries, client, url: str) -> int:
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_messages_pages_cost_the_same_for_few_and_many(app, make, count_queries):
    ann = make.user(created_at=clock.now() - timedelta(days=30))
    others = [make.user() for _ in range(3)]
    client = app.test_client()
    log_in(client, ann)
    few = _talks(app, ann, others[:1], 1, 1)
    small = (_cost(count_queries, client, "/messages"),
             _cost(count_queries, client, f"/messages/{few}"))
    many = _talks(app, ann, others, 12, 20)
    large = (_cost(count_queries, client, "/messages"),
             _cost(count_queries, client, f"/messages/{many}"))
    assert small == large, (small, large)
    assert large[0] <= 8 and large[1] <= 14, large


def test_group_pages_cost_the_same_for_few_and_many(app, make, count_queries):
    owner = make.user()
    with app.app_context():
        team = groups.create_group(None, "Budget team", members_public=True)
        groups.add_member(None, team, db.session.get(User, owner.id), owner=True)
        db.session.commit()
    client = app.test_client()
    log_in(client, owner)
    small = [_cost(count_queries, client, url) for url in
             ("/groups", "/groups/budget-team", "/groups/budget-team/members")]
    people = [make.user() for _ in range(15)]
    with app.app_context():
        team = groups.group_by_slug("budget-team")
        for person in people:
            groups.add_member(None, team, db.session.get(User, person.id))
        for n in range(10):
            groups.create_group(None, f"Team {n}")
        db.session.commit()
    large = [_cost(count_queries, client, url) for url in
             ("/groups", "/groups/budget-team", "/groups/budget-team/members")]
    assert small == large, (small, large)
    assert max(large) <= 10, large

"""The read mark moves forward in one statement and never back (dbutil.insert_or_move_forward)."""
from __future__ import annotations

from sqlalchemy import select

from forum.dbutil import insert_or_move_forward
from forum.extensions import db
from forum.notify.models import TopicRead


def _mark(user_id, topic_id):
    return db.session.scalar(select(TopicRead.last_position).where(
        TopicRead.user_id == user_id, TopicRead.topic_id == topic_id))


def test_insert_then_only_forward(app, make, ctx, count_queries):
    user, topic = make.user(), make.topic(replies=3)
    written = []
    with count_queries() as counter:
        for position in (2, 4, 3, 4, 1):
            written.append(insert_or_move_forward(TopicRead, "last_position", user_id=user.id,
                                                  topic_id=topic.id, last_position=position))
    assert written == [True, True, False, False, False]
    assert counter.count == 5  # one statement each, never a read before the write
    assert _mark(user.id, topic.id) == 4


def test_topic_pages_move_the_mark_forward_only(app, client, make, login, count_queries):
    topic = make.long_topic(60)
    member = make.user()
    login(member)
    url = f"/t/{topic.id}-{topic.slug}"
    client.get(f"{url}?page=2")
    client.get(url)  # an earlier page: the mark stays at the end of page 2
    with app.app_context():
        assert _mark(member.id, topic.id) == 50
    with count_queries() as counter:
        client.get(f"{url}?page=2")  # seen already: nothing written
    assert not [s for s in counter.statements if "topic_reads" in s and "INSERT" in s]
    client.get(f"{url}?page=3")
    with app.app_context():
        assert _mark(member.id, topic.id) == 61

"""A profile's recent topics and replies are kept (pagecache.kept_fragment): one render for
every viewer, and a new reply shows at once."""
from __future__ import annotations

from forum.accounts.models import User
from forum.board import services as board
from forum.board.models import Topic
from forum.extensions import db


def test_recent_activity_is_rendered_once_and_a_new_reply_shows_at_once(app, make, login,
                                                                        rendered):
    author = make.user(name="Dana Okafor")
    topic = make.topic(author=author, title="Queue times at counters")
    member = login(make.user(), client=app.test_client())
    for client in (member, app.test_client()):
        assert "Queue times at counters" in client.get("/u/Dana%20Okafor").text
    assert rendered.count("accounts/_activity.html") == 1
    with app.app_context():
        board.post_reply(db.session.get(User, author.id), db.session.get(Topic, topic.id),
                         "Counters open at nine.")
        db.session.commit()
    assert "Reply to Queue times at counters" in member.get("/u/Dana%20Okafor").text

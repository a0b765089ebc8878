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


def test_counts_out_of_a_viewers_sight_are_kept_per_scope_and_follow_writes(
        app, make, client, count_queries):
    """How many of a member's topics a viewer may not read is the same for everyone of their
    scope: counted once, kept, and counted again after a write."""
    author = make.user(name="Robin Quill")
    make.topic(author=author, title="In the open")
    team = make.forum(title="Team room", slug="team-room")
    make.topic(author=author, forum=team, title="Behind the door")
    runner = app.test_cli_runner()
    for args in (["groups", "create", "Team"],
                 ["forums", "restrict", "team-room", "--group", "Team", "--can", "read"]):
        assert runner.invoke(args=["forum", *args]).exit_code == 0

    def topics_started() -> tuple[str, list[str]]:
        with count_queries() as counter:
            page = client.get("/u/Robin%20Quill").text
        counting = [s for s in counter.statements if "count(topics.id)" in s]
        return page.split("Topics started</dt><dd>")[1].split("<")[0], counting
    assert topics_started()[0] == "1"  # of 2: one is out of a visitor's sight
    shown, counting = topics_started()
    assert shown == "1" and counting == []
    make.topic(author=author, title="Out in the open again")
    shown, counting = topics_started()
    assert shown == "2" and len(counting) == 1

"""`flask forum demo` loads the demo content once, with the seed's bbPress topic."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.board.models import Forum, Topic
from forum.extensions import db
from forum.groups import services as groups
from forum import outbox
from forum.notify.models import Notification
from forum.outbox import OutboxEmail

SEED_TITLE = "When/Where Does Government Get It Right With Customer Service?"


def test_demo_loads_once_with_the_seed_topic(app, client):
    runner = app.test_cli_runner()
    assert "Demo content loaded." in runner.invoke(args=["forum", "demo"]).output
    with app.app_context():
        counts = (db.session.scalar(select(func.count(User.id))),
                  db.session.scalar(select(func.count(Topic.id))))
        seed = db.session.scalar(select(Topic).where(Topic.title == SEED_TITLE))
        assert seed.forum.slug == "miscellaneous"
        assert (seed.reply_count, seed.voice_count) == (1, 2)
        assert seed.last_post.author.display_name == "Robert Bacal"
        longest = db.session.scalar(select(func.max(Topic.reply_count)))
        assert longest >= 60
        assert counts[0] >= 12
        # The history it replays notifies members on the site, but queues no e-mail for
        # their made-up addresses (it used to queue ~690 for the first real relay).
        assert db.session.scalar(select(func.count(Notification.id))) > 0
        assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0
    assert "already loaded" in runner.invoke(args=["forum", "demo"]).output
    with app.app_context():
        assert (db.session.scalar(select(func.count(User.id))),
                db.session.scalar(select(func.count(Topic.id)))) == counts

    page = client.get(f"/t/{seed.id}-{seed.slug}").text
    assert re.search(r"This topic contains 1 reply, has 2 voices, and was last updated by\s*"
                     r"<a [^>]*>Robert Bacal</a>", page)
    index = client.get("/").text
    assert "Miscellaneous" in index
    # One private working group: its forum is closed to visitors, open to its members.
    assert "Plain Language Working Group" not in index
    assert client.get("/f/plain-language-working-group").status_code == 404
    assert "Plain Language Working Group" in client.get("/groups").text
    with app.app_context():
        working = groups.group_by_slug("plain-language-working-group")
        assert working.member_count == 4
        forum = db.session.scalar(select(Forum).where(
            Forum.slug == "plain-language-working-group"))
        assert forum.read_restricted and forum.topic_count == 2
    with app.app_context():
        for forum in db.session.scalars(select(Forum)):
            visible = db.session.scalar(select(func.count(Topic.id)).where(
                Topic.forum_id == forum.id))
            assert forum.topic_count == visible
    with app.app_context():  # only the demo's own history is held back
        assert outbox.enqueue("someone@example.gov", "Still sent", "after the demo")
        db.session.rollback()

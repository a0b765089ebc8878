"""`flask forum demo` loads the demo content once, with the seed's bbPress topic."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.board.models import Forum, Topic
from forum.extensions import db

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
    assert "already loaded" in runner.invoke(args=["forum", "demo"]).output
    with app.app_context():
        assert (db.session.scalar(select(func.count(User.id))),
                db.session.scalar(select(func.count(Topic.id)))) == counts

    page = client.get(f"/t/{seed.id}-{seed.slug}").text
    assert re.search(r"This topic contains 1 reply, has 2 voices, and was last updated by\s*"
                     r"<a [^>]*>Robert Bacal</a>", page)
    index = client.get("/").text
    assert "Miscellaneous" in index
    with app.app_context():
        for forum in db.session.scalars(select(Forum)):
            visible = db.session.scalar(select(func.count(Topic.id)).where(
                Topic.forum_id == forum.id))
            assert forum.topic_count == visible

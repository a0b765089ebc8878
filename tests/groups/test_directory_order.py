"""The member directory sorted by posts orders by what the viewer can see: the order alone
must not tell an outsider who writes in a private forum (issue 18)."""
from __future__ import annotations

from forum.accounts.models import User
from forum.board import services as board
from forum.board.models import Topic
from forum.extensions import db
from tests.groups.helpers import build, log_in


def _order(page: str, *names: str) -> list[str]:
    return sorted(names, key=lambda name: page.index(f">{name}</a>"))


def test_posts_order_counts_only_what_the_viewer_can_see(app, make, client):
    world = build(app, make)
    with app.app_context():
        insider = db.session.get(User, world.insider.id)
        topic = db.session.get(Topic, world.topic_id)
        for n in range(3):
            board.post_reply(insider, topic, f"Private note {n}.")
        db.session.commit()
    names = (world.outsider.display_name, world.insider.display_name)

    # A visitor sees the outsider's one public topic, and none of the insider's four posts.
    assert _order(client.get("/members?sort=posts").text, *names) == [
        world.outsider.display_name, world.insider.display_name]
    # A member of the group sees the insider's posts, so they lead.
    log_in(client, world.insider)
    assert _order(client.get("/members?sort=posts").text, *names) == [
        world.insider.display_name, world.outsider.display_name]

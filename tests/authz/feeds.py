"""Feeds are public (feed readers have no session) and only ever hold public content."""
from tests.authz import EVERYONE

ROWS = {
    ("feeds.latest", "GET"): (lambda w: "/feeds/latest.atom", None, EVERYONE),
    ("feeds.articles", "GET"): (lambda w: "/feeds/articles.atom", None, EVERYONE),
    ("feeds.forum", "GET"): (lambda w: f"/feeds/f/{w.forum_slug}.atom", None, EVERYONE),
    ("feeds.topic", "GET"): (lambda w: f"/feeds/t/{w.topic.id}.atom", None, EVERYONE),
    ("feeds.tag", "GET"): (lambda w: f"/feeds/tags/{w.extra['feed_tag']}.atom", None,
                           EVERYONE),
}


def build(app, make, people, world):
    from forum.board import services as board
    from forum.board.models import Topic
    from forum.extensions import db
    board.set_tags(db.session.get(Topic, world.topic.id), ["Feed tag"])
    world.extra["feed_tag"] = "feed-tag"

"""Building articles for tests, through the services."""
from __future__ import annotations

from datetime import datetime

from forum.accounts.models import User
from forum.articles import services as articles
from forum.board.models import Topic
from forum.extensions import db


def write(app, author, title="Serving callers well", body="An article body.", **fields):
    """An article by `author` (a committed User), committed; returns the Topic."""
    now: datetime | None = fields.pop("now", None)
    with app.app_context():
        topic = articles.create_article(db.session.get(User, author.id),
                                        articles.ArticleData(title=title, body=body, **fields),
                                        now=now)
        db.session.commit()
        return db.session.get(Topic, topic.id)


def path(topic) -> str:
    return f"/t/{topic.id}-{topic.slug}"

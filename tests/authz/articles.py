"""Authorization rows for articles, tag archives and series (forum/articles/)."""
from __future__ import annotations

from forum.accounts.models import User
from forum.articles import services as articles
from forum.extensions import db
from tests.authz import EVERYONE, STAFF


def build(app, make, people, world):
    """An article by the staff member, with a tag and a series."""
    staff = db.session.get(User, people["staff"].id)
    topic = articles.create_article(staff, articles.ArticleData(
        title="An article for the matrix", body="Body text.", tags="matrix tag",
        series="Matrix series", series_part=1))
    world.extra["article_id"] = topic.id


def _article_form(w):
    return {"title": "A staff article", "body": "Some text.", "status": "publish",
            "tags": "one, two", "submit": "Save article"}


ROWS = {
    ("articles.index", "GET"): (lambda w: "/articles", None, EVERYONE),
    ("articles.tag", "GET"): (lambda w: "/tags/matrix-tag", None, EVERYONE),
    ("articles.series", "GET"): (lambda w: "/series/matrix-series", None, EVERYONE),
    ("articles.new", "GET"): (lambda w: "/articles/new", None, STAFF),
    ("articles.new", "POST"): (lambda w: "/articles/new", _article_form, STAFF),
    # The article's author is the staff member; moderators and admins may edit any article.
    ("articles.edit", "GET"): (lambda w: f"/articles/{w.extra['article_id']}/edit", None,
                               STAFF),
    ("articles.edit", "POST"): (lambda w: f"/articles/{w.extra['article_id']}/edit",
                                _article_form, STAFF),
}

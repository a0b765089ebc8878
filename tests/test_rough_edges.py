"""Rough edges a daily user trips over (issue 16): text escaped twice, site-wide post ids
shown as post numbers, "0 members found this helpful", a list of HTML tag names as the
composer's help, "Replies are closed" shown to the author of a topic waiting for approval."""
from __future__ import annotations

import re

from sqlalchemy import select

from forum import markup
from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Forum, Post, Topic
from forum.extensions import db
from forum.polls import services as polls
from tests.articles.helpers import path, write

QUOTED = 'He said "customer service" & meant it: 3 < 4, it\'s true.'


def test_excerpts_are_plain_text_not_html():
    assert markup.excerpt(QUOTED) == QUOTED
    assert markup.excerpt("**Bold** &amp; <b>tagged</b>") == "Bold & tagged"


def test_article_excerpts_are_escaped_once(app, make, client):
    staff = make.user(role=Role.STAFF)
    write(app, staff, title="Executive order", body=QUOTED, tags="customer service")
    other = make.topic(title="A discussion", body=QUOTED)
    with app.app_context():
        board.set_tags(db.session.get(Topic, other.id), ["customer service"])
        db.session.commit()
    for url in ("/articles", "/tags/customer-service"):
        page = client.get(url).text
        assert not re.search(r"&amp;(quot|amp|lt|gt|#\d+);", page), url
        assert "He said &#34;customer service&#34; &amp; meant it: 3 &lt; 4, it&#39;s true." \
            in page, url


def test_post_numbers_are_positions_and_links_stay_permanent(app, make, client):
    make.topic(title="An earlier topic", replies=3)
    topic = make.topic(title="The topic we read", replies=2)
    with app.app_context():
        ids = list(db.session.scalars(select(Post.id).where(Post.topic_id == topic.id)
                                      .order_by(Post.position)))
    assert ids[0] > 1
    page = client.get(path(topic)).text
    numbers = re.findall(r'<a class="permalink" href="/p/(\d+)">.*?#(\d+)</a>', page)
    assert numbers == [(str(i), str(n)) for n, i in enumerate(ids, start=1)]
    assert client.get(f"/p/{ids[1]}").status_code == 302


def test_no_helpful_count_until_someone_votes(app, make, client, login):
    author = make.user()
    topic = make.topic(author=author, replies=2, repliers=[make.user()])
    page = client.get(path(topic)).text
    assert "found this helpful" not in page
    voter = make.user()
    with app.app_context():
        reply = db.session.scalar(select(Post).where(Post.topic_id == topic.id,
                                                     Post.position == 2))
        polls.set_helpful(db.session.get(User, voter.id), reply, True)
        db.session.commit()
    page = client.get(path(topic)).text
    assert page.count("found this helpful") == 1 and "1 member found this helpful" in page


def test_composer_shows_a_formatting_guide_not_tag_names(make, client, login):
    topic = make.topic()
    login(make.user())
    for url in (path(topic), f"/t/{topic.id}/reply", "/t/new", "/settings"):
        page = client.get(url).text
        assert "<code>acronym</code>" not in page and "HTML tags" not in page, url
        assert 'class="formatting-guide"' in page and "<code>**bold**</code>" in page and "<code>- list</code>" in page, url


def test_the_author_of_a_waiting_topic_is_told_it_waits(app, make, client, login,
                                                        monkeypatch):
    monkeypatch.setitem(app.config, "APPROVAL_ENABLED", True)
    forum = make.forum(slug="waiting")
    newcomer = make.user()
    with app.app_context():
        topic = board.create_topic(db.session.get(User, newcomer.id),
                                   db.session.get(Forum, forum.id), "My first topic", "Hello.")
        db.session.commit()
        assert topic.status.value == "pending"
        url = f"/t/{topic.id}-{topic.slug}"
    login(newcomer)
    page = client.get(url).text
    assert "Waiting for a moderator" in page and "Replies are closed" not in page

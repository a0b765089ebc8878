"""Search at the level of topics: the words of a query may be spread over a topic's title and
its posts, a title match ranks first, the websearch grammar ("phrase", -word, OR) works on
topics, and a misspelt query gets a "did you mean" that never reveals a word the searcher
could not find themselves."""
from __future__ import annotations

import html
import re

from sqlalchemy import update

from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Forum, Topic
from forum.extensions import db

from .test_search import found


def _reply(app, topic, text, author=None):
    with app.app_context():
        t = db.session.get(Topic, topic.id)
        person = db.session.get(User, (author.id if author else t.author_id))
        post = board.post_reply(person, t, text)
        db.session.commit()
        return post.id


def test_words_spread_over_title_and_replies_find_the_topic_once(app, make, client):
    forum = make.forum(slug="complaints")
    topic = make.topic(forum=forum, title="Handling complaints from the public",
                       body="How long do you give yourselves to answer?")
    _reply(app, topic, "Twenty working days, then we point people to the ombudsman.")
    _reply(app, topic, "We also mention the ombudsman in every letter.")
    make.topic(forum=forum, title="Complaint letters", body="A template would help.")
    make.topic(forum=forum, title="The ombudsman annual report", body="Worth reading.")
    assert found(client, "complaint ombudsman") == ["Handling complaints from the public"]
    # Both words in one post still count, and the topic is listed once, not per post.
    assert found(client, "ombudsman") == ["The ombudsman annual report",
                                          "Handling complaints from the public"]


def test_title_matches_rank_before_matches_spread_over_replies(app, make, client):
    forum = make.forum(slug="ranking")
    spread = make.topic(forum=forum, title="Notes from Tuesday", body="We discussed rotas.")
    _reply(app, spread, "And the holiday calendar.")
    make.topic(forum=forum, title="Holiday rotas for the contact centre", body="Ideas?")
    assert found(client, "holiday rotas") == ["Holiday rotas for the contact centre",
                                              "Notes from Tuesday"]


def test_grammar_applies_to_the_whole_topic(app, make, client):
    forum = make.forum(slug="grammar")
    tea = make.topic(forum=forum, title="Kitchen rota", body="Milk buyers wanted.")
    _reply(app, tea, "Green tea for me, and biscuits.")
    coffee = make.topic(forum=forum, title="Kitchen budget", body="Coffee beans are dear.")
    _reply(app, coffee, "Biscuits too.")
    assert found(client, "kitchen -tea") == ["Kitchen budget"]
    assert set(found(client, "kitchen tea OR coffee")) == {"Kitchen rota", "Kitchen budget"}
    assert found(client, '"green tea" kitchen') == ["Kitchen rota"]
    # A phrase must stand in one post: "rota green" spans the title and a reply.
    assert found(client, '"rota green"') == []


def test_hidden_posts_and_private_forums_never_complete_a_match(app, make, client, login):
    mod = make.user(role=Role.MODERATOR)
    forum = make.forum(slug="open")
    topic = make.topic(forum=forum, title="Budget lines", body="Open discussion.")
    hidden = _reply(app, topic, "The zeppelin budget is secret.")
    with app.app_context():
        from forum.board.models import Post
        board.hide_post(db.session.get(User, mod.id), db.session.get(Post, hidden), "spam")
        db.session.commit()
    private = make.forum(slug="closed")
    secret = make.topic(forum=private, title="Budget planning", body="Public words.")
    _reply(app, secret, "The airship budget is secret.")
    with app.app_context():
        db.session.execute(update(Forum).where(Forum.id == private.id)
                           .values(read_restricted=True))
        db.session.commit()
    assert found(client, "budget zeppelin") == []
    assert found(client, "budget airship") == []
    assert found(client, "budget -zeppelin") == ["Budget lines"]
    login(mod)
    assert found(client, "budget zeppelin") == ["Budget lines"]


def _suggestion(client, q):
    page = client.get("/search", query_string={"q": q})
    assert page.status_code == 200
    match = re.search(r'class="did-you-mean".*?<a href="([^"]+)">(.*?)</a>', page.text, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(2))) if match else None


def test_did_you_mean_offers_a_spelling_that_finds_something(app, make, client):
    forum = make.forum(slug="spelling")
    make.topic(forum=forum, title="Booking an interpreter for a phone call",
               body="Our contract covers forty languages.")
    assert _suggestion(client, "intrepreter") == "interpreter"
    assert _suggestion(client, "intrepreter contrcat") == "interpreter contract"
    # A slip in the first two letters too (found by the same last two letters).
    assert _suggestion(client, "niterpreter") == "interpreter"
    assert _suggestion(client, "ocntract") == "contract"
    assert _suggestion(client, "interpreter lnaguages") == "interpreter languages"
    # Found words are left alone; nothing to suggest when the query already finds.
    assert _suggestion(client, "interpreter") is None
    assert _suggestion(client, "qwxzv") is None
    # The suggestion is a link that finds the topic.
    page = client.get("/search?q=intrepreter")
    link = re.search(r'class="did-you-mean".*?<a href="([^"]+)"', page.text, re.S).group(1)
    assert found(client, html.unescape(link).split("q=")[1].split("&")[0]) == [
        "Booking an interpreter for a phone call"]


def test_did_you_mean_never_suggests_a_word_only_hidden_content_holds(app, make, client):
    private = make.forum(slug="hush")
    make.topic(forum=private, title="Restructuring the directorate", body="Confidential.")
    with app.app_context():
        db.session.execute(update(Forum).where(Forum.id == private.id)
                           .values(read_restricted=True))
        db.session.commit()
    assert _suggestion(client, "restructurng") is None

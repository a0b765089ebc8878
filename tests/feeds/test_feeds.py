"""Atom feeds: valid (feedparser finds no error; every required Atom element is there),
public content only, display names only, linked from the pages."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest
from sqlalchemy import update

from forum import clock
from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Topic, TopicKind, TopicStatus
from forum.extensions import db
from forum.moderation import services as moderation

ATOM = "{http://www.w3.org/2005/Atom}"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def check_atom(response) -> tuple[dict, ET.Element]:
    """The feed parses without error and has what RFC 4287 requires."""
    assert response.status_code == 200
    assert response.content_type.startswith("application/atom+xml")
    parsed = feedparser.parse(response.data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (root.find(f"{ATOM}{name}").text or "").strip(), name
    self_links = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert len(self_links) == 1 and self_links[0].get("href").startswith("http")
    feed_author = root.find(f"{ATOM}author/{ATOM}name") is not None
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert (entry.find(f"{ATOM}{name}").text or "").strip(), name
        assert feed_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        assert entry.find(f"{ATOM}author/{ATOM}email") is None
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\+00:00|Z)",
                            entry.find(f"{ATOM}updated").text)
        ids.append(entry.find(f"{ATOM}id").text)
    assert len(ids) == len(set(ids))
    assert not EMAIL.search(response.data.decode()), "an e-mail address in a feed"
    return parsed, root


@pytest.fixture
def content(app, make):
    """Public topics and replies, an article and a draft one, a hidden reply, a hidden topic,
    a scheduled topic, tags."""
    author = make.user("Ada Author", email="ada.private@example.gov")
    replier = make.user("Rex Replier", email="rex.secret@example.gov")
    mod = make.user(role=Role.MODERATOR)
    forum = make.forum(title="Customer service", slug="customer-service")
    topic = make.topic(author=author, forum=forum, title="Queue times",
                       body="How long do *your* callers wait?")
    article = make.topic(author=author, forum=forum, title="An article on queues",
                         body="Article text.")
    draft = make.topic(author=author, forum=forum, title="Draft article secret",
                       body="Draft body secret")
    hidden_topic = make.topic(author=author, forum=forum, title="Hidden topic secret")
    scheduled = make.topic(author=author, forum=forum, title="Scheduled secret")
    with app.app_context():
        t = db.session.get(Topic, topic.id)
        r = db.session.get(User, replier.id)
        board.post_reply(r, t, "About four minutes.")
        hidden = board.post_reply(r, t, "Hidden reply secret")
        board.hide_post(r, hidden, "oops")
        moderation.hide_topic(db.session.get(User, mod.id),
                              db.session.get(Topic, hidden_topic.id), "spam")
        db.session.execute(update(Topic).where(Topic.id.in_([article.id, draft.id]))
                           .values(kind=TopicKind.ARTICLE))
        db.session.execute(update(Topic).where(Topic.id == draft.id)
                           .values(status=TopicStatus.DRAFT))
        db.session.execute(update(Topic).where(Topic.id == scheduled.id).values(
            status=TopicStatus.SCHEDULED, publish_at=clock.now() + timedelta(days=1)))
        for topic_id in (topic.id, article.id, draft.id, hidden_topic.id):
            board.set_tags(db.session.get(Topic, topic_id), ["Queues"])
        db.session.commit()
    return {"topic": topic, "article": article, "draft": draft, "forum": forum,
            "hidden_topic": hidden_topic, "scheduled": scheduled}


FEEDS = ["/feeds/latest.atom", "/feeds/articles.atom", "/feeds/f/customer-service.atom",
         "/feeds/tags/queues.atom"]


def test_every_feed_is_valid_atom_without_private_data(client, content):
    urls = FEEDS + [f"/feeds/t/{content['topic'].id}.atom"]
    for url in urls:
        response = client.get(url)
        parsed, _ = check_atom(response)
        text = response.data.decode()
        assert "secret" not in text, url  # hidden, draft and scheduled content
        assert "example.gov" not in text, url
        for entry in parsed.entries:
            assert entry.author in ("Ada Author", "Rex Replier"), url
            assert entry.updated_parsed and entry.id.startswith("http")


def test_feed_entries(client, content):
    latest, _ = check_atom(client.get("/feeds/latest.atom"))
    assert [e.title for e in latest.entries] == ["An article on queues", "Queue times"]
    entry = latest.entries[1]
    assert entry.content[0].type == "text/html"
    assert "<em>your</em>" in entry.content[0].value  # the stored body_html
    assert entry.link.endswith(f"/t/{content['topic'].id}-queue-times")
    articles, _ = check_atom(client.get("/feeds/articles.atom"))
    assert [e.title for e in articles.entries] == ["An article on queues"]
    tagged, _ = check_atom(client.get("/feeds/tags/queues.atom"))
    assert {e.title for e in tagged.entries} == {"Queue times", "An article on queues"}
    replies, root = check_atom(client.get(f"/feeds/t/{content['topic'].id}.atom"))
    assert [e.author for e in replies.entries] == ["Rex Replier", "Ada Author"]
    assert "About four minutes." in replies.entries[0].content[0].value
    assert "#post-" in replies.entries[0].link


def test_private_topics_and_unknown_names_have_no_feed(client, content):
    for key in ("draft", "hidden_topic", "scheduled"):
        assert client.get(f"/feeds/t/{content[key].id}.atom").status_code == 404
    assert client.get("/feeds/f/no-such-forum.atom").status_code == 404
    assert client.get("/feeds/tags/no-such-tag.atom").status_code == 404
    assert client.get("/feeds/t/99999999999.atom").status_code == 404


def test_a_scheduled_topic_enters_the_feed_when_due(client, content):
    clock.advance(timedelta(days=2))
    parsed, _ = check_atom(client.get("/feeds/latest.atom"))
    assert parsed.entries[0].title == "Scheduled secret"


def test_an_empty_feed_is_still_valid(client, make):
    make.forum(slug="quiet")
    parsed, _ = check_atom(client.get("/feeds/f/quiet.atom"))
    assert parsed.entries == []


def test_pages_link_to_their_feeds(client, content):
    link = r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="{}">'
    index = client.get("/").text
    assert re.search(link.format(re.escape("/feeds/latest.atom")), index)
    assert re.search(link.format(re.escape("/feeds/articles.atom")), index)
    forum = client.get("/f/customer-service").text
    assert re.search(link.format(re.escape("/feeds/f/customer-service.atom")), forum)
    topic = content["topic"]
    page = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert re.search(link.format(re.escape(f"/feeds/t/{topic.id}.atom")), page)


def test_feeds_cost_a_fixed_number_of_queries(app, make, client, count_queries):
    from tests.conftest import _clean
    costs = {}
    for size in (1, 30):
        forum = make.forum(slug="many")
        author = make.user()
        topic = make.topic(author=author, forum=forum, title="Many replies", replies=size)
        for i in range(size):
            make.topic(author=author, forum=forum, title=f"Topic {i}")
        with app.app_context():
            board.set_tags(db.session.get(Topic, topic.id), ["Many"])
            db.session.commit()
        urls = ["/feeds/latest.atom", "/feeds/f/many.atom", f"/feeds/t/{topic.id}.atom",
                "/feeds/tags/many.atom", "/feeds/articles.atom"]
        costs[size] = []
        for url in urls:
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            costs[size].append(counter.count)
        _clean(app)
    assert costs[1] == costs[30] and max(costs[30]) <= 4, costs

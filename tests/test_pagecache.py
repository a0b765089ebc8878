"""Visitors' pages are kept a few seconds; members always get a fresh page."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from forum import pagecache
from forum.board.models import Forum
from forum.extensions import db
from forum.board.viewcount import views


@pytest.fixture
def cache(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 10)
    cache = app.extensions["forum.pagecache"]
    cache.clear()
    yield cache
    cache.clear()


def test_a_visitor_page_is_served_from_memory_without_a_query(client, make, cache,
                                                               count_queries):
    topic = make.topic(title="Queues at the front counter")
    url = f"/t/{topic.id}-{topic.slug}"
    first = client.get(url)
    assert first.headers["X-Page-Cache"] == "miss"
    with count_queries() as counter:
        second = client.get(url)
    assert second.headers["X-Page-Cache"] == "hit" and counter.count == 0
    assert second.data == first.data and second.status_code == 200
    assert "Cookie" in second.headers["Vary"]
    # Security headers are on cached pages too.
    assert "frame-ancestors 'none'" in second.headers["Content-Security-Policy"]


def test_cached_topic_pages_still_count_their_views(client, make, cache):
    topic = make.topic()
    url = f"/t/{topic.id}-{topic.slug}"
    before = views.pending(topic.id)
    for _ in range(3):
        client.get(url)
    assert views.pending(topic.id) == before + 3


def test_members_never_get_a_kept_page(client, make, login, cache):
    forum = make.forum("Procurement", slug="procurement")
    make.topic(forum=forum, title="Framework agreements")
    assert client.get("/f/procurement").headers["X-Page-Cache"] == "miss"
    login(make.user())
    response = client.get("/f/procurement")
    assert "X-Page-Cache" not in response.headers
    make.topic(forum=forum, title="A brand new question")
    assert "A brand new question" in client.get("/f/procurement").text


def test_a_write_with_no_event_shows_once_the_short_time_is_up(client, make, cache, app,
                                                                monkeypatch):
    """PAGE_CACHE_SECONDS is the safety net for writes that drop no page (forum admin)."""
    forum = make.forum("Procurement", slug="procurement")
    make.topic(forum=forum, title="Framework agreements")
    now = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: now[0])
    client.get("/f/procurement")
    with app.app_context():
        db.session.execute(update(Forum).where(Forum.id == forum.id)
                           .values(description="Buying together, across agencies"))
        db.session.commit()
    assert "Buying together" not in client.get("/f/procurement").text
    now[0] += 11
    assert "Buying together" in client.get("/f/procurement").text


def test_a_new_topic_is_seen_by_visitors_at_once(client, make, cache):
    forum = make.forum("Procurement", slug="procurement")
    make.topic(forum=forum, title="Framework agreements")
    assert client.get("/f/procurement").headers["X-Page-Cache"] == "miss"
    assert client.get("/f/procurement").headers["X-Page-Cache"] == "hit"
    make.topic(forum=forum, title="A brand new question")
    response = client.get("/f/procurement")
    assert response.headers["X-Page-Cache"] == "miss"
    assert "A brand new question" in response.text


def test_pages_with_a_session_or_that_set_one_are_never_kept(client, make, cache, app,
                                                              monkeypatch):
    # Forms carry a CSRF token kept in the session: the log-in page is personal.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert "X-Page-Cache" not in client.get("/login").headers
    assert "X-Page-Cache" not in client.get("/login").headers
    # A visitor with a session (a flash message waiting, say) gets a fresh page.
    make.forum("Procurement", slug="procurement")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Hello")]
    response = client.get("/f/procurement")
    assert "X-Page-Cache" not in response.headers and "Hello" in response.text
    assert len(cache) == 0


def test_a_visitor_topic_page_with_a_poll_sets_no_session_so_it_is_kept(client, make, app,
                                                                         cache, monkeypatch):
    """Forms a visitor cannot use are not built, so no CSRF token lands in their session."""
    from forum.accounts.models import User
    from forum.board.models import Topic
    from forum.extensions import db
    from forum.polls import services as polls
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    topic = make.topic()
    with app.app_context():
        polls.create_poll(db.session.get(User, topic.author_id),
                          db.session.get(Topic, topic.id), "Which?", ["One", "Two"])
        db.session.commit()
    response = client.get(f"/t/{topic.id}-{topic.slug}")
    assert "Set-Cookie" not in response.headers
    assert response.headers["X-Page-Cache"] == "miss"


def test_errors_and_odd_requests_are_not_kept(client, cache):
    assert client.get("/t/999999").status_code == 404
    assert client.get("/f/nowhere").status_code == 404
    assert len(cache) == 0


def test_the_cache_is_bounded(client, make, cache, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_ENTRIES", 3)
    topics = [make.topic(title=f"Topic number {n}") for n in range(5)]
    for topic in topics:
        client.get(f"/t/{topic.id}-{topic.slug}")
    assert len(cache) == 3

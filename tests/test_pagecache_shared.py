"""Several app servers, one forum: with REDIS_URL the visitors' page cache and the buffered
view counts live in Redis, and each write drops exactly the pages it changes, on every
server at once. Two apps built separately stand for two servers."""
from __future__ import annotations

import uuid

import pytest
import redis
from flask import template_rendered
from sqlalchemy import select

from forum import pagecache
from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Forum, Post, Topic
from forum.extensions import db
from forum.moderation import services as moderation
from forum.notify import services as notify
from forum.polls import services as polls
from forum.search.forms import SearchForm
from tests.conftest import record_round_trips
from tests.factories import PASSWORD

REDIS = "redis://127.0.0.1:6379/13"


PREFIX = f"forum-test-{uuid.uuid4().hex}:"  # this process's keys only


@pytest.fixture
def servers(other_app):
    """Two apps on the test database sharing one Redis database, under keys of this test
    process's own (another run of the suite on the machine may use the same database)."""
    client = redis.Redis.from_url(REDIS)

    def clear():
        for key in client.scan_iter(f"{PREFIX}*", count=500):
            client.delete(key)
    clear()
    yield [other_app(REDIS_URL=REDIS, PAGE_CACHE_SECONDS=60, VIEW_FLUSH_SECONDS=3600,
                     PAGE_CACHE_PREFIX=f"{PREFIX}pagecache:",
                     VIEW_COUNT_KEY=f"{PREFIX}views:pending")
           for _ in range(2)]
    clear()
    client.close()


def _cached(client, url: str) -> str:
    """Load a visitor's page twice: the second answer comes from the shared cache."""
    assert client.get(url).status_code == 200, url
    response = client.get(url)
    assert response.headers.get("X-Page-Cache") == "hit", url
    return response.text


def test_a_reply_on_one_server_is_seen_by_a_visitor_on_the_other_at_once(servers, make):
    first, second = servers
    topic = make.topic(title="Records retention schedules")
    url = f"/t/{topic.id}-{topic.slug}"
    visitor = second.test_client()
    assert "Filed under GRS 5.2" not in _cached(visitor, url)
    member = first.test_client()
    assert member.post("/login", data={"login": make.user().email, "password": PASSWORD}
                       ).status_code == 302
    assert member.post(f"/t/{topic.id}/reply", data={"body": "Filed under GRS 5.2"}
                       ).status_code == 302
    response = visitor.get(url)
    assert response.headers["X-Page-Cache"] == "miss"
    assert "Filed under GRS 5.2" in response.text
    # ... and the first server's visitors share that fresh copy.
    assert first.test_client().get(url).headers["X-Page-Cache"] == "hit"


def test_a_reply_drops_its_topic_forum_and_listings_but_not_other_topics_or_forums(
        servers, make):
    first, second = servers
    here, elsewhere = make.forum(slug="here"), make.forum(slug="elsewhere")
    topic = make.topic(forum=here)
    other_topic = make.topic(forum=here, title="Another topic in the same forum")
    far_topic = make.topic(forum=elsewhere, title="A topic in another forum")
    visitor = second.test_client()
    kept = {"/", "/f/here", "/f/elsewhere", f"/t/{topic.id}-{topic.slug}",
            f"/t/{other_topic.id}-{other_topic.slug}", f"/t/{far_topic.id}-{far_topic.slug}",
            f"/feeds/t/{topic.id}.atom", "/feeds/latest.atom"}
    for url in kept:
        _cached(visitor, url)
    with first.app_context():
        board.post_reply(db.session.get(User, topic.author_id),
                         db.session.get(Topic, topic.id), "A new reply.")
        db.session.commit()
    again = {url: visitor.get(url).headers["X-Page-Cache"] for url in kept}
    assert again == {"/": "miss", "/f/here": "miss", "/f/elsewhere": "hit",
                     f"/t/{topic.id}-{topic.slug}": "miss",
                     f"/t/{other_topic.id}-{other_topic.slug}": "hit",
                     f"/t/{far_topic.id}-{far_topic.slug}": "hit",
                     f"/feeds/t/{topic.id}.atom": "miss", "/feeds/latest.atom": "miss"}


def _edit(topic, moderator, elsewhere):
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    board.edit_post(db.session.get(User, post.author_id), post, "Edited opening post.")


def _hide(topic, moderator, elsewhere):
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.position == 2))
    board.hide_post(moderator, post, "Off topic")


def _move(topic, moderator, elsewhere):
    moderation.move_topic(moderator, topic, elsewhere, "Belongs there")


def _lock(topic, moderator, elsewhere):
    moderation.lock_topic(moderator, topic, True, "Settled")


def _helpful(topic, moderator, elsewhere):
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.position == 2))
    polls.set_helpful(moderator, post, True)


def _new_topic(topic, moderator, elsewhere):
    board.create_topic(moderator, topic.forum, "A brand new question", "Body text.")


def _nothing(topic, moderator, elsewhere):
    pass


@pytest.mark.parametrize("write, dropped", [
    (_edit, True), (_hide, True), (_move, True), (_lock, True), (_helpful, True),
    (_nothing, False)])
def test_each_write_drops_its_topic_page_on_every_server(servers, make, write, dropped):
    first, second = servers
    topic = make.topic(replies=1, repliers=[make.user()])
    moderator = make.user(role=Role.MODERATOR)
    elsewhere = make.forum(slug="elsewhere")
    url = f"/t/{topic.id}-{topic.slug}"
    visitor = second.test_client()
    before = _cached(visitor, url)
    with first.app_context():
        write(db.session.get(Topic, topic.id), db.session.get(User, moderator.id),
              db.session.get(Forum, elsewhere.id))
        db.session.commit()
    response = visitor.get(url)
    assert (response.headers["X-Page-Cache"] == "miss") is dropped
    assert (response.text != before) is dropped


def test_a_new_topic_drops_its_forum_page_on_every_server(servers, make):
    first, second = servers
    forum = make.forum(slug="here")
    make.topic(forum=forum)
    visitor = second.test_client()
    _cached(visitor, "/f/here")
    moderator = make.user(role=Role.MODERATOR)
    with first.app_context():
        _new_topic(make.topic(forum=forum), db.session.get(User, moderator.id), None)
        db.session.commit()
    assert "A brand new question" in visitor.get("/f/here").text


def test_a_write_rolled_back_drops_nothing(servers, make):
    first, second = servers
    topic = make.topic()
    url = f"/t/{topic.id}-{topic.slug}"
    visitor = second.test_client()
    _cached(visitor, url)
    with first.app_context():
        board.post_reply(db.session.get(User, topic.author_id),
                         db.session.get(Topic, topic.id), "Never saved.")
        db.session.rollback()
    assert visitor.get(url).headers["X-Page-Cache"] == "hit"


def test_view_counts_are_shared_and_written_once(servers, make, app):
    first, second = servers
    topic = make.topic()
    url = f"/t/{topic.id}-{topic.slug}"
    for server in (first, second, first):
        server.test_client().get(url)  # the third is a cached page: still a view
    for server in servers:
        with server.app_context():
            assert server.extensions["forum.views"].pending(topic.id) == 3
    with second.app_context():
        assert second.extensions["forum.views"].flush() == 1
    with first.app_context():
        assert first.extensions["forum.views"].flush() == 0
        assert first.extensions["forum.views"].pending(topic.id) == 0
    with app.app_context():
        assert db.session.get(Topic, topic.id).view_count == 3


def test_a_kept_topic_page_is_served_and_its_view_counted_in_one_round_trip(servers, make,
                                                                           monkeypatch):
    """A visitor's kept topic page: the look-up (page and versions) and the view's HINCRBY
    are one script, one round trip (they were an MGET, then a HINCRBY)."""
    first, second = servers
    topic = make.topic()
    url = f"/t/{topic.id}-{topic.slug}"
    assert first.test_client().get(url).status_code == 200  # rendered and kept
    visitor = second.test_client()
    assert visitor.get("/").status_code == 200  # the second server's connection is open
    trips = record_round_trips(monkeypatch)
    response = visitor.get(url)
    assert response.headers["X-Page-Cache"] == "hit"
    assert trips == [["EVALSHA"]], trips
    with second.app_context():
        assert second.extensions["forum.views"].pending(topic.id) == 2


def test_a_held_page_is_the_one_in_redis_or_fetched_again(servers, make, monkeypatch):
    """A worker holds a large kept page it fetched or kept, and while Redis has the same
    copy the look-up answers only its head (not the page's tens of KB), its view still
    counted; a newer copy kept by another server is fetched, and a page gone from Redis is
    rendered, never served from the held copy alone."""
    first, second = servers
    topic = make.topic(title="Shared drives", replies=12)
    url = f"/t/{topic.id}-{topic.slug}"
    store = pagecache.store(second)
    answers = []
    real = store._fetch_page
    monkeypatch.setattr(store, "_fetch_page", lambda **kw: (answers.append(real(**kw)),
                                                            answers[-1])[1])
    assert first.test_client().get(url).headers["X-Page-Cache"] == "miss"  # kept
    visitor = second.test_client()
    fetched = visitor.get(url)
    assert fetched.headers["X-Page-Cache"] == "hit"
    assert len(answers[-1][0]) > len(fetched.data) > pagecache.HELD_SMALLEST  # whole
    again = visitor.get(url)
    assert again.headers["X-Page-Cache"] == "hit" and again.data == fetched.data
    assert len(answers[-1][0]) < 300  # its head only
    with second.app_context():
        assert second.extensions["forum.views"].pending(topic.id) == 3
    for page in ("/", "/latest"):  # pages that count no view: held the same way
        assert first.test_client().get(page).status_code == 200
        assert visitor.get(page).data == visitor.get(page).data
        assert len(answers[-1][0]) < 300
    with first.app_context():
        board.post_reply(db.session.get(User, topic.author_id),
                         db.session.get(Topic, topic.id), "Mapped drives are going away.")
        db.session.commit()
    assert first.test_client().get(url).headers["X-Page-Cache"] == "miss"  # kept anew
    newer = visitor.get(url)
    assert newer.headers["X-Page-Cache"] == "hit" and b"Mapped drives are going" in newer.data
    assert len(answers[-1][0]) > pagecache.HELD_SMALLEST  # the newer copy, fetched
    for page in list(store._held_pages):  # Redis's copy expires
        store.client.delete(page)
    assert visitor.get(url).headers["X-Page-Cache"] == "miss"


def test_a_stale_kept_topic_page_is_rendered_and_its_view_counted_once(servers, make):
    """A kept page whose topic has changed since is not served, and its look-up counts
    nothing: the page rendered afresh counts the view, once."""
    first, second = servers
    topic = make.topic()
    url = f"/t/{topic.id}-{topic.slug}"
    assert first.test_client().get(url).status_code == 200  # kept
    with first.app_context():
        board.post_reply(db.session.get(User, topic.author_id),
                         db.session.get(Topic, topic.id), "A reply makes the copy stale.")
        db.session.commit()
    response = second.test_client().get(url)
    assert response.headers.get("X-Page-Cache") == "miss"
    with second.app_context():
        assert second.extensions["forum.views"].pending(topic.id) == 2


def test_without_redis_pages_are_rendered_afresh(other_app, make):
    away = other_app(REDIS_URL="redis://127.0.0.1:1/0", PAGE_CACHE_SECONDS=60,
                     REDIS_TIMEOUT=0.2)
    topic = make.topic(title="Still served")
    client = away.test_client()
    for _ in range(2):
        response = client.get(f"/t/{topic.id}-{topic.slug}")
        assert response.status_code == 200 and "Still served" in response.text
        assert "X-Page-Cache" not in response.headers


def test_with_redis_away_views_wait_in_memory_and_the_page_counts_them(other_app, make):
    """The view rides with the fragments' look-up; when Redis does not answer it, the view
    is counted all the same (in this process, until Redis is back or the next flush)."""
    away = other_app(REDIS_URL="redis://127.0.0.1:1/0", POST_LIST_CACHE_SECONDS=30,
                     REDIS_TIMEOUT=0.2, VIEW_FLUSH_SECONDS=3600)
    topic = make.topic(title="Counted while Redis is away")
    client = away.test_client()
    for number in (1, 2):
        page = client.get(f"/t/{topic.id}-{topic.slug}").text
        assert f"{number} view" in page, number
    with away.app_context():
        assert away.extensions["forum.views"].pending(topic.id) == 2


def test_a_topic_page_shows_every_servers_views_asking_redis_once(servers, make, login, monkeypatch):
    """The page says how many views, stored and waiting in Redis from every server: HINCRBY
    answers with the count, so the view is counted and read in one call, which goes in the
    round trip of the page's fragments."""
    first, second = servers
    topic = make.topic()
    url = f"/t/{topic.id}-{topic.slug}?page=1"  # not kept: every request renders
    member = make.user()
    pages = []
    for server in (first, second, first):
        client = server.test_client()
        login(member, client=client)  # a member: rendered, never a cached page
        pages.append(client.get(url).text)
    assert ["1 view" in pages[0], "2 views" in pages[1], "3 views" in pages[2]] == [True] * 3
    client = second.test_client()
    login(member, client=client)
    trips = record_round_trips(monkeypatch)
    assert "4 views" in client.get(url).text
    counted = [trip for trip in trips if "HINCRBY" in trip or "HGET" in trip]
    # (GETs: the checks of the kept topic and of the member's facts about it)
    assert counted == [["GET", "GET", "MGET", "HINCRBY"]], trips


@pytest.mark.parametrize("number", [1, 2])
def test_a_members_topic_page_looks_up_every_kept_fragment_in_one_call(servers, make, login,
                                                                       monkeypatch, number):
    """The post list, what follows the opening post, the suggested topics and the reply
    form come from one MGET (a page had one each), and the view is counted in the same
    round trip (it was a HINCRBY of its own). So does the check of the member kept from
    their last page (forum/accounts/membercache.py, "Checked"): the generation's GET,
    which was a round trip of its own before the look-up; and the check of the kept topic
    and of the member's facts about it (forum/keptrows.py), which were a statement."""
    first, _ = servers
    first.config["POST_LIST_CACHE_SECONDS"] = 30
    first.config["POSTS_PER_PAGE"] = 5
    topic = make.topic(replies=8)
    make.topic(title="Another topic", forum=topic.forum)
    url = f"/t/{topic.id}-{topic.slug}" + (f"?page={number}" if number > 1 else "")
    client = first.test_client()
    login(make.user(), client=client)
    assert client.get(url).status_code == 200  # renders and keeps the fragments
    assert "2 views" in client.get(url).text
    trips = record_round_trips(monkeypatch)
    page_text = client.get(url).text
    assert "Another topic" in page_text and 'action="/t/' in page_text
    assert "3 views" in page_text
    # (a large fragment this worker holds is checked by its head alone: GETRANGE)
    assert len(trips) == 1, trips
    assert trips[0][:4] == ["GET", "GET", "GET", "MGET"] and trips[0][-1] == "HINCRBY", trips
    assert set(trips[0][4:-1]) <= {"GETRANGE"}, trips


def test_a_members_search_looks_up_its_forums_form_and_results_in_one_call(
        servers, make, login, monkeypatch):
    """Named by the search's arguments, the results are looked up with the forums and the
    form it offers (they were a round trip of their own); searching by an author, who must
    be found by name first, takes one more. New posts are found all the same."""
    first, _ = servers
    first.config["POST_LIST_CACHE_SECONDS"] = 30
    author = make.user("Rota Writer")
    topic = make.topic(title="Rota planning for the winter", author=author)
    client = first.test_client()
    login(make.user(), client=client)
    for url in ("/search?q=rota", "/search?q=rota&author=Rota+Writer"):
        assert f"/t/{topic.id}-" in client.get(url).text  # renders and keeps
        trips = record_round_trips(monkeypatch)
        built = []
        real_init = SearchForm.__init__
        monkeypatch.setattr(SearchForm, "__init__", lambda self, *a, **k: (
            built.append(1), real_init(self, *a, **k))[1])
        page = client.get(url).text
        assert f"/t/{topic.id}-" in page and 'value="rota"' in page
        assert "<title>Search results for &ldquo;rota&rdquo;" in page
        looked_up = [trip for trip in trips if "MGET" in trip]
        assert looked_up == [["GET", "MGET"]] + ([["MGET"]] if "author" in url else []), trips
        # kept results were made by the same, valid, search: no form to build or check
        assert len(built) == (1 if "author" in url else 0)
        monkeypatch.undo()
    with first.app_context():  # a write on this server: drops what lists topics
        later = board.create_topic(db.session.get(User, author.id),
                                   db.session.get(Forum, topic.forum_id),
                                   "A rota for the spring", "Who covers the holidays?")
        db.session.commit()
        assert f"/t/{later.id}-" in client.get("/search?q=rota").text


def test_a_members_notifications_come_in_one_round_trip_and_follow_the_other_server(
        servers, make, login, monkeypatch, still_clock):  # (no window turns between views)
    """A member's page of notifications seen again is one look-up (the kept page and the
    check of the kept member, in one MGET), no statement; a notification written on the
    other server, and one marked read there, show on the next page."""
    first, second = servers
    first.config["POST_LIST_CACHE_SECONDS"] = 30
    reader = make.user("Reader")
    topic = make.topic(title="Shared notices")
    client = first.test_client()
    login(reader, client=client)
    client.get("/")
    with second.app_context():
        notify.notify(reader.id, "moderation", topic_id=topic.id, text="First notice.")
        db.session.commit()
    assert "First notice." in client.get("/notifications").text  # renders and keeps
    trips = record_round_trips(monkeypatch)
    assert "First notice." in client.get("/notifications").text
    assert trips == [["GET", "MGET"]], trips  # the member's generation, the kept page
    monkeypatch.undo()
    with second.app_context():
        notify.notify(reader.id, "moderation", topic_id=topic.id, text="Second notice.")
        db.session.commit()
    page = client.get("/notifications").text
    assert "Second notice." in page and page.count('class="notification unread"') == 2
    with second.app_context():
        notify.mark_all_read(db.session.get(User, reader.id))
        db.session.commit()
    assert 'class="notification unread"' not in client.get("/notifications").text


def _post_list_renders(app) -> list[str]:
    names: list[str] = []

    def record(sender, template, context, **extra):
        if template.name == "board/_post_list.html":
            names.append(template.name)
    template_rendered.connect(record, app)
    app.extensions["test.recorders"] = [*app.extensions.get("test.recorders", []), record]
    return names


def test_a_held_post_list_is_the_one_in_redis_or_fetched_again(servers, make, login, rendered):
    """A worker holds a large fragment it fetched (a topic's posts) and reads back only its
    head; when another server keeps a newer one (after a reply), the held copy is not
    used: the newer one is fetched, not rendered again; when Redis no longer has it
    (expired), the page renders it afresh."""
    first, second = servers
    for app in servers:
        app.config["POST_LIST_CACHE_SECONDS"] = 30
    topic = make.topic(title="Leave calendars", replies=20)
    url = f"/t/{topic.id}-{topic.slug}"
    readers = [login(make.user(), client=app.test_client()) for app in servers]
    renders = [_post_list_renders(app) for app in servers]
    for reader in readers:
        reader.get(url)
        reader.get(url)  # the second server fetched the first's list, and holds it
    assert [len(r) for r in renders] == [1, 0]
    assert any(len(found[0]) > 0 for found in pagecache.store(second)._held.values())
    writer = make.user()
    with first.app_context():
        board.post_reply(db.session.get(User, writer.id), db.session.get(Topic, topic.id),
                         "Public holidays are in the shared calendar now.")
        db.session.commit()
    assert "shared calendar now" in readers[0].get(url).text  # renders and keeps it
    assert "shared calendar now" in readers[1].get(url).text  # fetched: its copy was older
    assert [len(r) for r in renders] == [2, 0]
    with second.app_context():  # Redis's copy expires: the held one is not used alone
        store = pagecache.store(second)
        for page in list(store._held):
            store.client.delete(page)
    assert "shared calendar now" in readers[1].get(url).text
    assert [len(r) for r in renders] == [2, 1]


def test_a_fragment_looked_up_again_has_its_name_and_head_worked_out_once(servers,
                                                                          monkeypatch):
    """The store works out a key's Redis name (a SHA-256) and a stored head (JSON) once,
    and finds them again by the key and the head's bytes (a few us each, six or seven
    times a topic page)."""
    first, _ = servers
    with first.test_request_context("/"):
        store = pagecache.store(first)
        wanted = [("fragment:test-names", [pagecache.SITE])]
        versions = store.fetch_many(wanted)[0][1]
        store.store("fragment:test-names",
                    pagecache.Entry(b"small", "text/html", 0.0, None, versions), 60)
        parsed, hashed = [], []
        real_loads, real_sha = pagecache.json.loads, pagecache.hashlib.sha256
        monkeypatch.setattr(pagecache.json, "loads", lambda raw: (parsed.append(raw),
                                                                  real_loads(raw))[1])
        monkeypatch.setattr(pagecache.hashlib, "sha256", lambda raw: (hashed.append(raw),
                                                                      real_sha(raw))[1])
        for _ in range(3):
            (entry, _), = store.fetch_many(wanted)
            assert entry is not None and entry.body == b"small"
        assert len(parsed) == 1 and hashed == []

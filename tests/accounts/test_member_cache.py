"""The member cache (forum/accounts/membercache.py): a member's next page does not load who
they are again, and every write that changes it (a role, a log-out elsewhere, a new
session version, a notification, text SQL) is seen on their very next request, on every
app server."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import redis
from sqlalchemy import event, func, select, text, update

from forum import clock
from forum.accounts import membercache, sessions
from forum.accounts.models import MemberSession, Role, User
from forum.board import services as board
from forum.board.models import Post, Topic
from forum.extensions import db
from forum.redisconn import Trip
from tests.conftest import QueryCounter, record_round_trips

REDIS = "redis://127.0.0.1:6379/13"


def _member_loaded(server, client, url: str = "/settings") -> bool:
    """Load `url` from `server` (an app); whether the member's statement (with their session
    record) ran (QueryCounter)."""
    with server.app_context():
        engine = db.engine
    counter = QueryCounter()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return counter.member_loads == 1


def _write(app, statement) -> None:
    with app.app_context():
        db.session.execute(statement)
        db.session.commit()


def test_a_members_next_page_does_not_load_them_again(app, make, login, client):
    login(make.user())
    assert _member_loaded(app, client)
    assert not _member_loaded(app, client)
    assert not _member_loaded(app, client, "/articles")


def test_the_member_from_the_cache_is_a_row_of_the_request(app, make, login, client):
    """Relationships still load and a write through the kept member is saved."""
    member = make.user()
    login(member)
    client.get("/settings")
    assert client.post("/settings", data={"bio": "Records manager.",
                                          "time_zone": ""}).status_code in (200, 302)
    with app.app_context():
        assert db.session.get(User, member.id).bio == "Records manager."


@pytest.mark.parametrize("change", ["role", "session_version", "ended", "text_sql"])
def test_a_write_to_the_member_is_seen_on_their_next_request(app, make, login, client, change):
    member = make.user()
    login(member)
    client.get("/settings")
    assert not _member_loaded(app, client)  # kept
    if change == "role":
        _write(app, update(User).where(User.id == member.id).values(role=Role.MODERATOR))
        assert "Moderation" in client.get("/settings").text
        return
    if change == "session_version":
        _write(app, update(User).where(User.id == member.id)
               .values(session_version=User.session_version + 1))
    elif change == "ended":
        with app.app_context():
            sessions.end_all(db.session.get(User, member.id))
            db.session.commit()
    else:
        _write(app, text("UPDATE member_sessions SET ended_at = created_at"))
    response = client.get("/settings")
    assert response.status_code == 302 and "/login" in response.location


def test_a_new_notification_shows_on_the_next_page(app, make, login, client):
    member, other = make.user(), make.user()
    topic = make.topic(author=member)
    login(member)
    assert "unread notifications" not in client.get("/articles").text
    with app.app_context():
        board.post_reply(db.session.get(User, other.id), db.session.get(Topic, topic.id),
                         "An answer for you.")
        db.session.commit()
    assert "(1<span class=\"visually-hidden\"> unread notifications" in \
        client.get("/articles").text


def test_reading_a_topic_keeps_the_member(app, make, login, client):
    """Writes that change no kept member (read positions, view counts, "last seen") do not
    drop the cache."""
    member = make.user()
    topic = make.topic()
    login(member)
    client.get("/settings")
    assert client.get(f"/t/{topic.id}-{topic.slug}").status_code == 200
    assert not _member_loaded(app, client)


def test_last_seen_is_still_noted_and_idle_sessions_still_end(app, make, login, client):
    member = make.user()
    login(member)
    client.get("/settings")
    assert not _member_loaded(app, client)
    clock.advance(timedelta(seconds=app.config["SESSION_TOUCH_SECONDS"] + 1))
    assert _member_loaded(app, client)  # "last seen" due: loaded, and noted
    with app.app_context():
        seen = db.session.scalar(select(MemberSession.last_seen_at)
                                 .where(MemberSession.user_id == member.id))
    assert seen >= clock.now() - timedelta(seconds=1)
    assert not _member_loaded(app, client)  # noting it did not drop the member
    clock.advance(timedelta(days=app.config["SESSION_IDLE_DAYS"], seconds=1))
    response = client.get("/settings")
    assert response.status_code == 302 and "/login" in response.location


def test_entries_are_bounded(app, make, login, monkeypatch):
    cache = membercache.MemberCache(app, lambda: frozenset())
    monkeypatch.setattr(cache._entries, "limit", 2)
    monkeypatch.setitem(app.extensions, "forum.member_cache", cache)
    clients = [login(make.user(), client=app.test_client()) for _ in range(3)]
    for each in clients:
        each.get("/settings")
    assert len(cache._entries) == 2
    assert _member_loaded(app, clients[0])  # the oldest went first
    assert not _member_loaded(app, clients[2])


def test_off_when_several_processes_share_no_redis(other_app, make, login):
    server = other_app(MEMBER_CACHE_LOCAL=False, REDIS_URL=None)
    assert not server.extensions["forum.member_cache"].enabled
    browser = login(make.user(), client=server.test_client())
    for _ in range(2):
        assert _member_loaded(server, browser)


@pytest.fixture
def servers(other_app):
    """Two app servers sharing one Redis, under a generation key of this test's own."""
    key = f"forum-test-{uuid.uuid4().hex}:member-generation"
    client = redis.Redis.from_url(REDIS)
    yield [other_app(REDIS_URL=REDIS, MEMBER_CACHE_LOCAL=False, MEMBER_CACHE_KEY=key,
                     PAGE_CACHE_PREFIX=f"{key}:pages:") for _ in range(2)]
    client.delete(key)
    client.close()


def test_a_write_on_one_server_is_seen_by_the_member_on_the_other(servers, make, login):
    first, second = servers
    member = make.user()
    browser = login(member, client=second.test_client())
    _member_loaded(second, browser)
    assert not _member_loaded(second, browser)
    with first.app_context():  # a moderator's change, made on the other server
        db.session.execute(update(User).where(User.id == member.id).values(role=Role.MODERATOR))
        db.session.commit()
    assert _member_loaded(second, browser)
    assert "Moderation" in browser.get("/settings").text


def test_without_redis_answering_members_are_loaded_every_time(other_app, make, login):
    server = other_app(REDIS_URL="redis://127.0.0.1:1/0", MEMBER_CACHE_LOCAL=False,
                       REDIS_TIMEOUT=0.2)
    browser = login(make.user(), client=server.test_client())
    for _ in range(2):
        assert _member_loaded(server, browser)


# With Redis, a GET is served the member kept under the generation this worker read last and
# owes the check, which rides the page's round trip (membercache: "Checked").

def _kept_on(server, browser, page: str) -> None:
    assert browser.get(page).status_code == 200
    assert not _member_loaded(server, browser, page)


def test_with_redis_a_kept_member_is_checked_in_the_pages_one_round_trip(servers, make, login,
                                                                         monkeypatch):
    _, second = servers
    browser = login(make.user(), client=second.test_client())
    _kept_on(second, browser, "/articles")
    trips = record_round_trips(monkeypatch)
    assert browser.get("/articles").status_code == 200
    assert trips == [["GET", "MGET"]], trips  # the generation rides the look-up
    trips.clear()
    assert browser.get("/settings").status_code == 200
    assert trips == [["GET"]], trips  # no look-up: read alone, as the answer is ready


def test_with_redis_a_write_that_leaves_the_member_as_they_were_costs_no_second_try(
        servers, make, login, monkeypatch):
    first, second = servers
    member, other = make.user(), make.user()
    browser = login(member, client=second.test_client())
    _kept_on(second, browser, "/articles")
    _write(first, update(User).where(User.id == other.id).values(role=Role.MODERATOR))
    trips = record_round_trips(monkeypatch)
    assert _member_loaded(second, browser, "/articles")  # loaded again once, in the check
    assert trips == [["GET", "MGET"]], trips  # and the page was not made again
    assert not _member_loaded(second, browser, "/articles")  # kept under the new generation


@pytest.mark.parametrize("page", ["/articles", "/settings"])
@pytest.mark.parametrize("change", ["role", "logged_out", "notification"])
def test_with_redis_a_change_to_the_member_is_seen_on_their_next_page(servers, make, login,
                                                                      page, change):
    """Written on the other server; the kept member's check finds it and the page is made
    again, its first answer never sent."""
    first, second = servers
    member, other = make.user(), make.user()
    topic = make.topic(author=member)
    browser = login(member, client=second.test_client())
    _kept_on(second, browser, page)
    with first.app_context():
        if change == "role":
            db.session.execute(update(User).where(User.id == member.id)
                               .values(role=Role.MODERATOR))
        elif change == "logged_out":
            sessions.end_all(db.session.get(User, member.id))
        else:
            board.post_reply(db.session.get(User, other.id), db.session.get(Topic, topic.id),
                             "An answer for you.")
        db.session.commit()
    response = browser.get(page)
    assert "X-Forum-Made-Again" not in response.headers
    if change == "logged_out" and page == "/settings":
        assert response.status_code == 302 and "/login" in response.location
    elif change == "logged_out":  # a page for everyone: as a visitor
        assert response.status_code == 200 and "/logout" not in response.text
    elif change == "role":
        assert response.status_code == 200 and "Moderation" in response.text
    else:
        assert response.status_code == 200 and "unread notifications" in response.text


def test_with_redis_a_post_loads_the_member_first(servers, make, login):
    """A write is never made with a member assumed: suspended on one server, a kept member's
    reply on the other is refused (the same reply before was taken)."""
    first, second = servers
    member = make.user()
    topic = make.topic()
    browser = login(member, client=second.test_client())
    page = f"/t/{topic.id}-{topic.slug}"

    def reply(text: str, meanwhile=lambda: None) -> None:
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(page).text)
        _kept_on(second, browser, page)
        meanwhile()  # nothing asked of `second` between this and the POST
        browser.post(f"/t/{topic.id}/reply", data={"csrf_token": token.group(1),
                                                   "body": text, "submit": "Post reply"})

    def replies() -> int:
        with first.app_context():
            return db.session.scalar(select(func.count(Post.id)).where(
                Post.topic_id == topic.id, Post.author_id == member.id))
    reply("Taken, as the member may reply.")
    assert replies() == 1
    reply("Refused: suspended on the other server.", lambda: _write(
        first, update(User).where(User.id == member.id)
        .values(suspended_until=clock.now() + timedelta(days=3))))
    assert replies() == 1


def test_with_redis_not_answering_the_check_the_member_is_loaded_again(servers, make, login,
                                                                       monkeypatch):
    first, second = servers
    member = make.user()
    browser = login(member, client=second.test_client())
    _kept_on(second, browser, "/articles")
    real = Trip.execute

    def away(self, *args, **kwargs):
        raise redis.ConnectionError("away")
    monkeypatch.setattr(Trip, "execute", away)
    assert _member_loaded(second, browser, "/articles")  # the same: the page goes on
    monkeypatch.setattr(Trip, "execute", real)
    _kept_on(second, browser, "/articles")
    _write(first, update(User).where(User.id == member.id).values(role=Role.MODERATOR))
    monkeypatch.setattr(Trip, "execute", away)
    assert "Moderation" in browser.get("/articles").text  # changed: made again

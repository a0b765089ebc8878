"""Kept rows (forum/keptrows.py): a forum page's forum is kept per worker and checked in the
page's one Redis round trip; any change to it made on another server is seen on the next
page, a forum closed to its readers is closed at once, and a request never sees a row
it was not checked against."""
from __future__ import annotations

import uuid

import pytest
import redis
from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Mapper

from forum import keptrows
from forum.accounts.models import User
from forum.board import services as board
from forum.board.models import Forum, Topic
from forum.conversations import services as conversations
from forum.extensions import db
from forum.notify import services as notify
from forum.redisconn import Trip
from tests.conftest import record_round_trips

REDIS = "redis://127.0.0.1:6379/13"


@pytest.fixture
def servers(other_app):
    """Two app servers sharing one Redis under keys of this test's own, page cache off."""
    prefix = f"forum-test-{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(REDIS)
    yield [other_app(REDIS_URL=REDIS, MEMBER_CACHE_LOCAL=False, PAGE_CACHE_SECONDS=0,
                     MEMBER_CACHE_KEY=f"{prefix}member-generation",
                     PAGE_CACHE_PREFIX=f"{prefix}pages:", KEPT_ROWS_PREFIX=f"{prefix}rows:",
                     VIEW_COUNT_KEY=f"{prefix}views") for _ in range(2)]
    for key in client.scan_iter(f"{prefix}*", count=500):
        client.delete(key)
    client.close()


def _statements(server, browser, url: str, answers=(200,)) -> tuple[list[str], str]:
    """Load `url`: the statements it ran, and the page ("404" for a 404)."""
    with server.app_context():
        engine = db.engine
    seen: list[str] = []

    def note(conn, cursor, statement, *args) -> None:
        seen.append(statement)
    event.listen(engine, "before_cursor_execute", note)
    try:
        page = browser.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert page.status_code in answers, page.status_code
    return seen, page.text if page.status_code == 200 else str(page.status_code)


def _forum_reads(server, browser, url: str) -> tuple[int, str]:
    """Load `url`: how many statements read a forum by its slug, and the page ("404")."""
    statements, page = _statements(server, browser, url, (200, 404))
    return sum("FROM forums" in s and "forums.slug =" in s for s in statements), page


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_a_forum_page_reads_its_forum_once_then_checks_it_in_its_round_trip(
        servers, make, login, monkeypatch, who):
    _, second = servers
    forum = make.forum(slug="rotas", title="Rotas")
    browser = second.test_client()
    if who == "member":
        login(make.user(), client=browser)
    url = f"/f/{forum.slug}"
    assert _forum_reads(second, browser, url)[0] == 1  # read, and kept
    trips = record_round_trips(monkeypatch)
    reads, page = _forum_reads(second, browser, url)
    assert reads == 0 and "<h1>Rotas</h1>" in page
    looked_up = [trip for trip in trips if "MGET" in trip]
    assert len(looked_up) == 1 and looked_up[0].count("GET") == (2 if who == "member" else 1), \
        trips  # the forums' generation (and the member's) ride the look-up


def test_a_change_on_another_server_is_on_the_next_page(servers, make, login):
    first, second = servers
    forum = make.forum(slug="rotas", title="Rotas")
    browser = login(make.user(), client=second.test_client())
    url = f"/f/{forum.slug}"
    _forum_reads(second, browser, url)
    with first.app_context():
        db.session.execute(update(Forum).where(Forum.id == forum.id)
                           .values(title="Rotas and shifts", description="Who works when."))
        db.session.commit()
    reads, page = _forum_reads(second, browser, url)
    assert "<h1>Rotas and shifts</h1>" in page and "Who works when." in page
    assert reads == 2  # read again in the check; changed: read by the page made again
    with first.app_context():  # a new topic: the forum's counts
        author = db.session.get(User, make.user().id)
        board.create_topic(author, db.session.get(Forum, forum.id), "Night shifts", "How?")
        db.session.commit()
    assert "1 topic, 1 post" in _forum_reads(second, browser, url)[1]


def test_a_forum_closed_to_its_readers_is_closed_on_the_next_page(servers, make, login):
    first, second = servers
    forum = make.forum(slug="rotas", title="Rotas")
    browser = login(make.user(), client=second.test_client())
    url = f"/f/{forum.slug}"
    assert "<h1>Rotas</h1>" in _forum_reads(second, browser, url)[1]
    with first.app_context():
        db.session.execute(update(Forum).where(Forum.id == forum.id)
                           .values(read_restricted=True))
        db.session.commit()
    assert _forum_reads(second, browser, url)[1] == "404"


def test_a_write_elsewhere_costs_one_read_and_no_second_try(servers, make, login,
                                                              monkeypatch):
    first, second = servers
    forum, other = make.forum(slug="rotas"), make.forum(slug="budgets")
    browser = login(make.user(), client=second.test_client())
    url = f"/f/{forum.slug}"
    _forum_reads(second, browser, url)
    with first.app_context():
        db.session.execute(update(Forum).where(Forum.id == other.id).values(title="Money"))
        db.session.commit()
    trips = record_round_trips(monkeypatch)
    assert _forum_reads(second, browser, url)[0] == 1  # read in the check: the same
    assert len([trip for trip in trips if "MGET" in trip]) == 1, trips  # not made again
    assert _forum_reads(second, browser, url)[0] == 0  # kept under the new generation


def test_without_redis_answering_the_forum_is_read(servers, make, login, monkeypatch):
    _, second = servers
    forum = make.forum(slug="rotas", title="Rotas")
    browser = login(make.user(), client=second.test_client())
    url = f"/f/{forum.slug}"
    _forum_reads(second, browser, url)

    def away(self, *args, **kwargs):
        raise redis.ConnectionError("away")
    monkeypatch.setattr(Trip, "execute", away)
    reads, page = _forum_reads(second, browser, url)
    assert reads == 1 and "<h1>Rotas</h1>" in page


def test_a_topic_in_the_forum_reads_it_as_before(servers, make, login):
    """The kept forum is the page's own: other pages still load theirs (a topic's)."""
    _, second = servers
    topic = make.topic()
    browser = login(make.user(), client=second.test_client())
    with second.app_context():
        forum = db.session.get(Topic, topic.id).forum
        slug = forum.slug
    _forum_reads(second, browser, f"/f/{slug}")
    assert browser.get(f"/t/{topic.id}-{topic.slug}").status_code == 200


# A profile's member (accounts.queries.MEMBERS_BY_NAME): kept, and the Block button asks
# nothing of a viewer who blocks no one (conversations' "blocks_anyone" session fact).

def _block_button(page: str) -> str:
    form = page.split('class="post-actions member-actions"')[1].split("</ul>")[0]
    return form.split('class="link-button">')[-1].split("<")[0]


def test_a_profile_asks_nothing_of_a_kept_member_and_a_viewer_who_blocks_no_one(
        servers, make, login):
    _, second = servers
    ann = make.user("Ann Archivist")
    browser = login(make.user(), client=second.test_client())
    url = "/u/Ann Archivist"
    browser.get(url)  # reads and keeps (and the fragments)
    statements, page = _statements(second, browser, url)
    assert statements == [] and "Ann Archivist" in page and _block_button(page) == "Block"
    assert 'Archivist/block"' in page and ann.id


def test_a_profile_follows_changes_made_on_another_server(servers, make, login):
    first, second = servers
    ann = make.user("Ann Archivist")
    viewer = make.user()
    browser = login(viewer, client=second.test_client())
    url = "/u/Ann Archivist"
    browser.get(url)
    browser.get(url)
    with first.app_context():  # her bio, changed elsewhere
        db.session.execute(update(User).where(User.id == ann.id)
                           .values(bio_html="<p>Keeper of the records.</p>"))
        db.session.commit()
    assert "Keeper of the records." in browser.get(url).text
    with first.app_context():  # the viewer blocks her, elsewhere
        conversations.block(db.session.get(User, viewer.id), db.session.get(User, ann.id))
        db.session.commit()
    assert _block_button(browser.get(url).text) == "Unblock"


# A topic page's topic, forum and facts about it (board.queries.TOPICS), and a member's
# facts about it (following? read to where?: board.queries.VIEWER_TOPIC_FACTS).

@pytest.mark.parametrize("who", ["visitor", "member"])
def test_a_topic_page_read_again_asks_nothing(servers, make, login, who):
    _, second = servers
    topic = make.topic(replies=2)
    browser = second.test_client()
    if who == "member":
        login(make.user(), client=browser)
    url = f"/t/{topic.id}-{topic.slug}"
    browser.get(url)  # reads and keeps
    browser.get(url)
    statements, page = _statements(second, browser, url)
    assert topic.title in page and "Reply number 2." in page
    assert statements == [], statements


def test_a_topic_changed_or_closed_elsewhere_is_so_on_the_next_page(servers, make, login):
    first, second = servers
    topic = make.topic()
    browser = login(make.user(), client=second.test_client())
    url = f"/t/{topic.id}-{topic.slug}"
    browser.get(url)
    browser.get(url)
    with first.app_context():
        db.session.execute(update(Topic).where(Topic.id == topic.id).values(locked=True))
        db.session.commit()
    assert "This topic is locked, so no new replies can be added." in browser.get(url).text
    with first.app_context():  # its forum closed to its readers
        db.session.execute(update(Forum).where(Forum.id == topic.forum_id)
                           .values(read_restricted=True))
        db.session.commit()
    assert browser.get(url).status_code == 404


def test_following_or_reading_a_topic_elsewhere_shows_on_the_next_page(servers, make, login):
    first, second = servers
    topic = make.topic()
    member = make.user()
    browser = login(member, client=second.test_client())
    url = f"/t/{topic.id}-{topic.slug}"
    browser.get(url)
    before = browser.get(url).text
    with first.app_context():
        notify.subscribe_topic(db.session.get(User, member.id), db.session.get(Topic, topic.id))
        db.session.commit()
    after = browser.get(url).text
    assert "/unfollow" in after and "/unfollow" not in before
    with first.app_context():  # read to its last post in another tab: nothing new to mark
        board.post_reply(db.session.get(User, make.user().id), db.session.get(Topic, topic.id),
                         "A new reply.")
        db.session.commit()
    assert "A new reply." in browser.get(url).text


def test_a_row_made_from_kept_columns_joins_the_session_without_walking_its_relationships(
        app, make, monkeypatch):
    """keptrows.made puts a row into the request's session as a loaded row would be:
    persistent, found again by its id, its relationships loading when asked. It skips
    Session.add's save-update cascade: a row made from its columns has no relationship
    loaded, so the cascade finds nothing, and walking every relationship of a Topic was
    ~100 us of a member's topic page (bench/README.md, session 22)."""
    topic = make.topic(title="Travel claims")
    walked = []
    real = Mapper.cascade_iterator
    monkeypatch.setattr(Mapper, "cascade_iterator",
                        lambda self, *a, **k: (walked.append(self), real(self, *a, **k))[1])
    with app.app_context():
        with db.engine.connect() as conn:
            columns = dict(conn.execute(Topic.__table__.select().where(
                Topic.id == topic.id)).mappings().one())
        kept = {attr: columns[col.name] for attr, col in keptrows.columns_of(Topic)}
        row = keptrows.made(Topic, kept)
        assert walked == []
        assert inspect(row).persistent and db.session.get(Topic, topic.id) is row
        assert keptrows.made(Topic, kept) is row  # the same row again
        assert row.forum.id == topic.forum_id and row.title == "Travel claims"
        assert not db.session.dirty and not db.session.new

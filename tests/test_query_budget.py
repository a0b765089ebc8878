"""Pages cost a fixed number of SQL queries, however much data there is."""
from __future__ import annotations

import pytest

from forum.extensions import db
from forum.notify import services as notify

BUDGET = 7  # the most a page here runs (a poll's topic, first view of a deep page); was 12


# A kept fragment's 30-second window turning between two counts would add the statements of
# a render to one of them: the clock stands still (conftest.still_clock).
pytestmark = pytest.mark.usefixtures("still_clock")


def _queries(client, count_queries, url):
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


@pytest.fixture
def pages(make):
    def build(replies):
        forum = make.forum(slug="budget")
        for i in range(3):
            make.topic(forum=forum, title=f"Side topic {i}", replies=1)
        topic = make.long_topic(replies, forum=forum)
        return {"index": "/", "forum": "/f/budget", "topic": f"/t/{topic.id}-{topic.slug}"}
    return build


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "member"])
def test_index_forum_and_topic_pages_cost_the_same_with_1_and_500_replies(
        client, make, login, pages, count_queries, app, logged_in):
    from tests.conftest import _clean
    costs = {}
    for replies in (1, 500):
        if logged_in:
            login(make.user())
        urls = pages(replies)
        costs[replies] = {name: _queries(client, count_queries, url)
                          for name, url in urls.items()}
        _clean(app)
        client.post("/logout")
    assert costs[1] == costs[500]
    assert max(costs[500].values()) <= BUDGET, costs


def test_last_page_of_1000_replies_costs_what_the_first_does(client, make, login,
                                                             count_queries):
    topic = make.long_topic(1000)
    login(make.user())
    url = f"/t/{topic.id}-{topic.slug}"
    for page in (1, 41):  # the first view of each page records how far the member has read
        client.get(f"{url}?page={page}")
    first = _queries(client, count_queries, url)
    last = _queries(client, count_queries, f"{url}?page=41")
    # The opening post's page also lists the topic's pings (one query); a deep page costs
    # no more than the first.
    assert last <= first <= last + 1 <= BUDGET
    assert "page=40" in client.get(f"{url}?page=41").text  # it really is the last page


def test_poll_and_500_voted_replies_add_at_most_two_queries(client, make, login, app,
                                                           count_queries):
    from forum.accounts.models import User
    from forum.board.models import Post, Topic
    from forum.extensions import db
    from forum.polls import services as polls
    from sqlalchemy import update
    topic = make.long_topic(500)
    viewer = make.user()
    login(viewer)
    url = f"/t/{topic.id}-{topic.slug}"
    before = _queries(client, count_queries, url)
    with app.app_context():
        author = db.session.get(User, topic.author_id)
        poll = polls.create_poll(author, db.session.get(Topic, topic.id), "Which option?",
                                 ["One", "Two", "Three"])
        polls.cast_vote(db.session.get(User, viewer.id), poll, [poll.options[0].id])
        db.session.execute(update(Post).where(Post.topic_id == topic.id)
                           .values(vote_count=3))
        db.session.commit()
    for page in ("", "?page=21", "?sort=helpful"):
        assert _queries(client, count_queries, url + page) <= min(before + 2, BUDGET)


# A topic page, statement by statement. Visitor: the topic (its forum joined, whether it
# has a poll; its last and accepted posts too unless its body is likely kept), and its
# poll only when it has one; its posts (authors joined) only when nobody has seen the
# page since the topic changed: the body (board/topicbody.py) and the list everyone sees,
# kept with its posts' facts (board/postlist.py), are kept; so are the opening post's
# pings and the suggested topics (pagecache.kept_fragment), so a page seen before by
# anyone of the viewer's scope costs no query for them. A member costs what a visitor does
# (loading them with the header's facts is counted apart, QueryCounter, and mostly kept
# between their requests: forum/accounts/membercache.py; their follow state and read mark
# come with the topic, TOPIC_VIEWER), and when anyone found a post on the page helpful,
# their own helpful marks. A page seen before writes nothing; reading further is one upsert
# of the read mark and one UPDATE of the notifications about the posts shown.
TOPIC_PAGE = {"visitor": 1, "member": 1}


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_topic_page_statements(client, make, login, count_queries, who):
    topic = make.topic(replies=30)
    if who == "member":
        login(make.user())
    url = f"/t/{topic.id}-{topic.slug}"
    client.get(url)  # the read mark's first write
    assert _queries(client, count_queries, url) == TOPIC_PAGE[who]
    # a deeper page (its suggested topics kept already, its posts and body not yet) moves
    # the member's read mark
    deeper = _queries(client, count_queries, url + "?page=2")
    assert deeper == TOPIC_PAGE[who] + 1 + (2 if who == "member" else 0)
    assert _queries(client, count_queries, url + "?page=2") == TOPIC_PAGE[who]


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_a_topics_poll_costs_a_statement_only_when_it_has_one(
        app, client, make, login, count_queries, who):
    from forum.accounts.models import User
    from forum.board.models import Topic
    from forum.extensions import db
    from forum.polls import services as polls
    topic = make.topic(replies=3)
    if who == "member":
        login(make.user())
    url = f"/t/{topic.id}-{topic.slug}"
    client.get(url)
    without = _queries(client, count_queries, url)
    with app.app_context():
        polls.create_poll(db.session.get(User, topic.author_id), db.session.get(Topic, topic.id),
                          "Which day suits?", ["Monday", "Friday"])
        db.session.commit()
    client.get(url)  # the new poll dropped the kept fragments
    page = client.get(url).text
    assert "Which day suits?" in page and "Friday" in page
    # the poll with its options; for a member, also the options they chose
    assert _queries(client, count_queries, url) == without + (2 if who == "member" else 1)


@pytest.mark.parametrize("kept", [True, False], ids=["kept", "fragments off"])
def test_a_members_helpful_marks_are_looked_up_only_where_a_post_was_found_helpful(
        app, client, make, login, count_queries, monkeypatch, kept):
    """Made afresh, a page asks for the member's marks only where someone found a post
    helpful; kept, the marks are kept beside the post list (polls.services.kept_helpful)."""
    from forum.accounts.models import User
    from forum.board.models import Post
    from forum.extensions import db
    from forum.polls import services as polls
    if not kept:
        monkeypatch.setitem(app.config, "POST_LIST_CACHE_SECONDS", 0)
    topic = make.topic(replies=5)
    viewer, other = make.user(), make.user()
    login(viewer)
    url = f"/t/{topic.id}-{topic.slug}"
    client.get(url)
    nobody = _queries(client, count_queries, url)
    with app.app_context():
        reply = db.session.scalar(db.select(Post).where(Post.topic_id == topic.id,
                                                        Post.position == 3))
        polls.set_helpful(db.session.get(User, other.id), reply, True)
        db.session.commit()
    client.get(url)  # the vote dropped the kept post list: rendered and kept again
    somebody = _queries(client, count_queries, url)
    assert somebody == nobody + (0 if kept else 1)
    page = client.get(url).text
    assert page.count('aria-pressed="true"') == 0  # the viewer's own marks: none yet
    with app.app_context():
        polls.set_helpful(db.session.get(User, viewer.id), db.session.get(Post, reply.id), True)
        db.session.commit()
    assert client.get(url).text.count('aria-pressed="true"') == 1


# Another member's profile: the member by name, with whether the viewer blocks them (a
# profile fact, accounts.queries.PROFILE_FACTS: asked once for the form's action and its
# button). Their recent activity, the counts of their posts the viewer may not read and the
# groups shown to the viewer's scope are kept fragments: the first view counts them, later
# ones don't. Loading the logged-in member is counted apart (QueryCounter).
PROFILE_PAGE = {"visitor": 1, "member": 1}
# the out-of-sight counts, their recent topics, their recent replies, the groups shown
KEPT_ON_FIRST_VIEW = 4


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_profile_page_statements(client, make, login, count_queries, who):
    author = make.user("Prolific Person")
    make.topic(author=author, replies=2)
    if who == "member":
        login(make.user())
    first = _queries(client, count_queries, "/u/Prolific Person")  # keeps what it may
    assert _queries(client, count_queries, "/u/Prolific Person") == PROFILE_PAGE[who]
    assert first == PROFILE_PAGE[who] + KEPT_ON_FIRST_VIEW


# A member's notifications: the page of them with how many there are in one statement (the
# count a scalar subquery beside each row, notify.queries.notifications_page); a page asked
# past the end (no row to carry the count) counts them, then reads the last page.
NOTIFICATIONS_PAGE = 1


def test_notifications_page_statements(app, client, make, login, count_queries):
    reader, writer = make.user(), make.user()
    topic = make.topic(author=reader)
    login(reader)
    assert _queries(client, count_queries, "/notifications") == NOTIFICATIONS_PAGE  # none
    with app.app_context():
        for i in range(35):
            notify.notify(reader.id, "moderation", actor_id=writer.id, topic_id=topic.id,
                          text=f"Note {i}.")
        db.session.commit()
    assert _queries(client, count_queries, "/notifications") == NOTIFICATIONS_PAGE
    assert _queries(client, count_queries, "/notifications?page=2") == NOTIFICATIONS_PAGE
    assert _queries(client, count_queries, "/notifications?page=9") == NOTIFICATIONS_PAGE + 2

"""A topic page's body is rendered once per kind of viewer on a page of the topic and kept
(board/topicbody.py); each viewer's own parts go in its markers, and any write to the topic
drops it."""
from __future__ import annotations

import re
from datetime import timedelta

from forum import clock, pagecache
from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Topic
from forum.extensions import db
from forum.moderation import services as moderation
from forum.polls import services as polls
from tests.factories import PASSWORD
from tests.test_csrf import _log_in

BODY = "board/_topic_body.html"
FOLLOW = re.compile(r'<form method="post" class="follow" action="([^"]+)">(.*?)</form>', re.S)


def test_one_body_per_kind_of_viewer_each_seeing_their_own(app, make, login, rendered):
    moderator = make.user(role=Role.MODERATOR)
    topic = make.topic(replies=2)
    url = f"/t/{topic.id}-{topic.slug}"
    visitor, members = app.test_client(), [login(make.user(), client=app.test_client())
                                           for _ in range(3)]
    mod = login(moderator, client=app.test_client())
    for _ in range(2):  # the second round is served from the kept bodies
        seen = visitor.get(url).text
        assert "Log in to reply" in seen and "Moderator tools" not in seen
        assert 'class="follow"' not in seen and "<!--topic:" not in seen
        for member in members:
            page = member.get(url).text
            assert 'id="reply-title"' in page and 'action="/t/' in page
            assert "Log in to reply" not in page and "Moderator tools" not in page
            assert "Follow this topic" in page and "<!--topic:" not in page
        assert "Moderator tools" in mod.get(url).text
    assert rendered.count(BODY) == 3  # the visitors', the members', the moderators'


def test_each_member_gets_their_own_follow_state_token_and_view_count(csrf_app, make,
                                                                      other_app):
    protected = csrf_app
    topic = make.topic(title="Followed by some")
    url = f"/t/{topic.id}-{topic.slug}?page=1&utm=x"
    follower, reader, other = (protected.test_client() for _ in range(3))
    for client in (follower, reader, other):
        _log_in(client, make.user())
    first = FOLLOW.search(follower.get(url).text).group(2)
    token = re.search(r'name="csrf_token" value="([^"]+)"', first).group(1)
    assert follower.post(f"/t/{topic.id}/follow", data={
        "csrf_token": token, "next": "/"}).status_code == 302
    pages = [client.get(url).text for client in (follower, reader, other)]
    forms = [FOLLOW.search(page) for page in pages]
    assert forms[0].group(1).endswith("/unfollow") and "You are following" in pages[0]
    for form in forms[1:]:
        assert form.group(1).endswith("/follow") and "You are following" not in form.group(2)
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', f.group(2)).group(1)
              for f in forms]
    assert len(set(tokens)) == 3 and all("<!--csrf-->" not in page for page in pages)
    # back to the page itself, not to whatever the first reader's address carried
    assert all(f'name="next" value="/t/{topic.id}-{topic.slug}"' in f.group(2)
               for f in forms)
    views = [int(re.search(r'<p class="meta">([\d,]+) views?', page).group(1))
             for page in pages]
    assert views == sorted(views) and len(set(views)) == 3  # each page counts its view
    assert other.post(f"/t/{topic.id}/follow", data={
        "csrf_token": tokens[2], "next": "/"}).status_code == 302  # their own token works


def test_a_write_to_the_topic_shows_at_once(app, make, login, rendered):
    author = make.user()
    topic = make.topic(author=author, replies=1)
    url = f"/t/{topic.id}-{topic.slug}"
    reader = login(make.user(), client=app.test_client())
    assert "This topic contains 1 reply," in reader.get(url).text
    with app.app_context():
        board.post_reply(db.session.get(User, author.id), db.session.get(Topic, topic.id),
                         "A second reply.")
        db.session.commit()
    assert "This topic contains 2 replies," in reader.get(url).text
    with app.app_context():
        moderation.lock_topic(db.session.get(User, make.user(role=Role.MODERATOR).id),
                              db.session.get(Topic, topic.id), True, "Settled")
        db.session.commit()
    page = reader.get(url).text
    assert "This topic is locked, so no new replies can be added." in page
    assert rendered.count(BODY) == 3


def test_a_poll_is_each_viewers_own_in_a_kept_body(app, make, login, rendered):
    """A poll shows each member their own choice and vote button: it goes in the kept
    body's marker, rendered for each of them."""
    author, voter = make.user(), make.user()
    topic = make.topic(author=author, title="Which day suits?")
    with app.app_context():
        poll = polls.create_poll(db.session.get(User, author.id),
                                 db.session.get(Topic, topic.id), "Which day suits you?",
                                 ["Monday", "Tuesday"])
        db.session.commit()
        polls.cast_vote(db.session.get(User, voter.id), poll, [poll.options[1].id])
        db.session.commit()
    url = f"/t/{topic.id}-{topic.slug}"
    other = login(make.user(), client=app.test_client()).get(url).text
    mine = login(voter, client=app.test_client()).get(url).text
    assert "Which day suits you?" in other and "Which day suits you?" in mine
    assert "Change my vote" in mine and "Withdraw my vote" in mine
    assert "Change my vote" not in other and "Withdraw my vote" not in other
    assert '<button type="submit" class="button">Vote</button>' in other
    assert "<!--topic:" not in mine + other
    assert rendered.count(BODY) == 1 and rendered.count("polls/_topic_poll.html") == 2


def test_a_suspended_members_body_is_rendered_for_them(app, make, login, rendered):
    """It gives the date their suspension ends: rendered every time, never kept."""
    plain = make.topic()
    for days in (3, 9):
        until = clock.now() + timedelta(days=days)
        member = login(make.user(suspended_until=until), client=app.test_client())
        page = member.get(f"/t/{plain.id}-{plain.slug}").text
        # the reply section's own notice (the frame has one too), with their own date
        assert f"suspended until {until.day} {until:%B %Y}, so you cannot reply" in page
    assert rendered.count(BODY) == 2


def test_a_kept_body_spares_the_topic_statement_its_last_and_accepted_posts(
        app, client, make, login, count_queries, still_clock):
    """Only the body shows who wrote the last post and the accepted answer: a page whose
    body this process kept in this window loads its topic without them; if the body is
    gone after all (a write since), they come in one statement more. A first view costs
    what it did: the topic comes with them."""
    answerer = make.user("Ada Answerer")
    topic = make.topic(repliers=[answerer], replies=2)
    with app.app_context():
        row = db.session.get(Topic, topic.id)
        row.accepted_post_id = row.last_post_id
        db.session.commit()
    url = f"/t/{topic.id}-{topic.slug}"
    login(make.user())
    client.get(url)  # the read mark's first write

    def statements(clear: bool = False) -> tuple[str, list[str]]:
        if clear:
            pagecache.store(app).clear()
        with count_queries() as counter:
            page = client.get(url).text
        assert "read the answer in full" in page and ">Ada Answerer</a>" in page
        topic_statement, = [s for s in counter.statements if "AS viewer_follows" in s]
        # the summary: the topic's last and accepted posts joined
        return topic_statement, [s for s in counter.statements if "= topics.accepted_post_id"
                                 in s and "AS viewer_follows" not in s]
    kept, summary = statements()
    assert "JOIN posts AS" not in kept and "JOIN users AS" not in kept and summary == []
    dropped, summary = statements(clear=True)
    assert "JOIN posts AS" not in dropped and len(summary) == 1
    # another page's first view, in this window: its topic with its summary, as before
    url = f"/t/{topic.id}-{topic.slug}?sort=helpful"
    with count_queries() as counter:
        assert "read the answer in full" in client.get(url).text
    first, = [s for s in counter.statements if "AS viewer_follows" in s]
    assert "JOIN posts AS" in first and len(counter.statements) == 2  # and its posts


def test_crumbs_and_feed_link_follow_a_rename_and_a_move(app, make, client):
    """The breadcrumbs and the feed link are kept per process by the names they show (and
    whether the feed is public): a rename or a move to a private forum shows at once."""
    moderator = make.user(role=Role.MODERATOR)
    topic = make.topic(title="Queue times at counters")
    url = f"/t/{topic.id}-{topic.slug}"
    page = client.get(url).text
    assert any(key[0] == "topic-crumbs" for key in app.extensions["forum.template_pieces"])
    assert '<span aria-current="page">Queue times at counters</span>' in page
    assert 'title="Posts in Queue times at counters"' in page
    with app.app_context():
        moderation.rename_topic(db.session.get(User, moderator.id),
                                db.session.get(Topic, topic.id), "Waiting times at counters")
        db.session.commit()
    page = client.get(client.get(url).location or url).text
    assert '<span aria-current="page">Waiting times at counters</span>' in page
    assert 'title="Posts in Waiting times at counters"' in page
    team = make.forum(title="Team room", slug="team-room")
    runner = app.test_cli_runner()
    for args in (["groups", "create", "Team"],
                 ["forums", "restrict", "team-room", "--group", "Team", "--can", "read"]):
        assert runner.invoke(args=["forum", *args]).exit_code == 0
    with app.app_context():
        moderation.move_topic(db.session.get(User, moderator.id),
                              db.session.get(Topic, topic.id), team)
        db.session.commit()
    mod = app.test_client()
    mod.post("/login", data={"login": moderator.email, "password": PASSWORD})
    page = mod.get(f"/t/{topic.id}-waiting-times-at-counters").text
    assert 'href="/f/team-room">Team room</a>' in page
    assert "Posts in Waiting" not in page  # a private forum's topic has no public feed


def test_a_kept_body_is_split_at_its_markers_once_per_process(app, make, login, monkeypatch):
    """A kept body (~15 KB) is split at its markers, and at its CSRF token's marks, once
    per process: each page puts its viewer's parts and session token between the kept
    pieces, and does not search the body again (a regular expression over the whole body
    and a replace of the marks on every member's page)."""
    from forum.board import topicbody
    topic = make.topic(replies=2)
    url = f"/t/{topic.id}-{topic.slug}"
    clock.freeze()
    first = [login(make.user(), client=app.test_client()) for _ in range(2)]
    pages = [client.get(url).text for client in first]
    searched = []
    real = topicbody.MARKER
    monkeypatch.setattr(topicbody, "MARKER", type("Counted", (), {
        "split": staticmethod(lambda text: searched.append(len(text)) or real.split(text))}))
    again = [client.get(url).text for client in first]
    assert searched == []
    for after in again:
        token = re.findall(r'name="csrf_token" value="([^"]+)"', after)
        assert token and len(set(token)) == 1 and "<!--csrf-->" not in after
        assert FOLLOW.search(after) and "<!--topic:" not in after
    assert re.findall(r'name="csrf_token" value="([^"]+)"', again[0]) != \
        re.findall(r'name="csrf_token" value="([^"]+)"', again[1])

"""Polls: creating, voting, changing, withdrawing, closing, visibility and secrecy."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum import clock
from forum.accounts.models import Role, User
from forum.board.models import Topic
from forum.errors import Invalid, PermissionDenied
from forum.extensions import db
from forum.polls import services
from forum.polls.models import Poll, PollBallot, PollOption, PollVote, Visibility

SCALE = ["Very poor", "Poor", "Fair", "Good", "Excellent"]


@pytest.fixture
def poll_topic(make, app):
    """A topic with a poll; returns a function taking poll options."""
    def build(options=SCALE, **poll_args):
        author = make.user("Poll Author")
        topic = make.topic(author=author, title="What's your opinion on government service?")
        with app.app_context():
            poll = services.create_poll(db.session.get(User, author.id),
                                        db.session.get(Topic, topic.id),
                                        "What's Your Opinion On Government Customer Service?",
                                        list(options), **poll_args)
            db.session.commit()
            return topic, poll.id, [o.id for o in poll.options]
    return build


def _poll(poll_id):
    return db.session.get(Poll, poll_id)


def _counts(poll_id):
    """(votes per option from the counters, from the rows, voters, ballots)."""
    poll = _poll(poll_id)
    db.session.refresh(poll)
    for option in poll.options:
        db.session.refresh(option)
    counters = {o.id: o.vote_count for o in poll.options if o.vote_count}
    ballots = db.session.scalar(select(func.count()).select_from(PollBallot)
                                .where(PollBallot.poll_id == poll_id))
    return counters, services.recount_votes(poll), poll.voter_count, ballots


def test_new_topic_form_creates_a_poll(client, make, login, app):
    forum = make.forum(slug="misc")
    login(make.user())
    response = client.post("/t/new?forum=misc", data={
        "forum": forum.id, "title": "Rate our service", "body": "Vote below.",
        "kind": "discussion", "poll_question": "How did we do?",
        "poll_options": "Well\n\n  Badly \nNo opinion", "poll_visibility": "after_vote",
        "submit": "Post topic"})
    assert response.status_code == 302
    with app.app_context():
        poll = db.session.scalar(select(Poll))
        assert poll.question == "How did we do?"
        assert [o.label for o in poll.options] == ["Well", "Badly", "No opinion"]
        assert poll.results_visibility == Visibility.AFTER_VOTE and not poll.voters_public
    page = client.get(response.headers["Location"]).text
    assert 'id="poll"' in page and "Voting is secret" in page


def test_bad_poll_keeps_the_topic_text_and_saves_nothing(client, make, login, app):
    forum = make.forum(slug="misc")
    login(make.user())
    page = client.post("/t/new?forum=misc", data={
        "forum": forum.id, "title": "A topic with a poor poll", "body": "My careful text",
        "poll_question": "Only one option?", "poll_options": "Yes",
        "submit": "Post topic"}).text
    assert "Give between 2 and 20 options" in page and "My careful text" in page
    assert 'href="#poll_options"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Topic.id))) == 0


def test_vote_change_and_withdraw_move_counts_never_add(app, make, poll_topic):
    topic, poll_id, options = poll_topic()
    voter = make.user()
    with app.app_context():
        user = db.session.get(User, voter.id)
        services.cast_vote(user, _poll(poll_id), [options[3]])
        services.cast_vote(user, _poll(poll_id), [options[3]])  # the same again: nothing new
        db.session.commit()
        assert _counts(poll_id) == ({options[3]: 1}, {options[3]: 1}, 1, 1)
        services.cast_vote(user, _poll(poll_id), [options[1]])
        db.session.commit()
        assert _counts(poll_id) == ({options[1]: 1}, {options[1]: 1}, 1, 1)
        services.withdraw_vote(user, _poll(poll_id))
        db.session.commit()
        assert _counts(poll_id) == ({}, {}, 0, 0)


def test_single_choice_and_multiple_choice_limits(app, make, poll_topic):
    topic, poll_id, options = poll_topic(options=["A", "B", "C", "D"], multiple=True,
                                         max_choices=2)
    voter = make.user()
    with app.app_context():
        user = db.session.get(User, voter.id)
        with pytest.raises(Invalid, match="Choose at most 2 options"):
            services.cast_vote(user, _poll(poll_id), options[:3])
        with pytest.raises(Invalid, match="Choose an option"):
            services.cast_vote(user, _poll(poll_id), [])
        with pytest.raises(Invalid, match="Choose from the options"):
            services.cast_vote(user, _poll(poll_id), [999999])
        services.cast_vote(user, _poll(poll_id), options[:2])
        services.cast_vote(user, _poll(poll_id), options[1:3])  # moves A to C, keeps B
        db.session.commit()
        assert _counts(poll_id) == ({options[1]: 1, options[2]: 1},
                                    {options[1]: 1, options[2]: 1}, 1, 1)


def test_single_choice_refuses_two_options(client, make, login, poll_topic):
    topic, poll_id, options = poll_topic()
    login(make.user())
    page = client.post(f"/polls/{poll_id}/vote", data={"choice": options[:2]}).text
    assert "Choose at most 1 option." in page and "There is a problem" in page
    page = client.post(f"/polls/{poll_id}/vote", data={"choice": ["x"]}).text
    assert "There is a problem" in page


def test_closed_poll_refuses_votes_with_a_clear_message(client, app, make, login, poll_topic):
    topic, poll_id, options = poll_topic(closes_at=clock.now() + timedelta(days=1))
    voter = make.user()
    login(voter)
    clock.advance(timedelta(days=2))
    response = client.post(f"/polls/{poll_id}/vote", data={"choice": [options[0]]})
    assert response.status_code == 409
    assert "This poll has closed, so it no longer takes votes" in response.text
    page = client.get(f"/t/{topic.id}-{topic.slug}").text
    assert "This poll closed on" in page and 'name="choice"' not in page
    with app.app_context():
        with pytest.raises(PermissionDenied):
            services.cast_vote(db.session.get(User, voter.id), _poll(poll_id), [options[0]])


def test_moderators_close_and_reopen(client, make, login, poll_topic, app):
    topic, poll_id, options = poll_topic()
    member = login(make.user())
    assert member.post(f"/polls/{poll_id}/close").status_code == 403
    member.post("/logout")
    login(make.user(role=Role.MODERATOR))
    assert client.post(f"/polls/{poll_id}/close").status_code == 302
    with app.app_context():
        assert not _poll(poll_id).is_open()
    assert client.post(f"/polls/{poll_id}/reopen").status_code == 302
    with app.app_context():
        assert _poll(poll_id).is_open()


@pytest.mark.parametrize("visibility, voter, non_voter, visitor", [
    (Visibility.ALWAYS, True, True, True),
    (Visibility.AFTER_VOTE, True, False, False),
    (Visibility.AFTER_CLOSE, False, False, False),
])
def test_results_visibility_before_and_after_close(client, app, make, login, poll_topic,
                                                   visibility, voter, non_voter, visitor):
    topic, poll_id, options = poll_topic(visibility=visibility,
                                         closes_at=clock.now() + timedelta(days=1))
    someone = make.user()
    with app.app_context():
        services.cast_vote(db.session.get(User, someone.id), _poll(poll_id), [options[4]])
        db.session.commit()
    url = f"/polls/{poll_id}?results=1"

    def shows_results(c):
        return "1 member voted." in c.get(url).text

    assert shows_results(app.test_client()) is visitor
    login(someone)
    assert shows_results(client) is voter
    client.post("/logout")
    login(make.user())
    assert shows_results(client) is non_voter
    clock.advance(timedelta(days=2))  # closed: everyone sees the results
    assert shows_results(client) and shows_results(app.test_client())


def test_secret_poll_never_reveals_voters(client, app, make, login, poll_topic):
    topic, poll_id, options = poll_topic()
    voter = make.user("Secret Voter")
    with app.app_context():
        services.cast_vote(db.session.get(User, voter.id), _poll(poll_id), [options[2]])
        db.session.commit()
        assert services.public_voters(_poll(poll_id)) == {}
    login(make.user(role=Role.ADMIN))
    pages = [client.get(f"/t/{topic.id}-{topic.slug}").text,
             client.get(f"/polls/{poll_id}?results=1").text,
             client.get(f"/polls/{poll_id}/results.csv").text]
    assert all("Secret Voter" not in page for page in pages)
    assert "1 member voted." in pages[1]


def test_public_poll_lists_voters(client, app, make, poll_topic):
    topic, poll_id, options = poll_topic(voters_public=True)
    voter = make.user("Open Voter")
    with app.app_context():
        services.cast_vote(db.session.get(User, voter.id), _poll(poll_id), [options[2]])
        db.session.commit()
    assert "Chosen by Open Voter" in client.get(f"/polls/{poll_id}?results=1").text


def test_results_list_counts_percentages_and_own_choice(client, app, make, login, poll_topic):
    topic, poll_id, options = poll_topic()
    voters = [make.user() for _ in range(4)]
    with app.app_context():
        for i, voter in enumerate(voters):
            services.cast_vote(db.session.get(User, voter.id), _poll(poll_id),
                               [options[3] if i < 3 else options[0]])
        db.session.commit()
    login(voters[0])
    page = client.get(f"/polls/{poll_id}?results=1").text
    assert "3 votes (75%)" in page and "1 vote (25%)" in page and "4 members voted." in page
    assert page.count("Your choice") == 1
    assert '<meter min="0" max="100" value="75"' in page


def test_staff_export_csv(client, app, make, login, poll_topic):
    topic, poll_id, options = poll_topic()
    with app.app_context():
        services.cast_vote(db.session.get(User, make.user().id), _poll(poll_id), [options[1]])
        db.session.commit()
    login(make.user())
    assert client.get(f"/polls/{poll_id}/results.csv").status_code == 403
    client.post("/logout")
    login(make.user(role=Role.STAFF))
    response = client.get(f"/polls/{poll_id}/results.csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert response.mimetype == "text/csv"
    assert ["method", "single choice; secret ballot"] in rows
    assert ["total voters", "1"] in rows and ["Poor", "1"] in rows and ["Excellent", "0"] in rows


def test_double_submitted_vote_counts_once(client, make, login, poll_topic, app):
    topic, poll_id, options = poll_topic()
    login(make.user())
    for _ in range(2):
        assert client.post(f"/polls/{poll_id}/vote",
                           data={"choice": [options[4]]}).status_code == 302
    with app.app_context():
        assert _counts(poll_id) == ({options[4]: 1}, {options[4]: 1}, 1, 1)


def test_add_poll_later_only_by_author_or_moderator(client, make, login, app):
    author = make.user()
    topic = make.topic(author=author)
    data = {"poll_question": "Which day suits?", "poll_options": "Monday\nTuesday",
            "poll_visibility": "always"}
    login(make.user())
    assert client.post(f"/t/{topic.id}/poll", data=data).status_code == 403
    client.post("/logout")
    login(author)
    assert client.post(f"/t/{topic.id}/poll", data=data).status_code == 302
    page = client.post(f"/t/{topic.id}/poll", data=data).text
    assert "This topic already has a poll." in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Poll.id))) == 1


def test_200_members_vote_concurrently_over_http(app, make, live_server, poll_topic):
    """Real HTTP, real connections: every member votes once, some double-submit."""
    import threading
    import urllib.parse
    import urllib.request
    from http.cookiejar import CookieJar

    from tests.factories import PASSWORD
    topic, poll_id, options = poll_topic()
    members = [make.user() for _ in range(200)]
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def post(opener, path, fields):
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        request = urllib.request.Request(live_server + path, data=data, method="POST")
        try:
            with opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    openers = []
    for member in members:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        assert post(opener, "/login", {"login": member.email, "password": PASSWORD}) == 200
        openers.append(opener)
    start = threading.Barrier(len(members))

    def vote(i, opener):
        try:
            start.wait(timeout=60)
            times = 2 if i % 10 == 0 else 1  # every tenth member double-submits
            for _ in range(times):
                status = post(opener, f"/polls/{poll_id}/vote", {"choice": options[i % 5]})
                with lock:
                    statuses.append(status)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=vote, args=(i, o)) for i, o in enumerate(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors[:3]
    assert len(statuses) == 220 and all(s < 500 for s in statuses), sorted(set(statuses))
    with app.app_context():
        counters, rows, voters, ballots = _counts(poll_id)
        assert voters == ballots == 200
        assert counters == rows and sum(rows.values()) == 200
        assert db.session.scalar(select(func.count(PollVote.id))) == 200
        assert sorted(rows.values()) == [40] * 5
        assert db.session.scalar(select(func.sum(PollOption.vote_count))) == 200

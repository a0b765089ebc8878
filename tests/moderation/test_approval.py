"""The approval queue: new members' first posts, and their posts with links, wait for a
moderator; only their author and moderators see them; approving makes them public and
counted, rejecting keeps them hidden with a reason; one audit record per decision."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum import events
from forum.accounts.models import Role, User
from forum.board import approval as approval_policy
from forum.board import services as board
from forum.board.models import Approval, Forum, Post, Topic, TopicStatus
from forum.extensions import db
from forum.moderation import approval
from forum.moderation.models import ModerationAction
from tests.factories import PASSWORD


@pytest.fixture
def approvals(app, monkeypatch):
    """Turn the approval queue on: the first post waits, link posts until 3 approved."""
    monkeypatch.setitem(app.config, "APPROVAL_ENABLED", True)
    monkeypatch.setitem(app.config, "APPROVAL_FIRST_POSTS", 1)
    monkeypatch.setitem(app.config, "APPROVAL_LINK_POSTS_UNTIL", 3)


def _client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"login": user.email, "password": PASSWORD}
                       ).status_code == 302
    return client


def _post(app, post_id) -> Post:
    with app.app_context():
        post = db.session.get(Post, post_id)
        db.session.expunge(post)
        return post


def _audit(app) -> list[tuple[str, int, str | None]]:
    with app.app_context():
        return [(a.action, a.target_id, a.reason) for a in
                db.session.scalars(select(ModerationAction).order_by(ModerationAction.id))]


def _counters_equal_recount(app, topic_id: int, *user_ids: int) -> None:
    """Every counter the services keep equals what a recount from the rows gives."""
    with app.app_context():
        topic = db.session.get(Topic, topic_id)
        users = [db.session.get(User, user_id) for user_id in user_ids]

        def snapshot():
            forum = topic.forum
            return ((topic.reply_count, topic.voice_count, topic.last_post_id),
                    (forum.topic_count, forum.post_count, forum.last_post_id),
                    [(u.topic_count, u.reply_count) for u in users])
        kept = snapshot()
        board.recount_topic(topic)
        board.recount_forum(topic.forum)
        for user in users:
            board.recount_user(user)
        assert snapshot() == kept
        db.session.rollback()


def _reply(app, user, topic, body="Thanks, this helped our team.") -> int:
    with app.app_context():
        post = board.post_reply(db.session.get(User, user.id), db.session.get(Topic, topic.id),
                                body)
        db.session.commit()
        return post.id


def test_a_new_members_first_reply_waits_and_only_they_and_moderators_see_it(
        app, make, approvals):
    topic = make.topic(author=make.user(role=Role.STAFF), title="Handling complaints well")
    newcomer, other = make.user("New Person"), make.user("Other Person")
    moderator = make.user("Mod", role=Role.MODERATOR)
    post_id = _reply(app, newcomer, topic, "My first post: we answer within two days.")

    post = _post(app, post_id)
    assert post.approval == Approval.PENDING and post.is_hidden and not post.is_public
    with app.app_context():
        counted = db.session.get(Topic, topic.id)
        assert counted.reply_count == 0 and counted.last_post_id == topic.first_post_id
        assert db.session.get(Forum, topic.forum_id).post_count == 1
        assert db.session.get(User, newcomer.id).reply_count == 0
    _counters_equal_recount(app, topic.id, newcomer.id)

    url = f"/t/{topic.id}-{topic.slug}"
    own = _client(app, newcomer).get(url).text
    assert "Awaiting approval." in own and "we answer within two days" in own
    for viewer in (_client(app, other), app.test_client()):
        page = viewer.get(url).text
        assert "we answer within two days" not in page
        assert f'id="post-{post_id}"' not in page  # not even a placeholder
    moderator_client = _client(app, moderator)
    assert "we answer within two days" in moderator_client.get(url).text
    queue = moderator_client.get("/moderation/approval").text
    assert "Reply by New Person" in queue and "we answer within two days" in queue
    # A waiting post is approved or rejected, never "restored" around the queue.
    assert moderator_client.post(f"/p/{post_id}/restore").status_code == 403


def test_approving_makes_it_public_counted_and_tells_followers(app, make, approvals):
    topic = make.topic(author=make.user(role=Role.STAFF))
    newcomer, moderator = make.user("New Person"), make.user("Mod", role=Role.MODERATOR)
    post_id = _reply(app, newcomer, topic)
    heard = []

    def listener(sender, hidden):
        heard.append((sender.id, hidden, sender.is_public))
    with events.post_visibility_changed.connected_to(listener):
        response = _client(app, moderator).post(
            f"/moderation/approval/{post_id}",
            data={f"post-{post_id}-decision": "approve"}, follow_redirects=True)
    assert "The post is approved and public." in response.text
    assert heard == [(post_id, False, True)]
    post = _post(app, post_id)
    assert post.approval == Approval.APPROVED and post.is_public
    with app.app_context():
        counted = db.session.get(Topic, topic.id)
        assert (counted.reply_count, counted.voice_count, counted.last_post_id) == (1, 2, post_id)
        assert db.session.get(Forum, topic.forum_id).post_count == 2
        assert db.session.get(User, newcomer.id).reply_count == 1
    _counters_equal_recount(app, topic.id, newcomer.id)
    assert _audit(app) == [("approve_post", post_id, None)]
    page = app.test_client().get(f"/t/{topic.id}-{topic.slug}").text
    assert "Thanks, this helped our team." in page and "Awaiting approval" not in page
    # Once approved it is an ordinary post: its author may hide it and restore it.
    author = _client(app, newcomer)
    assert author.post(f"/p/{post_id}/hide", data={"reason": "mine"}).status_code == 302
    assert author.post(f"/p/{post_id}/restore").status_code == 302
    assert _post(app, post_id).is_public
    # A second decision on the same post changes nothing and records nothing.
    again = _client(app, moderator).post(f"/moderation/approval/{post_id}",
                                         data={f"post-{post_id}-decision": "reject",
                                               f"post-{post_id}-reason": "Spam"},
                                         follow_redirects=True)
    assert "already been dealt with" in again.text
    assert len(_audit(app)) == 1 and _post(app, post_id).is_public


def test_rejecting_keeps_it_hidden_with_the_reason_for_its_author(app, make, approvals):
    topic = make.topic(author=make.user(role=Role.STAFF))
    newcomer, other = make.user("New Person"), make.user("Other Person")
    moderator = make.user("Mod", role=Role.MODERATOR)
    post_id = _reply(app, newcomer, topic, "Buy our consultancy services today")
    mod = _client(app, moderator)

    # No reason: the error is shown next to that post's reason field; nothing is decided.
    page = mod.post(f"/moderation/approval/{post_id}",
                    data={f"post-{post_id}-decision": "reject"})
    assert page.status_code == 200
    assert "Give a reason: the author will see it." in page.text
    assert f'id="post-{post_id}-reason-error"' in page.text
    assert _post(app, post_id).approval == Approval.PENDING and _audit(app) == []

    response = mod.post(f"/moderation/approval/{post_id}",
                        data={f"post-{post_id}-decision": "reject",
                              f"post-{post_id}-reason": "Advertising is not allowed here"})
    assert response.status_code == 302
    post = _post(app, post_id)
    assert post.approval == Approval.REJECTED and post.is_hidden and not post.is_public
    assert post.hide_reason == "Advertising is not allowed here"
    assert _audit(app) == [("reject_post", post_id, "Advertising is not allowed here")]
    with app.app_context():
        assert db.session.get(Post, post_id) is not None  # kept, never deleted
        assert db.session.get(Topic, topic.id).reply_count == 0
    _counters_equal_recount(app, topic.id, newcomer.id)

    url = f"/t/{topic.id}-{topic.slug}"
    own = _client(app, newcomer).get(url).text
    assert "Not approved" in own and "Reason: Advertising is not allowed here" in own
    assert "Buy our consultancy" not in _client(app, other).get(url).text
    assert "Buy our consultancy" not in app.test_client().get(url).text
    assert "No posts are waiting for approval." in mod.get("/moderation/approval").text


def test_a_new_members_topic_is_not_listed_until_approved(app, make, approvals):
    forum = make.forum("Customer service", slug="service")
    newcomer, other = make.user("New Person"), make.user("Other Person")
    moderator = make.user("Mod", role=Role.MODERATOR)
    author = _client(app, newcomer)
    response = author.post("/t/new", data={"forum": forum.id, "title": "Phone queues",
                                            "body": "How long do your callers wait?",
                                            "kind": "discussion"})
    assert response.status_code == 302
    with app.app_context():
        topic = db.session.scalar(select(Topic))
        topic_id, url, first = topic.id, f"/t/{topic.id}-{topic.slug}", topic.first_post_id
        assert topic.status == TopicStatus.PENDING and not topic.is_published
        assert db.session.scalar(select(Topic.id).where(Topic.public())) is None
        assert db.session.get(Forum, forum.id).topic_count == 0
        assert db.session.get(User, newcomer.id).topic_count == 0
    _counters_equal_recount(app, topic_id, newcomer.id)

    assert "Phone queues" not in app.test_client().get("/f/service").text
    assert "Phone queues" not in _client(app, other).get("/f/service").text
    assert _client(app, other).get(url).status_code == 404
    assert app.test_client().get(url).status_code == 404
    own = author.get(url)
    assert own.status_code == 200 and "Awaiting approval." in own.text
    assert author.get(f"/t/{topic_id}/reply").status_code == 403  # no replies while waiting

    mod = _client(app, moderator)
    assert "New topic by New Person" in mod.get("/moderation/approval").text
    mod.post(f"/moderation/approval/{first}", data={f"post-{first}-decision": "approve"})
    with app.app_context():
        topic = db.session.get(Topic, topic_id)
        assert topic.status == TopicStatus.PUBLISHED and topic.voice_count == 1
        assert db.session.get(Forum, forum.id).topic_count == 1
        assert db.session.get(Forum, forum.id).last_post_id == first
        assert db.session.get(User, newcomer.id).topic_count == 1
    _counters_equal_recount(app, topic_id, newcomer.id)
    assert "Phone queues" in app.test_client().get("/f/service").text
    assert app.test_client().get(url).status_code == 200
    assert _audit(app) == [("approve_post", first, None)]


def test_a_new_members_topic_with_a_poll_waits_with_its_poll(app, make, approvals):
    forum = make.forum(slug="polls")
    author = _client(app, make.user("New Person"))
    response = author.post("/t/new", data={
        "forum": forum.id, "title": "Meeting rhythm", "body": "How often should we meet?",
        "kind": "discussion", "poll_question": "How often?", "poll_options": "Weekly\nMonthly",
        "poll_visibility": "always"})
    assert response.status_code == 302, response.text
    from forum.polls.models import Poll
    with app.app_context():
        topic = db.session.scalar(select(Topic))
        assert topic.status == TopicStatus.PENDING
        assert db.session.scalar(select(Poll.topic_id)) == topic.id
    assert "How often?" in author.get(f"/t/{topic.id}-{topic.slug}").text


def test_a_rejected_topic_stays_unlisted_and_its_author_sees_why(app, make, approvals, ctx):
    forum = make.forum(slug="rejected")
    newcomer = db.session.get(User, make.user().id)
    moderator = db.session.get(User, make.user(role=Role.MODERATOR).id)
    topic = board.create_topic(newcomer, db.session.get(Forum, forum.id), "Cheap pills",
                               "Visit my shop")
    approval.reject_post(moderator, topic.first_post, "Spam")
    assert topic.status == TopicStatus.REJECTED and not topic.is_published
    assert db.session.get(Forum, forum.id).topic_count == 0
    from forum.permissions import can
    assert can(newcomer, "view_topic", topic) and not can(None, "view_topic", topic)
    assert [a.action for a in db.session.scalars(select(ModerationAction))] == ["reject_post"]


def test_posts_with_links_wait_until_the_member_has_enough_approved_posts(
        app, make, approvals, ctx):
    topic = make.topic(author=make.user(role=Role.STAFF))
    member = db.session.get(User, make.user().id)
    moderator = db.session.get(User, make.user(role=Role.MODERATOR).id)
    live = db.session.get(Topic, topic.id)

    def reply(body):
        return board.post_reply(member, live, body)

    first = reply("Hello everyone.")
    assert first.awaiting_approval  # the first post always waits
    second = reply("Also hello.")
    assert second.awaiting_approval  # still no approved post
    approval.approve_post(moderator, first)
    assert not reply("A plain answer.").awaiting_approval  # 1 approved: no link, no wait
    for body in ("See https://example.gov/guide", "[the guide](https://example.gov)",
                 '<a href="https://example.gov">guide</a>', "www.example.gov/guide"):
        assert reply(body).awaiting_approval, body
    approval.approve_post(moderator, second)  # 3 approved now (first, plain, second)
    assert approval_policy.approved_post_count(member) == 3
    assert not reply("Now https://example.gov/guide goes straight through").awaiting_approval
    db.session.flush()
    board.recount_topic(live)
    assert live.reply_count == 4  # first, second, the plain one and the last link post


@pytest.mark.parametrize("role", [Role.STAFF, Role.MODERATOR, Role.ADMIN])
def test_staff_moderators_and_admins_never_wait(app, make, approvals, ctx, role):
    forum = make.forum(slug=f"staff-{role.value}")
    person = db.session.get(User, make.user(role=role).id)
    topic = board.create_topic(person, db.session.get(Forum, forum.id), "An announcement",
                               "Read https://example.gov/news first")
    assert topic.status == TopicStatus.PUBLISHED and topic.first_post.approval is None
    assert board.post_reply(person, topic, "More at https://example.gov").is_public


def test_nothing_waits_when_switched_off_or_waived(app, make, ctx, monkeypatch):
    topic = make.topic(author=make.user(role=Role.STAFF))
    member = db.session.get(User, make.user().id)
    live = db.session.get(Topic, topic.id)
    assert board.post_reply(member, live, "Switched off by default in tests").is_public
    monkeypatch.setitem(app.config, "APPROVAL_ENABLED", True)
    with approval_policy.waived():
        assert board.post_reply(member, live, "Imported history").is_public


def test_only_moderators_decide(app, make, approvals, ctx):
    from forum.errors import PermissionDenied
    topic = make.topic(author=make.user(role=Role.STAFF))
    member = db.session.get(User, make.user().id)
    staff = db.session.get(User, make.user(role=Role.STAFF).id)
    post = board.post_reply(member, db.session.get(Topic, topic.id), "Waiting")
    with pytest.raises(PermissionDenied):
        approval.approve_post(staff, post)
    with pytest.raises(PermissionDenied):
        approval.reject_post(member, post, "no")


def test_the_queue_costs_the_same_for_1_and_20_waiting_posts(app, make, approvals, login,
                                                             client, count_queries):
    topic = make.topic(author=make.user(role=Role.STAFF))
    login(make.user(role=Role.MODERATOR))

    def cost():
        with count_queries() as counter:
            assert client.get("/moderation/approval").status_code == 200
        return counter.count
    _reply(app, make.user(), topic)
    one = cost()
    for _ in range(19):
        _reply(app, make.user(), topic)
    assert cost() == one <= 12


def test_the_form_says_a_waiting_post_was_saved_not_posted(app, make, approvals):
    forum = make.forum("Newcomers", slug="newcomers")
    topic = make.topic(author=make.user(role=Role.STAFF), forum=forum,
                       title="Handling complaints well")
    client = _client(app, make.user("New Person"))
    response = client.post(f"/t/{topic.id}/reply", data={"body": "My first reply",
                                                          "submit": "Post reply"},
                           follow_redirects=True)
    assert "A moderator will look at it before others can see it." in response.text
    assert "Your reply has been posted." not in response.text
    response = client.post("/t/new?forum=newcomers", data={
        "forum": forum.id, "title": "A newcomer's question", "body": "Hello there",
        "submit": "Post topic"}, follow_redirects=True)
    assert "Your topic has been saved. A moderator will look at it" in response.text

"""One review page for moderators: reports, posts awaiting approval and new members, with
bulk approve/reject in one plain form (checkboxes, CSRF, no script), every action audited."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from sqlalchemy import select

from forum import clock
from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Approval, Post, Topic
from forum.extensions import db
from forum.moderation.models import ModerationAction

from tests.test_csrf import _log_in, csrf_client  # noqa: F401 (fixture)

from .test_approval import _audit, _client, approvals  # noqa: F401 (fixture)


def _waiting(app, make, n=2):
    """A topic, and `n` new members each with one reply waiting for approval."""
    topic = make.topic(title="Waiting room", author=make.user(role=Role.STAFF))
    people, posts = [], []
    with app.app_context():
        for i in range(n):
            person = make.user(f"Newcomer {i}")
            post = board.post_reply(db.session.get(User, person.id),
                                    db.session.get(Topic, topic.id), f"First words {i}.")
            db.session.commit()
            assert post.approval == Approval.PENDING
            people.append(person)
            posts.append(post.id)
    return topic, people, posts


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def test_the_review_page_shows_reports_waiting_posts_and_new_members(app, make, approvals):
    topic, people, posts = _waiting(app, make)
    moderator = _client(app, make.user(role=Role.MODERATOR))
    page = moderator.get("/moderation/review")
    assert page.status_code == 200
    for name in ("Reported posts", "Posts awaiting approval", "New members"):
        assert f">{name}" in page.text
    for post_id in posts:
        assert f'name="post" value="{post_id}"' in page.text
    for person in people:
        assert f'name="member" value="{person.id}"' in page.text
    assert "First words 0." in page.text
    member = _client(app, make.user())
    assert member.get("/moderation/review").status_code == 403
    # The header's Moderation link leads here.
    assert 'href="/moderation/review"' in moderator.get("/").text


def test_bulk_approve_posts_and_members_each_audited(app, make, approvals):
    topic, people, posts = _waiting(app, make, 3)
    moderator = _client(app, make.user(role=Role.MODERATOR))
    token = _token(moderator.get("/moderation/review").text)
    response = moderator.post("/moderation/review", data={
        "csrf_token": token, "post": [posts[0], posts[1]], "member": [people[2].id],
        "decision": "approve", "reason": ""})
    assert response.status_code == 302
    with app.app_context():
        assert all(db.session.get(Post, p).approval == Approval.APPROVED for p in posts)
        # An approved member's later posts no longer wait.
        later = board.post_reply(db.session.get(User, people[2].id),
                                 db.session.get(Topic, topic.id), "Second words.")
        assert later.approval is None
        db.session.rollback()
    actions = [a for a, _, _ in _audit(app)]
    assert actions.count("approve_post") == 3 and actions.count("approve_member") == 1
    assert "approved" in moderator.get(response.headers["Location"]).text


def test_bulk_reject_needs_a_reason_and_keeps_the_selection(app, make, approvals):
    topic, people, posts = _waiting(app, make, 2)
    moderator = _client(app, make.user(role=Role.MODERATOR))
    token = _token(moderator.get("/moderation/review").text)
    response = moderator.post("/moderation/review", data={
        "csrf_token": token, "post": posts, "decision": "reject", "reason": ""})
    assert response.status_code == 400
    assert "Give a reason" in response.text and 'aria-invalid="true"' in response.text
    for post_id in posts:  # what was ticked stays ticked
        assert re.search(rf'name="post" value="{post_id}"[^>]*checked', response.text)
    with app.app_context():
        assert all(db.session.get(Post, p).approval == Approval.PENDING for p in posts)
    response = moderator.post("/moderation/review", data={
        "csrf_token": token, "post": posts, "decision": "reject", "reason": "Off topic"})
    assert response.status_code == 302
    with app.app_context():
        assert all(db.session.get(Post, p).approval == Approval.REJECTED for p in posts)
    assert [(a, r) for a, _, r in _audit(app)] == [("reject_post", "Off topic")] * 2


def test_rejecting_a_member_suspends_them_for_the_chosen_time(app, make, approvals):
    topic, people, posts = _waiting(app, make, 2)
    moderator = _client(app, make.user(role=Role.MODERATOR))
    page = moderator.get("/moderation/review").text
    assert re.search(r'<select[^>]*name="suspend"', page) and "1 month" in page
    response = moderator.post("/moderation/review", data={
        "csrf_token": _token(page), "member": [people[0].id], "decision": "reject",
        "reason": "Advertising", "suspend": "7"})
    assert response.status_code == 302
    response = moderator.post("/moderation/review", data={
        "csrf_token": _token(page), "member": [people[1].id], "decision": "reject",
        "reason": "Off topic", "suspend": "0"})
    assert response.status_code == 302
    with app.app_context():
        first, second = (db.session.get(User, p.id) for p in people)
        assert first.suspended_until == datetime.combine(
            clock.now().date() + timedelta(days=7), time(23, 59, 59))
        assert first.suspension_reason == "Advertising"
        assert second.suspended_until is None
        assert db.session.get(Post, posts[0]).approval == Approval.REJECTED
    assert [a for a, _, _ in _audit(app)] == ["reject_post", "reject_member", "suspend",
                                              "reject_post", "reject_member"]
    page = moderator.get("/moderation/review").text  # the suspended one has left the list
    assert people[0].display_name not in page and people[1].display_name in page


def test_nothing_ticked_changes_nothing_and_stale_ids_are_skipped(app, make, approvals):
    topic, people, posts = _waiting(app, make, 1)
    moderator = _client(app, make.user(role=Role.MODERATOR))
    token = _token(moderator.get("/moderation/review").text)
    response = moderator.post("/moderation/review", data={"csrf_token": token,
                                                          "decision": "approve"})
    assert response.status_code == 400 and "Tick at least one" in response.text
    # A post dealt with meanwhile (or a made-up id) is skipped, not an error.
    response = moderator.post("/moderation/review", data={
        "csrf_token": token, "post": [posts[0], 999999, "x"], "decision": "approve"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(ModerationAction.action)) == "approve_post"


def test_a_decision_without_a_csrf_token_changes_nothing(app, make, approvals, csrf_client):
    topic, people, posts = _waiting(app, make, 1)
    _log_in(csrf_client, make.user(role=Role.MODERATOR))
    response = csrf_client.post("/moderation/review", data={"post": posts,
                                                             "decision": "approve"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Post, posts[0]).approval == Approval.PENDING
    assert _audit(app) == []

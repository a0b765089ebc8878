"""Roles and suspensions, set from a member's page, each logged once."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from forum import clock
from forum.accounts.models import Role, User
from forum.extensions import db
from forum.moderation.models import ModerationAction


def _user(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id)


def _actions(app):
    with app.app_context():
        return [(a.action, a.actor_id, a.reason, a.before, a.after) for a in
                db.session.scalars(select(ModerationAction).order_by(ModerationAction.id))]


def test_admin_sets_a_role_from_the_member_page(client, app, make, login):
    admin = make.user("Site Admin", role=Role.ADMIN)
    member = make.user("Future Staff")
    login(admin)
    assert 'href="/u/Future%20Staff/role"' in client.get("/u/Future Staff").text
    response = client.post("/u/Future Staff/role", data={"role": "staff", "reason": "New hire"})
    assert response.status_code == 302
    assert _user(app, member.id).role == Role.STAFF
    assert _actions(app) == [("set_role", admin.id, "New hire", {"role": "member"},
                              {"role": "staff"})]
    page = client.post("/u/Future Staff/role", data={"role": "staff"}).text
    assert "Future Staff is already staff." in page


def test_moderator_suspends_member_who_sees_why_and_until_when(client, app, make, login):
    moderator = make.user("Mod", role=Role.MODERATOR)
    member = make.user("Rule Breaker")
    topic = make.topic()
    login(moderator)
    until = (clock.now() + timedelta(days=7)).date()
    response = client.post("/u/Rule Breaker/suspend", data={
        "until": until.isoformat(), "reason": "Repeated personal attacks"})
    assert response.status_code == 302
    assert _user(app, member.id).is_suspended
    suspended = login(member, client=app.test_client())
    page = suspended.get("/").text
    assert "Your account is suspended until" in page and "Repeated personal attacks" in page
    assert f"{until.day} {until:%B %Y}" in page
    assert suspended.post(f"/t/{topic.id}/reply", data={"body": "Let me in"}).status_code == 403
    assert "You must be logged in" not in suspended.get(f"/t/{topic.id}-{topic.slug}").text
    client.post("/u/Rule Breaker/unsuspend")
    assert not _user(app, member.id).is_suspended
    assert [a[0] for a in _actions(app)] == ["suspend", "lift_suspension"]


def test_suspension_form_errors_keep_the_reason(client, make, login):
    login(make.user(role=Role.MODERATOR))
    make.user("Someone Else")
    page = client.post("/u/Someone Else/suspend", data={
        "until": (date.today() - timedelta(days=1)).isoformat(),
        "reason": "My careful reason"}).text
    assert "The end date must be in the future." in page and "My careful reason" in page
    page = client.post("/u/Someone Else/suspend", data={"until": "", "reason": ""}).text
    assert "Enter the last day of the suspension." in page
    assert "Give a reason: the member will see it." in page


def test_moderators_cannot_suspend_moderators_or_themselves(client, make, login):
    moderator = make.user("Mod One", role=Role.MODERATOR)
    make.user("Mod Two", role=Role.MODERATOR)
    make.user("The Admin", role=Role.ADMIN)
    login(moderator)
    until = (clock.now() + timedelta(days=2)).date().isoformat()
    for name in ("Mod Two", "Mod One", "The Admin"):
        assert client.post(f"/u/{name}/suspend", data={"until": until, "reason": "x"}
                           ).status_code == 403
    assert client.get("/u/Mod One/role").status_code == 403


def test_suspension_ends_on_its_own(app, make):
    member = make.user(suspended_until=clock.now() + timedelta(days=1))
    assert _user(app, member.id).is_suspended
    clock.advance(timedelta(days=2))
    assert not _user(app, member.id).is_suspended

"""Groups: joining by invitation, by request and by e-mail domain; owners; forum permissions
by group; the command line."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum import clock
from forum.accounts import email as account_email
from forum.accounts.models import Role, User
from forum.board.models import Forum, Topic
from forum.errors import PermissionDenied
from forum.extensions import db
from forum.groups import services as groups
from forum.groups.models import Group, Joining, MemberState, Membership
from forum.permissions import can
from tests.groups.helpers import build, log_in


def _get(model, id_):
    return db.session.get(model, id_)


def test_invitation_is_accepted_and_request_approved_by_an_owner(app, make):
    owner, guest, asker, stranger = make.user(), make.user(), make.user(), make.user()
    with app.app_context():
        group = groups.create_group(None, "Digital team", joining=Joining.REQUEST)
        groups.add_member(None, group, _get(User, owner.id), owner=True)
        db.session.commit()
        row = groups.invite(_get(User, owner.id), group, _get(User, guest.id))
        assert row.state == MemberState.INVITED
        groups.request_to_join(_get(User, asker.id), group)
        with pytest.raises(PermissionDenied):  # only owners and admins manage members
            groups.approve_request(_get(User, stranger.id), group, _get(User, asker.id))
        groups.accept_invitation(_get(User, guest.id), group)
        groups.approve_request(_get(User, owner.id), group, _get(User, asker.id))
        db.session.commit()
        assert group.member_count == 3
        groups.remove_member(_get(User, asker.id), group, _get(User, asker.id))  # leaving
        assert group.member_count == 2


def test_invitation_only_groups_take_no_requests(app, make):
    member = make.user()
    with app.app_context():
        group = groups.create_group(None, "Closed team")
        db.session.commit()
        assert not can(_get(User, member.id), "request_group", group)
        with pytest.raises(PermissionDenied):
            groups.request_to_join(_get(User, member.id), group)


def test_members_join_by_confirmed_email_domain_and_leave_with_the_address(app, make):
    early = make.user(email="ann@tax.revenue.gov.example")
    with app.app_context():
        user = _get(User, early.id)
        user.email_verified_at = clock.now()
        group = groups.create_group(None, "Revenue", email_domain="revenue.gov.example")
        db.session.commit()
        assert groups.membership(group, user).by_domain  # already verified: joined at once
        later = make.user(email="bob@revenue.gov.example")
        other = make.user(email="eve@notrevenue.gov.example")
        for person in (later, other):
            token = account_email.make_token("verify", _get(User, person.id))
            account_email.verify_email(token)
        db.session.commit()
        assert groups.membership(group, _get(User, later.id)).state == MemberState.MEMBER
        assert groups.membership(group, _get(User, other.id)) is None
        assert group.member_count == 2


def test_outsiders_get_404_for_a_private_forum_its_topics_and_posts(app, make, client):
    world = build(app, make)
    urls = [f"/f/{world.forum_slug}", f"/t/{world.topic_id}",
            *(f"/p/{pid}" for pid in world.post_ids), f"/p/{world.post_ids[0]}/history",
            f"/t/{world.topic_id}/reply", f"/feeds/f/{world.forum_slug}.atom",
            f"/feeds/t/{world.topic_id}.atom"]
    for url in urls:
        assert client.get(url).status_code in (302, 404), url  # 302: log in first
    log_in(client, world.outsider)
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/t/{world.topic_id}/reply",
                       data={"body": "x", "submit": "Post reply"}).status_code == 404
    insider = app.test_client()
    log_in(insider, world.insider)
    for url in urls[:4]:
        assert insider.get(url, follow_redirects=True).status_code == 200, url
    page = insider.get(f"/f/{world.forum_slug}").get_data(as_text=True)
    assert "Quillfeather budget lines" in page
    # Feeds are what visitors see, for members too.
    assert insider.get(f"/feeds/f/{world.forum_slug}.atom").status_code == 404


def test_group_members_reply_and_start_topics_only_where_allowed(app, make, client):
    world = build(app, make)
    with app.app_context():
        forum = _get(Forum, world.forum_id)
        group = _get(Group, world.group_id)
        outsider, insider = _get(User, world.outsider.id), _get(User, world.insider.id)
        topic = _get(Topic, world.topic_id)
        assert can(insider, "reply", topic) and can(insider, "create_topic", forum)
        assert not can(outsider, "reply", topic) and not can(outsider, "create_topic", forum)
        # An open forum where only the group may start topics, anyone may reply.
        open_forum = db.session.scalar(select(Forum).where(Forum.slug == "open-talk"))
        groups.restrict_forum(None, open_forum, group, "start")
        db.session.commit()
        open_topic = db.session.scalar(select(Topic).where(Topic.forum_id == open_forum.id))
        outsider, insider = _get(User, world.outsider.id), _get(User, world.insider.id)
        assert can(outsider, "view_forum", open_forum) and can(outsider, "reply", open_topic)
        assert not can(outsider, "create_topic", open_forum)
        assert can(insider, "create_topic", open_forum)
    log_in(client, world.outsider)
    form = client.get("/t/new").get_data(as_text=True)
    assert "Open talk" not in form and "Quillfeather" not in form


def test_a_group_moderator_moderates_only_their_forum(app, make):
    world = build(app, make)
    with app.app_context():
        mod = _get(User, world.group_mod.id)
        private = _get(Topic, world.topic_id)
        public = _get(Topic, world.public_topic_id)
        assert can(mod, "moderate_topic", private) and can(mod, "hide_post", private.first_post)
        assert not can(mod, "moderate_topic", public)
        assert not can(mod, "hide_post", public.first_post)
        assert not can(mod, "move_topic", private)  # moving changes who can read: site mods
        assert not can(mod, "handle_reports")
    client = app.test_client()
    log_in(client, world.group_mod)
    assert client.post(f"/t/{world.topic_id}/moderate/lock",
                       data={"reason": "Done"}).status_code == 302
    assert client.get(f"/t/{world.public_topic_id}/moderate/lock").status_code == 403
    assert client.get(f"/t/{world.topic_id}/moderate/move").status_code == 403
    with app.app_context():
        assert _get(Topic, world.topic_id).locked


def test_groups_show_on_profiles_only_where_public(app, make, client):
    world = build(app, make)
    outsider_page = client.get(f"/u/{world.outsider.display_name}").get_data(as_text=True)
    assert "Another team" in outsider_page  # its member list is public
    insider_page = client.get(f"/u/{world.insider.display_name}").get_data(as_text=True)
    assert "Revenue working group" not in insider_page
    log_in(client, world.group_mod)  # a fellow member sees it
    assert "Revenue working group" in client.get(
        f"/u/{world.insider.display_name}").get_data(as_text=True)
    moderator = app.test_client()  # and so does a site moderator
    log_in(moderator, make.user(role=Role.MODERATOR))
    assert "Revenue working group" in moderator.get(
        f"/u/{world.insider.display_name}").get_data(as_text=True)


def _groups_shown(client, member: User) -> list[str]:
    """The group names a member's profile shows to this client's viewer."""
    page = client.get(f"/u/{member.display_name}").get_data(as_text=True)
    if "<dt>Groups</dt>" not in page:
        return []
    return re.findall(r">([^<]+)</a>", page.split("<dt>Groups</dt><dd>")[1].split("</dd>")[0])


def test_kept_groups_on_a_profile_follow_every_change_and_stay_private(
        app, make, start_of_a_window, count_queries):
    """The groups a profile shows are kept per member and viewer's scope: asked once, then
    right at once after joining (by invitation, by request, by an admin), leaving and being
    taken out, and a group whose members are not public is shown only to its members and
    to staff who read every forum."""
    member, fellow, outsider = make.user(), make.user(), make.user()
    staff = make.user(role=Role.MODERATOR)
    with app.app_context():
        public = groups.create_group(None, "Open circle", members_public=True,
                                     joining=Joining.REQUEST)
        closed = groups.create_group(None, "Closed circle")
        invited = groups.create_group(None, "Invited circle", members_public=True)
        groups.add_member(None, closed, _get(User, fellow.id), owner=True)
        groups.add_member(None, public, _get(User, outsider.id), owner=True)
        db.session.commit()
    visitor, fellows, outsiders, staffs = (app.test_client() for _ in range(4))
    log_in(fellows, fellow)
    log_in(outsiders, outsider)
    log_in(staffs, staff)
    everyone = {"visitor": visitor, "fellow": fellows, "outsider": outsiders,
                "staff": staffs}

    def shown() -> dict[str, list[str]]:
        return {who: _groups_shown(client, member) for who, client in everyone.items()}
    assert shown() == dict.fromkeys(everyone, [])
    with count_queries() as counter:  # kept: seen again, no statement about groups
        for client in everyone.values():
            client.get(f"/u/{member.display_name}")
    assert not [s for s in counter.statements if "FROM groups" in s]

    def act(change) -> None:
        with app.app_context():
            change(_get(User, member.id))
            db.session.commit()
    act(lambda m: groups.request_to_join(m, _get(Group, public.id)))  # asked: not yet in
    assert shown() == dict.fromkeys(everyone, [])
    act(lambda m: groups.approve_request(_get(User, outsider.id), _get(Group, public.id), m))
    assert shown() == dict.fromkeys(everyone, ["Open circle"])
    act(lambda m: groups.add_member(None, _get(Group, closed.id), m))
    assert shown() == {"visitor": ["Open circle"], "fellow": ["Closed circle", "Open circle"],
                       "outsider": ["Open circle"], "staff": ["Closed circle", "Open circle"]}
    act(lambda m: groups.invite(_get(User, fellow.id), _get(Group, closed.id),
                                _get(User, outsider.id)))  # invited: not in it yet
    assert shown()["outsider"] == ["Open circle"]
    with app.app_context():  # the viewer joins: their scope, and so what they see, changes
        groups.accept_invitation(_get(User, outsider.id), _get(Group, closed.id))
        db.session.commit()
    assert shown()["outsider"] == ["Closed circle", "Open circle"]
    act(lambda m: groups.add_member(None, _get(Group, invited.id), m))
    assert shown()["visitor"] == ["Invited circle", "Open circle"]
    act(lambda m: groups.remove_member(m, _get(Group, public.id), m))  # leaving
    act(lambda m: groups.remove_member(None, _get(Group, invited.id), m))  # taken out
    assert shown() == {"visitor": [], "fellow": ["Closed circle"],
                       "outsider": ["Closed circle"], "staff": ["Closed circle"]}
    log_in(visitor, member)  # and the member themselves sees their own
    assert _groups_shown(visitor, member) == ["Closed circle"]


def test_group_pages_join_and_manage(app, make):
    owner, asker = make.user(), make.user()
    admin = make.user(role=Role.ADMIN)
    client = app.test_client()
    log_in(client, admin)
    response = client.post("/admin/groups/new", data={
        "name": "Open data circle", "description": "Open data people.", "joining": "request"})
    assert response.status_code == 302
    assert client.post("/admin/groups/new", data={"name": "Open data circle",
                                                  "joining": "request"}).status_code == 200
    with app.app_context():
        group = groups.group_by_slug("open-data-circle")
        groups.add_member(None, group, _get(User, owner.id), owner=True)
        db.session.commit()
    asking = app.test_client()
    log_in(asking, asker)
    assert "Ask to join" in asking.get("/groups/open-data-circle").get_data(as_text=True)
    assert asking.post("/groups/open-data-circle/join").status_code == 302
    assert asking.get("/groups/open-data-circle/members").status_code == 403
    managing = app.test_client()
    log_in(managing, owner)
    page = managing.get("/groups/open-data-circle/members").get_data(as_text=True)
    assert asker.display_name in page
    assert managing.post(f"/groups/open-data-circle/members/{asker.id}/approve"
                         ).status_code == 302
    response = managing.post("/groups/open-data-circle/members", data={"name": "Nobody"})
    assert response.status_code == 200 and "No member is called" in response.get_data(
        as_text=True)
    with app.app_context():
        assert groups.membership(groups.group_by_slug("open-data-circle"),
                                 _get(User, asker.id)).state == MemberState.MEMBER


def test_admin_gives_and_takes_forum_permissions(app, make):
    admin = make.user(role=Role.ADMIN)
    forum = make.forum(title="Back room", slug="back-room")
    with app.app_context():
        group = groups.create_group(None, "Moderators team")
        db.session.commit()
        group_id = group.id
    client = app.test_client()
    log_in(client, admin)
    assert client.post(f"/admin/forums/{forum.id}/access",
                       data={"group": group_id, "action": "read"}).status_code == 302
    with app.app_context():
        assert _get(Forum, forum.id).read_restricted
        grant_id = groups.grants(_get(Forum, forum.id))[0].id
    assert client.post(f"/admin/forums/{forum.id}/access/{grant_id}/remove").status_code == 302
    with app.app_context():
        assert not _get(Forum, forum.id).read_restricted


def test_command_line(app, make):
    member = make.user(name="Cli Person", email="cli@example.gov")
    make.forum(title="Secret", slug="secret")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["forum", "groups", "create", "Tax team", "--requests"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["forum", "groups", "add-member", "Tax team", "cli@example.gov",
                                 "--owner"])
    assert result.exit_code == 0 and "Cli Person" in result.output, result.output
    result = runner.invoke(args=["forum", "forums", "restrict", "secret", "--group", "Tax team",
                                 "--can", "read", "--can", "moderate"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        forum = db.session.scalar(select(Forum).where(Forum.slug == "secret"))
        assert forum.read_restricted and not forum.reply_restricted
        user = _get(User, member.id)
        assert can(user, "view_forum", forum) and can(user, "moderate_forum", forum)
    assert runner.invoke(args=["forum", "groups", "remove-member", "Tax team",
                               "Cli Person"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(Membership)) is None
        assert not can(_get(User, member.id), "view_forum",
                       db.session.scalar(select(Forum).where(Forum.slug == "secret")))
    result = runner.invoke(args=["forum", "forums", "restrict", "nope", "--group", "Tax team"])
    assert result.exit_code != 0 and "No forum" in result.output

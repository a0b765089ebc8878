"""Authorization rows for groups: anyone sees the groups; members ask to join groups that take
requests, accept invitations and leave; owners (the world's author owns "Matrix team") and
admins manage members; admins create groups and give forums' permissions."""
from __future__ import annotations

from forum.accounts.models import User
from forum.extensions import db
from forum.groups import services as groups
from tests.authz import ACCOUNT, ADMINS, EVERYONE, ROLES, A


def build(app, make, people, world) -> None:
    team = groups.group_by_slug("matrix-team")
    admin = db.session.get(User, people["admin"].id)
    groups.add_member(None, team, db.session.get(User, people["author"].id), owner=True)
    groups.invite(admin, team, db.session.get(User, people["member"].id))
    forum = world.topic.forum_id
    world.extra["rule_id"] = groups.add_provider_rule(None, team, "dept", "matrix").id
    world.extra["grant_id"] = next(g.id for g in groups.grants(db.session.get(
        type(world.topic.forum), forum)))


OWNERS = {role: "deny" for role in ROLES} | {"visitor": "login", "author": "ok", "admin": "ok"}
INVITED = {role: "deny" for role in ROLES} | {"visitor": "login", "member": "ok"}
_TEAM = "/groups/matrix-team"

ROWS = {
    ("groups.index", "GET"): (lambda w: "/groups", None, EVERYONE),
    ("groups.group", "GET"): (lambda w: _TEAM, None, EVERYONE),
    # Already in the team: nothing to ask; the invited member may ask (that accepts).
    ("groups.join", "POST"): (lambda w: f"{_TEAM}/join", None,
                              dict(A, group_member="deny", author="deny")),
    ("groups.accept", "POST"): (lambda w: f"{_TEAM}/accept", None, INVITED),
    ("groups.leave", "POST"): (lambda w: f"{_TEAM}/leave", None, ACCOUNT),
    ("groups.manage", "GET"): (lambda w: f"{_TEAM}/members", None, OWNERS),
    ("groups.manage", "POST"): (lambda w: f"{_TEAM}/members", lambda w: {"name": "Nobody"},
                                OWNERS),
    ("groups.approve", "POST"): (lambda w: f"{_TEAM}/members/{{member_id}}/approve", None,
                                 OWNERS),
    ("groups.remove", "POST"): (lambda w: f"{_TEAM}/members/{{member_id}}/remove", None,
                                OWNERS),
    ("groups.owner", "POST"): (lambda w: f"{_TEAM}/members/{{member_id}}/owner",
                               lambda w: {"owner": "1"}, OWNERS),
    ("groups.new_group", "GET"): (lambda w: "/admin/groups/new", None, ADMINS),
    ("groups.new_group", "POST"): (lambda w: "/admin/groups/new",
                                   lambda w: {"name": "New team", "joining": "invitation"},
                                   ADMINS),
    ("groups.forum_access", "GET"): (lambda w: f"/admin/forums/{w.topic.forum_id}/access",
                                     None, ADMINS),
    ("groups.forum_access", "POST"): (lambda w: f"/admin/forums/{w.topic.forum_id}/access",
                                      lambda w: {"group": "1", "action": "reply"}, ADMINS),
    ("groups.provider_rules", "GET"): (lambda w: f"/admin{_TEAM}/providers", None, ADMINS),
    ("groups.provider_rules", "POST"): (lambda w: f"/admin{_TEAM}/providers",
                                        lambda w: {"provider": "dept", "claim_value": "x"},
                                        ADMINS),
    ("groups.remove_provider_rule", "POST"): (
        lambda w: f"/admin{_TEAM}/providers/{w.extra['rule_id']}/remove", None, ADMINS),
    ("groups.remove_grant", "POST"): (
        lambda w: f"/admin/forums/{w.topic.forum_id}/access/{w.extra['grant_id']}/remove",
        None, ADMINS),
}

"""Read queries for groups, and the viewer scope every permission question reads."""
from __future__ import annotations

import json
from functools import cache
from typing import NamedTuple

from flask import g, has_request_context
from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import contains_eager

from .. import pagecache
from ..accounts.models import User
from ..accounts.services import session_fact, session_facts
from ..board.models import Forum
from ..dbutil import in_ids
from ..extensions import db
from ..permissions import ViewerScope
from .models import ForumGrant, Group, MemberState, Membership, ProviderGroupRule


@session_fact("group_count")
def _groups_with_the_member(user_id: int):
    """Loaded with the logged-in member: one who is in no group costs no query for it."""
    return (select(func.count(Membership.id))
            .where(Membership.user_id == user_id, Membership.state == MemberState.MEMBER)
            .scalar_subquery())


def load_scope(user: User, base: ViewerScope) -> ViewerScope:
    """The member's groups, the ones they own, and per forum what their groups may do
    (one query; none for the logged-in member when they are in no group)."""
    if has_request_context() and g.get("_login_user") is user \
            and session_facts().get("group_count") == 0:
        return base
    rows = db.session.execute(
        select(Membership.group_id, Membership.is_owner, ForumGrant.forum_id,
               ForumGrant.action)
        .outerjoin(ForumGrant, ForumGrant.group_id == Membership.group_id)
        .where(Membership.user_id == user.id, Membership.state == MemberState.MEMBER)).all()
    if not rows:
        return base
    grants: dict[int, set[str]] = {}
    for _, _, forum_id, action in rows:
        if forum_id is not None:
            grants.setdefault(forum_id, set()).add(action)
    return ViewerScope(user_id=base.user_id, all_forums=base.all_forums,
                       group_ids=frozenset(row[0] for row in rows),
                       owned=frozenset(row[0] for row in rows if row[1]),
                       grants={f: frozenset(a) for f, a in grants.items()})


def all_groups() -> list[Group]:
    return list(db.session.scalars(select(Group).order_by(Group.name)))


class ShownGroup(NamedTuple):
    """What a profile shows of a group: its link and name."""
    slug: str
    name: str


def shown_groups_scope(member_id: int) -> str:
    """The page-cache scope of the groups a member's profile shows, bumped by every change
    of their memberships (services._make_member, remove_member)."""
    return f"groups-of:{member_id}"


def shown_groups_fragment(member: User, scope: ViewerScope) -> tuple[str, list[str]]:
    """(key, scopes) of the kept copy of what shown_groups_of answers: the same for every
    viewer of one scope (its key says whether they read every forum and which groups they
    are in, all that decides which groups they see), dropped when the member's groups
    change (or the whole site's pages do)."""
    return (f"groups:{member.id}:{scope.key}",
            [pagecache.SITE, shown_groups_scope(member.id)])


def kept_shown_groups(kept: pagecache.KeptFragment, member: User, scope: ViewerScope
                      ) -> list[ShownGroup]:
    """shown_groups_of's answer from its kept copy (shown_groups_fragment, looked up by the
    page), or found and kept now."""
    return kept.or_find(
        lambda: [ShownGroup(group.slug, group.name)
                 for group in shown_groups_of(member, scope)],
        json.dumps, lambda text: [ShownGroup(*group) for group in json.loads(text)])


def shown_groups_of(member: User, scope: ViewerScope) -> list[Group]:
    """A member's groups as shown on their profile: those whose member list is public, and
    those the viewer belongs to too."""
    every = scope.all_forums and scope.user_id is not None
    return list(db.session.scalars(_shown_groups_statement(every), {
        "member_id": member.id, "group_ids": sorted(scope.group_ids)}))


@cache
def _shown_groups_statement(every: bool):
    """shown_groups_of's statement, built once per process for each shape (every group, for
    staff who read every forum; else the public ones and the viewer's own)."""
    query = (select(Group).join(Membership, Membership.group_id == Group.id)
             .where(Membership.user_id == bindparam("member_id", type_=Integer),
                    Membership.state == MemberState.MEMBER))
    if not every:
        query = query.where(Group.members_public | in_ids(Group.id, "group_ids"))
    return query.order_by(Group.name)


def my_memberships(user: User) -> list[Membership]:
    """Every group row of a member: groups, invitations and requests."""
    return list(db.session.scalars(
        select(Membership).join(Membership.group).where(Membership.user_id == user.id)
        .order_by(Group.name).options(contains_eager(Membership.group))))


def forums_of(group: Group) -> list[tuple[Forum, list[str]]]:
    """The forums a group has permissions in, with what it may do there."""
    rows = db.session.execute(
        select(Forum, ForumGrant.action).join(ForumGrant, ForumGrant.forum_id == Forum.id)
        .where(ForumGrant.group_id == group.id).order_by(Forum.title, ForumGrant.action)).all()
    found: dict[int, tuple[Forum, list[str]]] = {}
    for forum, action in rows:
        found.setdefault(forum.id, (forum, []))[1].append(action)
    return list(found.values())


def grant(grant_id: int) -> ForumGrant | None:
    return db.session.get(ForumGrant, grant_id)


def provider_rule(rule_id: int) -> ProviderGroupRule | None:
    return db.session.get(ProviderGroupRule, rule_id)

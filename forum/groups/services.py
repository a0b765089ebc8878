"""Groups: creating them, who is in them, and what they may do in which forum.

Each function is one unit of work with the acting person passed in (None for the command
line and for joins made by an e-mail domain); it checks the policy (forum/permissions.py),
changes the rows and keeps the counters and the forums' restriction flags in step, in the
caller's transaction."""
from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import contains_eager, joinedload

from .. import pagecache
from ..accounts import domains
from ..accounts.models import User
from ..board.models import Forum
from ..board.services import slugify
from ..errors import Invalid, PermissionDenied
from ..extensions import db
from ..moderation.services import record
from ..permissions import FORUM_ACTIONS, forget_scope, require
from .models import ForumGrant, Group, Joining, MemberState, Membership, ProviderGroupRule
from .queries import shown_groups_scope

NAME_MAX = 80
DESCRIPTION_MAX = 1000


def _check(actor: User | None, action: str, obj=None) -> None:
    if actor is not None:  # None: the operator, at the command line
        require(actor, action, obj)


def _name(name: str) -> str:
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= NAME_MAX:
        raise Invalid(f"The name must be between 2 and {NAME_MAX} characters.", "name")
    return name


def _domain(text: str | None) -> str | None:
    if not (text or "").strip():
        return None
    domain = domains.canonical_domain(text.strip().lstrip("@"))
    if domain is None or "." not in domain:
        raise Invalid("Enter a domain such as revenue.gov.example.", "email_domain")
    return domain


def create_group(actor: User | None, name: str, description: str = "", *,
                 members_public: bool = False, joining: Joining = Joining.INVITATION,
                 email_domain: str | None = None) -> Group:
    _check(actor, "manage_groups")
    name = _name(name)
    slug = slugify(name, 90)
    taken = db.session.scalar(select(Group.id).where(
        (func.lower(Group.name) == name.lower()) | (Group.slug == slug)))
    if taken is not None:
        raise Invalid("There is already a group with that name.", "name")
    description = (description or "").replace("\r\n", "\n").strip()
    if len(description) > DESCRIPTION_MAX:
        raise Invalid(f"Keep the description to {DESCRIPTION_MAX} characters.", "description")
    group = Group(name=name, slug=slug, description=description,
                  members_public=members_public, joining=joining,
                  email_domain=_domain(email_domain), member_count=0)
    db.session.add(group)
    db.session.flush()
    if group.email_domain:
        join_by_domain(group)
    return group


def group_by_slug(slug: str) -> Group | None:
    return db.session.scalar(select(Group).where(Group.slug == slug[:90]))


def group_by_name(name: str) -> Group | None:
    name = " ".join((name or "").split())
    return db.session.scalar(select(Group).where(func.lower(Group.name) == name.lower()))


def membership(group: Group, user: User) -> Membership | None:
    return db.session.scalar(select(Membership).where(
        Membership.group_id == group.id, Membership.user_id == user.id))


def _recount(group: Group) -> None:
    group.member_count = db.session.scalar(select(func.count(Membership.id)).where(
        Membership.group_id == group.id, Membership.state == MemberState.MEMBER)) or 0
    db.session.flush()


def _make_member(group: Group, user: User, *, by: User | None, owner: bool = False,
                 by_domain: bool = False) -> Membership:
    row = membership(group, user)
    if row is None:
        row = Membership(group_id=group.id, user_id=user.id, state=MemberState.MEMBER,
                         is_owner=owner, by_domain=by_domain,
                         added_by_id=by.id if by is not None else None)
        db.session.add(row)
    else:
        row.state = MemberState.MEMBER
        row.is_owner = row.is_owner or owner
        row.by_domain = row.by_domain and by_domain
        row.by_provider = None  # kept by whoever added them now, not by a claim
    db.session.flush()
    _recount(group)
    forget_scope(user)
    # group pages and profiles; the groups the member's profile shows
    pagecache.changed(pagecache.LISTS, shown_groups_scope(user.id))
    return row


def add_member(actor: User | None, group: Group, user: User, *, owner: bool = False
               ) -> Membership:
    """Put someone in a group at once (admins, the command line)."""
    _check(actor, "manage_groups")
    return _make_member(group, user, by=actor, owner=owner)


def invite(actor: User, group: Group, user: User) -> Membership:
    """An owner invites a member; someone who asked to join is let in."""
    require(actor, "manage_group", group)
    row = membership(group, user)
    if row is not None and row.state == MemberState.MEMBER:
        raise Invalid(f"{user.display_name} is already a member.", "name")
    if row is not None and row.state == MemberState.REQUESTED:
        return _make_member(group, user, by=actor)
    if row is None:
        row = Membership(group_id=group.id, user_id=user.id, state=MemberState.INVITED,
                         added_by_id=actor.id)
        db.session.add(row)
        db.session.flush()
    return row


def request_to_join(user: User, group: Group) -> Membership:
    require(user, "request_group", group)
    row = membership(group, user)
    if row is not None and row.state == MemberState.INVITED:
        return _make_member(group, user, by=None)  # invited already: asking is accepting
    if row is None:
        row = Membership(group_id=group.id, user_id=user.id, state=MemberState.REQUESTED)
        db.session.add(row)
        db.session.flush()
    return row


def accept_invitation(user: User, group: Group) -> Membership:
    row = membership(group, user)
    if row is None or row.state != MemberState.INVITED:
        raise PermissionDenied()
    return _make_member(group, user, by=None)


def approve_request(actor: User, group: Group, user: User) -> Membership:
    require(actor, "manage_group", group)
    row = membership(group, user)
    if row is None or row.state != MemberState.REQUESTED:
        raise Invalid(f"{user.display_name} has not asked to join.", "name")
    return _make_member(group, user, by=actor)


def remove_member(actor: User | None, group: Group, user: User) -> None:
    """An owner (or admin, or the command line) takes someone out, or turns down a request
    or withdraws an invitation; a member leaves by removing themselves."""
    if actor is None or actor.id != user.id:
        _check(actor, "manage_group", group)
    db.session.execute(delete(Membership).where(Membership.group_id == group.id,
                                                Membership.user_id == user.id))
    _recount(group)
    forget_scope(user)
    pagecache.changed(pagecache.LISTS, shown_groups_scope(user.id))


def set_owner(actor: User, group: Group, user: User, owner: bool) -> None:
    require(actor, "manage_group", group)
    row = membership(group, user)
    if row is None or row.state != MemberState.MEMBER:
        raise Invalid(f"{user.display_name} is not a member.", "name")
    row.is_owner = owner
    forget_scope(user)
    db.session.flush()


def members(group: Group, state: MemberState = MemberState.MEMBER, limit: int = 500
            ) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).join(Membership.user)
        .where(Membership.group_id == group.id, Membership.state == state)
        .order_by(Membership.is_owner.desc(), User.name_key).limit(limit)
        .options(contains_eager(Membership.user))))


# ------------------------------------------------------------- membership by e-mail domain

def join_by_domain(group: Group) -> int:
    """Make every member with a confirmed address at the group's domain a member."""
    if not group.email_domain:
        return 0
    joined = 0
    people = db.session.scalars(select(User).where(User.email_verified_at.is_not(None),
                                                   User.email.ilike(f"%{group.email_domain}")))
    for user in people:
        if domains.domain_matches(domains.address_domain(user.email), group.email_domain):
            if membership(group, user) is None:
                _make_member(group, user, by=None, by_domain=True)
                joined += 1
    return joined


def follow_address(user: User) -> None:
    """After a member's address was confirmed or changed: join the groups of its domain,
    leave those joined by an old domain."""
    domain = domains.address_domain(user.email) if user.email_verified_at else None
    for group in db.session.scalars(select(Group).where(Group.email_domain.is_not(None))):
        row = membership(group, user)
        matches = domains.domain_matches(domain, group.email_domain)
        if matches and (row is None or row.state != MemberState.MEMBER):
            _make_member(group, user, by=None, by_domain=True)
        elif not matches and row is not None and row.by_domain:
            remove_member(None, group, user)


# ------------------------------------------------ membership by identity-provider groups

CLAIM_VALUE_MAX = 200


def provider_rules(group: Group) -> list[ProviderGroupRule]:
    return list(db.session.scalars(select(ProviderGroupRule).where(
        ProviderGroupRule.group_id == group.id).order_by(ProviderGroupRule.provider,
                                                         ProviderGroupRule.claim_value)))


def add_provider_rule(actor: User | None, group: Group, provider: str, claim_value: str
                      ) -> ProviderGroupRule:
    """Members whose provider lists `claim_value` in their groups claim join `group` at
    their next log-in there (and leave when it no longer does)."""
    _check(actor, "manage_groups")
    claim_value = (claim_value or "").strip()
    if not 1 <= len(claim_value) <= CLAIM_VALUE_MAX:
        raise Invalid(f"Enter the group's value in the provider's claim (at most "
                      f"{CLAIM_VALUE_MAX} characters).", "claim_value")
    if db.session.scalar(select(ProviderGroupRule.id).where(
            ProviderGroupRule.provider == provider, ProviderGroupRule.claim_value == claim_value,
            ProviderGroupRule.group_id == group.id)) is not None:
        raise Invalid("That claim value already leads to this group.", "claim_value")
    rule = ProviderGroupRule(provider=provider, claim_value=claim_value, group_id=group.id)
    db.session.add(rule)
    db.session.flush()
    if actor is not None:
        record(actor, "map_provider_group", rule, reason=None, before={},
               after={"group": group.name, "provider": provider, "claim": claim_value})
    return rule


def remove_provider_rule(actor: User | None, rule: ProviderGroupRule) -> None:
    """Stop the mapping; members it brought in leave at their next log-in there."""
    _check(actor, "manage_groups")
    if actor is not None:
        record(actor, "unmap_provider_group", rule, reason=None,
               before={"group": rule.group.name, "provider": rule.provider,
                       "claim": rule.claim_value}, after={})
    db.session.delete(rule)
    db.session.flush()


def follow_provider_groups(user: User, provider: str, values: list[str]) -> None:
    """At a log-in through `provider`: join the groups its claim values map to, leave those
    joined through it that no longer match. Memberships made any other way are left alone.
    Each join and leave is in the moderation log (the member is the actor: their log-in)."""
    values = sorted({v for v in values if isinstance(v, str)})
    wanted: dict[int, ProviderGroupRule] = {}
    if values:
        for rule in db.session.scalars(select(ProviderGroupRule).where(
                ProviderGroupRule.provider == provider,
                ProviderGroupRule.claim_value.in_(values)).order_by(ProviderGroupRule.id)):
            wanted.setdefault(rule.group_id, rule)
    rows = {row.group_id: row for row in db.session.scalars(
        select(Membership).where(Membership.user_id == user.id))}
    for group_id, rule in wanted.items():
        row = rows.get(group_id)
        if row is not None and row.state == MemberState.MEMBER:
            continue  # in already (by invitation, domain or this provider)
        made = _make_member(rule.group, user, by=None)
        made.by_provider = provider
        record(user, "provider_group_join", user, reason=None, before={},
               after={"group": rule.group.name, "provider": provider,
                      "claim": rule.claim_value})
    for group_id, row in rows.items():
        if row.by_provider == provider and group_id not in wanted:
            name = row.group.name
            remove_member(None, row.group, user)
            record(user, "provider_group_leave", user, reason=None,
                   before={"group": name, "provider": provider}, after={})
    db.session.flush()


# ----------------------------------------------------------------- forum grants by group

def restrict_forum(actor: User | None, forum: Forum, group: Group, action: str) -> bool:
    """Let `group` <action> in `forum` (and so limit that action there to its groups).
    Returns False if the group had it already."""
    _check(actor, "manage_groups")
    if action not in FORUM_ACTIONS:
        raise Invalid(f"Choose one of: {', '.join(FORUM_ACTIONS)}.", "action")
    exists = db.session.scalar(select(ForumGrant.id).where(
        ForumGrant.forum_id == forum.id, ForumGrant.group_id == group.id,
        ForumGrant.action == action))
    if exists is not None:
        return False
    db.session.add(ForumGrant(forum_id=forum.id, group_id=group.id, action=action))
    db.session.flush()
    _refresh_flags(forum)
    if actor is not None:
        record(actor, "grant_forum", forum, reason=None, before={},
               after={"group": group.name, "can": action})
    return True


def unrestrict_forum(actor: User | None, forum: Forum, group: Group, action: str) -> bool:
    _check(actor, "manage_groups")
    gone = db.session.execute(delete(ForumGrant).where(
        ForumGrant.forum_id == forum.id, ForumGrant.group_id == group.id,
        ForumGrant.action == action)).rowcount
    _refresh_flags(forum)
    if gone and actor is not None:
        record(actor, "revoke_forum", forum, reason=None,
               before={"group": group.name, "can": action}, after={})
    return bool(gone)


def _refresh_flags(forum: Forum) -> None:
    actions = set(db.session.scalars(select(ForumGrant.action).where(
        ForumGrant.forum_id == forum.id)))
    db.session.execute(update(Forum).where(Forum.id == forum.id).values(
        read_restricted="read" in actions, reply_restricted="reply" in actions,
        start_restricted="start" in actions))
    db.session.refresh(forum)
    _forget_loaded_scopes()
    # Who may read a forum decides what every page shows: no visitor's cached page of the
    # old rule may be served once this commits (forum/pagecache.py).
    pagecache.changed(pagecache.SITE)


def _forget_loaded_scopes() -> None:
    """Members loaded in this session re-read their scope after a change of grants."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, User):
            forget_scope(obj)


def grants(forum: Forum) -> list[ForumGrant]:
    return list(db.session.scalars(
        select(ForumGrant).where(ForumGrant.forum_id == forum.id)
        .order_by(ForumGrant.group_id, ForumGrant.action)
        .options(joinedload(ForumGrant.group))))

"""Groups, their members, and what each group may do in a forum."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..accounts.models import User
from ..board.models import Forum
from ..extensions import db


def _enum(cls):
    return db.Enum(cls, native_enum=False, length=16,
                   values_callable=lambda e: [m.value for m in e])


class Joining(str, enum.Enum):
    """How people who are not invited get in."""
    INVITATION = "invitation"  # only by invitation (or by e-mail domain)
    REQUEST = "request"        # members may ask; a group owner approves


class MemberState(str, enum.Enum):
    INVITED = "invited"        # an owner invited them; they accept or decline
    REQUESTED = "requested"    # they asked; an owner approves or turns it down
    MEMBER = "member"


class Group(db.Model):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    slug: Mapped[str] = mapped_column(String(90), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # Whether the member list (and the group on its members' profiles) is shown to everyone;
    # otherwise only to the group's members and admins.
    members_public: Mapped[bool] = mapped_column(default=False)
    joining: Mapped[Joining] = mapped_column(_enum(Joining), default=Joining.INVITATION)
    # Everyone whose confirmed address is at this domain (or below it) is a member.
    email_domain: Mapped[str | None] = mapped_column(String(253))
    member_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Membership(db.Model):
    __tablename__ = "group_members"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id"),
        Index("ix_group_members_user", "user_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[MemberState] = mapped_column(_enum(MemberState))
    is_owner: Mapped[bool] = mapped_column(default=False)
    # True when the member is in because of their address (and leaves when it changes).
    by_domain: Mapped[bool] = mapped_column(default=False)
    # The identity provider whose group claim put the member in (they leave when a log-in
    # there no longer says so); None for every other way in.
    by_provider: Mapped[str | None] = mapped_column(String(40))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    group: Mapped[Group] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ForumGrant(db.Model):
    """A group may <action> in a forum. Any "read" grant makes the forum private to its
    groups (Forum.read_restricted); "reply" and "start" grants limit those actions likewise;
    "moderate" makes the group's members moderators there (and readers)."""
    __tablename__ = "forum_grants"
    __table_args__ = (UniqueConstraint("forum_id", "group_id", "action"),
                      Index("ix_forum_grants_group", "group_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    action: Mapped[str] = mapped_column(String(16))

    forum: Mapped[Forum] = relationship()
    group: Mapped[Group] = relationship()


class ProviderGroupRule(db.Model):
    """Members whose identity provider lists `claim_value` in their groups claim are members
    of `group`, from their next log-in there (services.follow_provider_groups)."""
    __tablename__ = "provider_group_rules"
    __table_args__ = (UniqueConstraint("provider", "claim_value", "group_id"),
                      Index("ix_provider_group_rules_group", "group_id"))

    audit_type = "group_rule"   # its entries in the moderation log

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(40))
    claim_value: Mapped[str] = mapped_column(String(200))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    group: Mapped[Group] = relationship()

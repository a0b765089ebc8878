from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock, text
from ..dbutil import string_enum
from ..extensions import db


class Role(str, enum.Enum):
    MEMBER = "member"
    STAFF = "staff"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def name_key(display_name: str) -> str:
    """The form of a display name used for uniqueness and look-ups: case and spacing folded."""
    return " ".join(display_name.split()).casefold()


def name_skeleton(display_name: str) -> str:
    """The form of a display name used to find look-alikes (UTS #39 confusable skeleton,
    forum/text.py): "Forum Аdmin" with a Cyrillic "А" has the skeleton of "Forum Admin"."""
    return text.skeleton(display_name)


def _skeleton_default(context) -> str:
    return name_skeleton(context.get_current_parameters()["display_name"])


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(40))
    # casefold() can make a name longer ("ß" -> "ss"): room for that.
    name_key: Mapped[str] = mapped_column(String(160), unique=True)
    # Look-alikes (issue 13): a new name whose skeleton an existing name has is refused
    # (accounts.services.check_new_name). Not unique: names made before the rule may share one.
    name_skeleton: Mapped[str] = mapped_column(Text, index=True,
                                               default=_skeleton_default)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        string_enum(Role),
        default=Role.MEMBER,
    )
    bio: Mapped[str] = mapped_column(Text, default="")
    bio_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_seen_at: Mapped[datetime | None]
    email_verified_at: Mapped[datetime | None]
    # A new address asked for in settings: it replaces `email` only once its link is followed.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    # Derived (forum/accounts/domains.py): a verified address at a government domain. Kept
    # current when the address or the domain list changes, so pages only read it.
    is_government_verified: Mapped[bool] = mapped_column(default=False,
                                                         server_default=false())
    suspended_until: Mapped[datetime | None]
    suspension_reason: Mapped[str | None] = mapped_column(String(500))
    # Denormalised counts for profiles and listings, kept by the board services.
    topic_count: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)
    # Bumped on password change: sessions carrying an older value are logged out.
    session_version: Mapped[int] = mapped_column(default=1)
    # The member's picture (forum/uploads/avatars.py): the storage key of its sizes; None
    # shows their initials.
    avatar_key: Mapped[str | None] = mapped_column(String(32))
    # When a moderator let this member through on the review page: from then on their posts
    # never wait for approval (forum/board/approval.py). None: the usual rules apply.
    approved_at: Mapped[datetime | None]
    # The member's time zone (an IANA name, forum/clock.py's zones()); None: the site's, UTC.
    time_zone: Mapped[str | None] = mapped_column(String(64))

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > clock.now()

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.STAFF, Role.MODERATOR, Role.ADMIN)

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.id} {self.display_name!r}>"


# Two-factor sign-in (the rules are in twofactor.py): a member's authenticator seed, and
# the digests of their recovery codes.
class TotpCredential(db.Model):
    __tablename__ = "totp_credentials"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    # The seed, encrypted (forum/sealing.py: Fernet under ENCRYPTION_KEYS); twofactor.seed()
    # opens it.
    sealed_secret: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    confirmed_at: Mapped[datetime | None]       # None while enrolling
    last_used_step: Mapped[int | None]          # the newest time step accepted


class RecoveryCode(db.Model):
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]


class MemberSession(db.Model):
    """One logged-in browser (forum/accounts/sessions.py): its id travels in the signed
    session and remember-me cookies, and a session whose row has ended (log-out, "log out
    other sessions", a new password) or sat idle too long is refused, whatever cookie
    carries it."""
    __tablename__ = "member_sessions"
    __table_args__ = (Index("ix_member_sessions_user_open", "user_id", "ended_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    ended_at: Mapped[datetime | None]


class OidcIdentity(db.Model):
    """A member's account at an identity provider (forum/accounts/oidc.py): the provider's
    name in our configuration and its subject identifier, unique together."""
    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(254), default="")
    # A verified address from a provider configured as government's: the badge, whatever
    # the domain list says (forum/accounts/domains.py reads it).
    government_verified: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_used_at: Mapped[datetime | None]
    # How the provider says the member authenticated, last time (amr joined by spaces).
    last_amr: Mapped[str] = mapped_column(String(200), default="")
    last_acr: Mapped[str] = mapped_column(String(200), default="")


class IdentityProviderSetting(db.Model):
    """An identity provider added by an admin (/admin/identity-providers), beside those of
    the environment (OIDC_PROVIDERS, which win on a shared name). The client secret is
    stored encrypted (forum/sealing.py, purpose "oidc-client-secret")."""
    __tablename__ = "identity_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    sealed_client_secret: Mapped[str] = mapped_column(Text)
    scopes: Mapped[str] = mapped_column(String(255), default="openid email profile")
    label: Mapped[str] = mapped_column(String(80))
    government: Mapped[bool] = mapped_column(default=False, server_default=false())
    groups_claim: Mapped[str] = mapped_column(String(80), default="groups")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

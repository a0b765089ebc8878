from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
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


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(40))
    # casefold() can make a name longer ("ß" -> "ss"): room for that.
    name_key: Mapped[str] = mapped_column(String(160), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        db.Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
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

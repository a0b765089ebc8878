"""The security log: every sign-in event of an account (successful or refused), and the
changes to how it signs in (two-factor on or off, new recovery codes, an identity provider
linked). A member reads their own in settings; admins query everyone's.

Rows are written by the services that make the event, in the same transaction (a refused
attempt commits its row with the throttle's count). Nothing secret is ever stored: no
password, code or token, only what happened, how, from which address and browser.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func, select
from sqlalchemy.orm import Mapped, contains_eager, mapped_column, relationship

from .. import clock
from ..extensions import db
from .models import User, name_key

PAGE_SIZE = 50


class Event(str, enum.Enum):
    SIGNED_IN = "signed_in"
    WRONG_PASSWORD = "wrong_password"
    WRONG_CODE = "wrong_code"
    PROVIDER_REFUSED = "provider_refused"
    SIGNED_OUT = "signed_out"
    TWO_FACTOR_ON = "two_factor_on"
    TWO_FACTOR_OFF = "two_factor_off"
    RECOVERY_CODES = "recovery_codes"
    PROVIDER_LINKED = "provider_linked"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Event.SIGNED_IN: "Signed in",
    Event.WRONG_PASSWORD: "Wrong password",
    Event.WRONG_CODE: "Wrong two-factor code",
    Event.PROVIDER_REFUSED: "Identity provider refused (address not confirmed)",
    Event.SIGNED_OUT: "Logged out",
    Event.TWO_FACTOR_ON: "Two-factor turned on",
    Event.TWO_FACTOR_OFF: "Two-factor turned off",
    Event.RECOVERY_CODES: "New recovery codes made",
    Event.PROVIDER_LINKED: "Identity provider linked",
}


class SignInEvent(db.Model):
    __tablename__ = "sign_in_events"
    __table_args__ = (Index("ix_sign_in_events_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    event: Mapped[Event] = mapped_column(
        db.Enum(Event, name="sign_in_event", native_enum=False, length=24, values_callable=lambda e: [m.value for m in e]))
    # How: "password", "password + authenticator code", "password + recovery code",
    # "<provider label>" (+ the provider's amr/acr when it sent them).
    method: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[User] = relationship(lazy="raise")

    @property
    def device(self) -> str:
        return describe_device(self.user_agent)


@dataclass(frozen=True)
class Client:
    """Where a request came from, as the view saw it (services never read the request)."""
    address: str = ""
    user_agent: str = ""


def record(user: User | int, event: Event, client: Client, method: str = "") -> None:
    """Add one event in the caller's transaction."""
    user_id = user if isinstance(user, int) else user.id
    db.session.add(SignInEvent(user_id=user_id, event=event, at=clock.now(),
                               method=method[:120], address=(client.address or "")[:64],
                               user_agent=(client.user_agent or "")[:300]))


BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari")]
SYSTEMS = [("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
           ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
           ("Linux", "Linux")]


def describe_device(user_agent: str) -> str:
    """"Firefox on Windows" from a User-Agent header; the raw header when unknown."""
    ua = user_agent or ""
    browser = next((name for token, name in BROWSERS if token in ua), None)
    system = next((name for token, name in SYSTEMS if token in ua), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or system
    return re.sub(r"\s+", " ", ua)[:80] or "Unknown"


def events_of(user: User, page: int = 1) -> tuple[list[SignInEvent], bool]:
    """A member's own log, newest first (one indexed query). Returns (rows, has_more)."""
    rows = list(db.session.scalars(
        select(SignInEvent).where(SignInEvent.user_id == user.id)
        .order_by(SignInEvent.at.desc(), SignInEvent.id.desc())
        .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def search(member: str = "", event: str = "", address: str = "",
           page: int = 1) -> tuple[list[SignInEvent], bool]:
    """Admins' query: everyone's events, filtered by member name, event and address prefix,
    newest first, with the members joined (one query). Returns (rows, has_more)."""
    query = select(SignInEvent).join(SignInEvent.user).options(contains_eager(SignInEvent.user))
    if member.strip():
        query = query.where(User.name_key == name_key(member))
    if event in Event._value2member_map_:
        query = query.where(SignInEvent.event == Event(event))
    if address.strip():
        prefix = address.strip()[:64].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(SignInEvent.address.like(prefix + "%", escape="\\"))
    rows = list(db.session.scalars(query.order_by(SignInEvent.at.desc(), SignInEvent.id.desc())
                                   .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def count(user_id: int, event: Event) -> int:
    return db.session.scalar(select(func.count(SignInEvent.id)).where(
        SignInEvent.user_id == user_id, SignInEvent.event == event)) or 0

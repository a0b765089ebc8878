"""A growing delay after failed log-ins, per account and per address.

Password guessing is slowed to a crawl while the real owner is never locked out for long:
the first few failures cost nothing, then each further failure makes the next attempt wait
twice as long, up to a short cap (a minute for an account, five for an address that tries
many accounts). A wait is not a sleep (that would tie up a worker): the form is shown again
with "try again in N seconds" and everything typed, and no password is checked meanwhile.
Failures are forgotten FAILURE_WINDOW after the first one, and an account's are forgotten as
soon as its owner logs in.

The counts live in the database (one row per account or address, upserted in one statement),
so every worker shares them and the test clock moves them. Keys are keyed hashes (HMAC with
the secret key) of the typed name and of the address: no raw address is stored, and the row
says nothing about whether an account exists.
"""
from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import String, case, delete, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..extensions import db
from .. import metrics
from ..client_address import client_address
from ..dbutil import upsert_insert
from .models import User, name_key

FAILURE_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Policy:
    free: int                # failures allowed before any wait
    cap: timedelta           # the longest wait


POLICIES = {"account": Policy(free=5, cap=timedelta(minutes=1)),
            "address": Policy(free=20, cap=timedelta(minutes=5))}


class LoginThrottle(db.Model):
    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failed_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]


def delay_after(failures: int, policy: Policy) -> timedelta:
    """1 s after the first failure beyond the free ones, then 2, 4, 8... up to the cap."""
    if failures <= policy.free:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - policy.free - 1, 20)), policy.cap)


def _key(scope: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(secret, f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{scope}:{digest[:64]}"


def _keys(login: str) -> dict[str, str]:
    """An existing account is one key however it is named (email or display name); a name
    with no account is keyed by what was typed, so the rows tell nothing either way."""
    typed = (login or "").strip()
    user_id = db.session.scalar(select(User.id).where(or_(
        User.email == typed.lower(), User.name_key == name_key(typed))).limit(1))
    account = f"id:{user_id}" if user_id is not None else f"typed:{name_key(typed)}"
    return {"account": _key("account", account),
            "address": _key("address", client_address())}


def wait_seconds(login: str) -> int | None:
    """Seconds before this name may be tried from this address again, or None."""
    if not current_app.config.get("LOGIN_THROTTLE_ENABLED", True):
        return None
    now = clock.now()
    until = db.session.scalars(select(LoginThrottle.blocked_until).where(
        LoginThrottle.key.in_(_keys(login).values()),
        LoginThrottle.blocked_until > now)).all()
    if not until:
        return None
    metrics.refused("login_delay")
    return max(1, math.ceil((max(until) - now).total_seconds()))


def record_failure(login: str) -> None:
    """Count a failed attempt for the name and the address (in the caller's transaction)."""
    if not current_app.config.get("LOGIN_THROTTLE_ENABLED", True):
        return
    now = clock.now()
    for scope, key in _keys(login).items():
        failures = _bump(key, now)
        wait = delay_after(failures, POLICIES[scope])
        if wait:
            db.session.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                               .values(blocked_until=now + wait))


def _bump(key: str, now: datetime) -> int:
    """Add one failure in a single statement (no lost update between workers); a window
    that has run out starts again at one. Returns the count."""
    table = LoginThrottle.__table__
    stale = table.c.first_failed_at < now - FAILURE_WINDOW
    insert = upsert_insert(table).values(key=key, failures=1, first_failed_at=now)
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": case((stale, 1), else_=table.c.failures + 1),
              "first_failed_at": case((stale, now), else_=table.c.first_failed_at),
              "blocked_until": case((stale, None), else_=table.c.blocked_until)},
    ).returning(table.c.failures)
    return db.session.execute(statement).scalar_one()


def record_success(login: str) -> None:
    """The owner got in: their account's failures are forgotten (the address's are not)."""
    db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.key == _keys(login)["account"]))


def wait_message(seconds: int) -> str:
    unit = "second" if seconds == 1 else "seconds"
    return ("There have been several wrong passwords for this account or from your network. "
            f"Nothing was lost: try again in {seconds} {unit}.")

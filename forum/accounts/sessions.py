"""Server-side session records: log-out ends a session for every copy of its cookies.

Logging in makes a `MemberSession` row (random id, member, created, last seen, browser) and
puts its id into Flask-Login's user id ("<member>:<session_version>:<session>"), so both the
signed session cookie and the remember-me cookie carry it. The user loader
(`services.load_session_user`) reads the row in the query that loads the member, and refuses
a session that has ended or has been idle longer than SESSION_IDLE_DAYS. "Last seen" is
written after the response, in a transaction of its own, at most every
SESSION_TOUCH_SECONDS per session, so pages do not write on every request.

The log-in steps (2FA, a security log) build on `begin()`; nothing else calls login_user.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select, update

from .. import clock
from ..extensions import db
from . import membercache
from .models import MemberSession, User

USER_AGENT_MAX = 300


def begin(user: User, remember: bool = False) -> MemberSession:
    """Log this browser in as `user` with a fresh session and a new session record (added
    to the caller's transaction: the view commits)."""
    now = clock.now()
    record = MemberSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now,
                           last_seen_at=now,
                           user_agent=(request.user_agent.string or "")[:USER_AGENT_MAX])
    db.session.add(record)
    db.session.flush()
    session.clear()  # a fresh session at log in: nothing carries over from before
    login_user(user, remember=remember)
    session["_user_id"] = f"{user.get_id()}:{record.id}"
    g.session_id = record.id
    return record


def finish() -> None:
    """Log this browser out and end its session record (the view commits)."""
    if this := current_id():
        end(this)
    logout_user()
    session.clear()


def current_id() -> str | None:
    """The id of this request's session record, or None (not logged in)."""
    if current_user.is_authenticated:  # loads the member, and with them the record's id
        return g.get("session_id")
    return None


def end(session_id: str) -> None:
    db.session.execute(update(MemberSession).where(
        MemberSession.id == session_id, MemberSession.ended_at.is_(None))
        .values(ended_at=clock.now()))


def end_others(user: User, keep: str | None) -> int:
    """End every open session of `user` except `keep`; how many were ended."""
    query = update(MemberSession).where(MemberSession.user_id == user.id,
                                        MemberSession.ended_at.is_(None))
    if keep:
        query = query.where(MemberSession.id != keep)
    return db.session.execute(query.values(ended_at=clock.now())).rowcount


def end_all(user: User) -> int:
    return end_others(user, None)


def idle_limit() -> timedelta:
    return timedelta(days=current_app.config["SESSION_IDLE_DAYS"])


def active(user: User) -> list[MemberSession]:
    """The member's open sessions, most recently seen first."""
    return list(db.session.scalars(select(MemberSession).where(
        MemberSession.user_id == user.id, MemberSession.ended_at.is_(None),
        MemberSession.last_seen_at >= clock.now() - idle_limit())
        .order_by(MemberSession.last_seen_at.desc(), MemberSession.created_at.desc())))


def seen(session_id: str, last_seen_at) -> bool:
    """Called by the user loader with the row it read: False if the session is over (idle
    too long); when its "last seen" is older than SESSION_TOUCH_SECONDS, marks it for
    `touch_after_response`."""
    now = clock.now()
    if last_seen_at < now - idle_limit():
        return False
    g.session_id = session_id
    if last_seen_at <= now - timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"]):
        g.session_touch = session_id
    return True


def touch_after_response(response):
    """after_app_request: note "last seen" for a session marked by seen(), in a short
    transaction of its own on its own connection (the request's unit of work is untouched)."""
    if session_id := g.pop("session_touch", None):
        try:
            with db.engine.begin() as connection:
                connection.execute(update(MemberSession).where(
                    MemberSession.id == session_id).values(last_seen_at=clock.now())
                    # "last seen" changes no kept member (membercache.keep: an entry
                    # ends before its "last seen" is due again)
                    .execution_options(**{membercache.NEUTRAL: True}))
        except Exception:  # a page never fails for want of a "last seen"
            current_app.logger.warning("Could not note a session as seen.")
    return response

"""Account rules: registering, authenticating, passwords, profiles, roles."""
from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from collections.abc import Callable
from typing import Any

from flask import current_app, g
from sqlalchemy import func, or_, select

from .. import clock, markup
from ..errors import Invalid
from ..extensions import db
from .models import Role, User, name_key

DISPLAY_NAME = re.compile(r"[^\W_](?:[\w .'\-]*[^\W_])?")
_DUMMY_HASH: str | None = None


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(time_cost=config["ARGON2_TIME_COST"],
                          memory_cost=config["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_display_name(display_name: str) -> str:
    """Tidy a display name, or raise Invalid explaining what is wrong with it."""
    display_name = " ".join(display_name.split())
    if not 2 <= len(display_name) <= 40:
        raise Invalid("Display name must be between 2 and 40 characters.", "display_name")
    if not DISPLAY_NAME.fullmatch(display_name):
        raise Invalid("Display name can use letters, numbers, spaces, full stops, hyphens and "
                      "apostrophes, and must start and end with a letter or number.",
                      "display_name")
    return display_name


def find_by_name(name: str) -> User | None:
    return db.session.scalar(select(User).where(User.name_key == name_key(name)))


def register(display_name: str, email: str, password: str, role: Role = Role.MEMBER) -> User:
    display_name = check_display_name(display_name)
    email = email.strip().lower()
    if find_by_name(display_name):
        raise Invalid("That display name is taken. Choose another.", "display_name")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise Invalid("An account with that email address already exists. Log in instead.",
                      "email")
    user = User(display_name=display_name, name_key=name_key(display_name), email=email,
                password_hash=hash_password(password), role=role, created_at=clock.now())
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(login: str, password: str) -> User | None:
    """The user with this email or display name and password, or None.

    A wrong name costs as much time as a wrong password, so timing tells nothing.
    """
    global _DUMMY_HASH
    login = login.strip()
    user = db.session.scalar(select(User).where(or_(
        User.email == login.lower(), User.name_key == name_key(login))))
    hasher = _hasher()
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hasher.hash("not a real password")
        try:
            hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return None
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_seen_at = clock.now()
    return user


def password_matches(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(user: User, current: str, new: str) -> None:
    try:
        _hasher().verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise Invalid("Your current password is not right.", "current_password") from None
    user.password_hash = hash_password(new)
    # Every other session of this member ends; the view logs this one in again.
    user.session_version += 1


def update_profile(user: User, bio: str) -> None:
    user.bio = bio.strip()
    user.bio_html = markup.render(user.bio) if user.bio else ""


def set_role(user: User, role: Role) -> None:
    user.role = role


def create_admin(display_name: str, email: str, password: str) -> User:
    """Make a new admin, or promote the existing account with that email."""
    existing = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if existing:
        existing.role = Role.ADMIN
        existing.password_hash = hash_password(password)
        return existing
    return register(display_name, email, password, role=Role.ADMIN)


# Small facts every page shows the logged-in person (unread notifications, an unseen
# warning), registered by the features that own them: name -> fn(user_id) giving a scalar
# subquery. They are loaded with the person, in the same single query, into g.session_facts.
SESSION_FACTS: dict[str, Callable[[int], Any]] = {}


def session_fact(name: str):
    def register(fn: Callable[[int], Any]) -> Callable[[int], Any]:
        SESSION_FACTS[name] = fn
        return fn
    return register


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: "<id>:<session_version>", refused if the version moved on."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdecimal() and version.isdecimal() and user_id.isascii()
            and version.isascii() and len(user_id) < 10 and len(version) < 10):
        return None
    names = list(SESSION_FACTS)
    row = db.session.execute(
        select(User, *(SESSION_FACTS[name](int(user_id)).label(name) for name in names))
        .where(User.id == int(user_id))).first()
    if row is None or row[0].session_version != int(version):
        return None
    g.session_facts = dict(zip(names, row[1:]))
    return row[0]


def session_facts() -> dict[str, Any]:
    """The facts loaded with the logged-in person this request ({} if none was loaded)."""
    return g.get("session_facts", {})


def member_count() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0

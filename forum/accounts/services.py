"""Account rules: registering, authenticating, passwords, profiles, roles."""
from __future__ import annotations

import re
import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from typing import Any

from flask import current_app, g
from sqlalchemy import Integer, String, Table, bindparam, func, or_, select, update
from sqlalchemy.sql.util import find_tables

from .. import clock, markup, roundtrip, templating
from ..errors import Invalid, Refused, Throttled
from ..dbutil import Facts
from ..extensions import db
from . import membercache, security_log, sessions, throttle
from .models import MemberSession, Role, TotpCredential, User, name_key, name_skeleton
from .security_log import Client, Event

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
    return db.session.scalar(_by_name_statement(), {"name_key": name_key(name)})


@cache
def _by_name_statement():
    """find_by_name's statement, built once per process (~0.1 ms of a profile page)."""
    return select(User).where(User.name_key == bindparam("name_key", type_=String))


ROLE_WORDS = frozenset({"admin", "administrator", "moderator", "mod", "staff", "government",
                        "official", "sysop"})


def _script(c: str) -> str:
    return unicodedata.name(c, "UNKNOWN").split()[0] if c.isalpha() else ""


def check_chosen_name(display_name: str) -> str:
    """A name a person chooses for themselves: on top of check_new_name, no role word (it
    would look official) and no word mixing scripts (a Cyrillic "А" passing for a Latin
    "A"). Names made by admins and imports are not asked."""
    display_name = check_new_name(display_name)
    words = re.findall(r"\w+", display_name.casefold())
    if any(word in ROLE_WORDS for word in words):
        raise Invalid("Display names cannot use the words admin, moderator, staff, government "
                      "or official: they would look like an official account.", "display_name")
    if any(len({_script(c) for c in word} - {""}) > 1 for word in words):
        raise Invalid("Each word of a display name must use one alphabet (a name that mixes "
                      "letters of different alphabets can imitate someone else's).",
                      "display_name")
    return display_name


def check_new_name(display_name: str) -> str:
    """A tidy display name no one has yet and that looks like no one's (UTS #39 confusable
    skeleton, `User.name_skeleton`), or Invalid on display_name. One indexed query."""
    display_name = check_display_name(display_name)
    key, skeleton = name_key(display_name), name_skeleton(display_name)
    found = db.session.execute(
        select(User.name_key, User.display_name)
        .where(or_(User.name_key == key, User.name_skeleton == skeleton))
        .order_by(User.name_key != key, User.id).limit(1)).first()
    if found is None:
        return display_name
    if found.name_key == key:
        raise Invalid("That display name is taken. Choose another.", "display_name")
    raise Invalid(f"“{display_name}” looks too much like the name of an existing member, "
                  f"{found.display_name}, so people could take one for the other. Choose a "
                  "name that reads differently.", "display_name")


def recompute_name_skeletons(batch: int = 1000) -> tuple[int, int]:
    """Store every member's name skeleton again (after forum/data/confusables.json was
    made again from a newer ICU): (changed, members), in batches by id."""
    changed = seen = after = 0
    while rows := db.session.execute(select(User.id, User.display_name, User.name_skeleton)
                                     .where(User.id > after).order_by(User.id)
                                     .limit(batch)).all():
        for user_id, display_name, stored in rows:
            if (fresh := name_skeleton(display_name)) != stored:
                db.session.execute(update(User).where(User.id == user_id)
                                   .values(name_skeleton=fresh))
                changed += 1
        seen += len(rows)
        after = rows[-1][0]
    return changed, seen


def register(display_name: str, email: str, password: str, role: Role = Role.MEMBER) -> User:
    display_name = check_new_name(display_name)
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise Invalid("An account with that email address already exists. Log in instead.",
                      "email")
    user = User(display_name=display_name, name_key=name_key(display_name),
                name_skeleton=name_skeleton(display_name), email=email,
                password_hash=hash_password(password), role=role, created_at=clock.now())
    db.session.add(user)
    db.session.flush()
    return user


def find_account(login: str) -> User | None:
    """The account an e-mail address or display name names, if any."""
    login = (login or "").strip()
    return db.session.scalar(select(User).where(or_(
        User.email == login.lower(), User.name_key == name_key(login))))


def authenticate(login: str, password: str) -> User | None:
    """The user with this email or display name and password, or None."""
    return _verify(find_account(login), password)


def _verify(user: User | None, password: str) -> User | None:
    """`user` if the password is theirs, else None.

    A wrong name costs as much time as a wrong password, so timing tells nothing.
    """
    global _DUMMY_HASH
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


def log_in(login: str, password: str, client: Client = Client()) -> User:
    """The member logging in with this name (or e-mail) and password.

    Raises Throttled while failures for this name or address make them wait (no password is
    checked then), and Refused when the name or password is wrong (the failure is counted, so
    the caller keeps it, and an existing account's security log says so). A success forgets
    the account's failures, unless a two-factor code is still owed (they are forgotten when
    it is right: forum/accounts/twofactor.log_in_code), so wrong codes keep counting.
    """
    if wait := throttle.wait_seconds(login):
        raise Throttled(wait, throttle.wait_message(wait))
    account = find_account(login)
    user = _verify(account, password)
    if user is None:
        throttle.record_failure(login)
        if account is not None:
            security_log.record(account, Event.WRONG_PASSWORD, client, "password")
        raise Refused("The email address, display name or password is not right.", "login")
    if not has_two_factor(user):
        throttle.record_success(login)
    return user


def has_two_factor(user: User) -> bool:
    credential = db.session.get(TotpCredential, user.id)
    return credential is not None and credential.confirmed_at is not None


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
    sessions.end_all(user)


def update_profile(user: User, bio: str) -> None:
    markup.check(bio.strip(), "bio")
    user.bio = bio.strip()
    user.bio_html = markup.render(user.bio) if user.bio else ""


def set_time_zone(user: User, name: str) -> None:
    """The zone the member reads and types times in ("" for the site's, UTC)."""
    if name and name not in clock.zones():
        raise Invalid("Choose a time zone from the list.", "time_zone")
    user.time_zone = name or None


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
# subquery (user_id is a bound parameter: the query is built once per process). They are
# loaded with the person, in the same single query, into g.session_facts.
SESSION_FACTS = Facts()
session_fact = SESSION_FACTS.register


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: "<id>:<session_version>:<session record>", refused if the
    version moved on or the session record has ended or sat idle (forum/accounts/sessions.py).
    The member, the record and the session facts are one query, which a member's next
    requests mostly skip: what it loaded is kept until something it reads is written
    (forum/accounts/membercache.py)."""
    user_id, version, record_id = (session_id.split(":", 2) + ["", ""])[:3]
    if not (user_id.isdecimal() and version.isdecimal() and user_id.isascii()
            and version.isascii() and len(user_id) < 10 and len(version) < 10
            and 20 <= len(record_id) <= 64 and record_id.isascii()):
        return None
    cache = membercache.for_app()
    if (kept := cache.assumed(session_id)) is not None:
        # a GET: the generation is read in the page's round trip (membercache: "Checked")
        roundtrip.owe(cache.check(kept, lambda generation: (
            _loaded_again(session_id, kept, generation))))
        return _kept_member(cache, kept, record_id)
    generation = cache.generation()  # read before the statement (membercache: "generation")
    if (kept := cache.get(session_id, generation)) is not None:
        return _kept_member(cache, kept, record_id)
    row, facts = _session_row(session_id)
    if row is None or not sessions.seen(record_id, row[1]):
        return None
    g.session_facts = facts
    _keep(cache, session_id, generation, row, facts)
    templating.reuse_csrf_token()
    return row[0]


def _kept_member(cache: membercache.MemberCache, kept: membercache.Entry,
                 record_id: str) -> User | None:
    if not sessions.seen(record_id, kept.last_seen_at):
        return None
    g.session_facts = dict(kept.facts)
    templating.reuse_csrf_token()
    return cache.member(kept)


def _session_row(session_id: str, again: bool = False) -> tuple[Any, dict[str, Any]]:
    """The member's statement's row (None if the session is no longer theirs) and facts.
    `again`: the member is in this request already, and is refreshed from the row."""
    user_id, version, record_id = session_id.split(":", 2)
    names, statement = _session_statement()
    if again:
        statement = statement.execution_options(populate_existing=True)
    row = db.session.execute(statement, {"session_user_id": int(user_id),
                                         "session_record_id": record_id}).first()
    if row is None or row[0].session_version != int(version):
        return None, {}
    return row, dict(zip(names, row[2:]))


def _keep(cache: membercache.MemberCache, session_id: str, generation: int | None, row,
          facts: dict[str, Any]) -> None:
    # kept with "last seen" as it is after this response (sessions.touch_after_response)
    cache.keep(session_id, generation, row[0],
               clock.now() if g.get("session_touch") else row[1], facts)


def _loaded_again(session_id: str, kept: membercache.Entry, generation: int | None) -> bool:
    """The generation moved since `kept` was: load the member again and say whether they
    are what the request used. Kept under the new generation either way (read before this
    statement), so a request made again finds them without a statement."""
    cache = membercache.for_app()
    cache.drop(session_id)  # kept anew below, unless gone or Redis did not answer
    row, facts = _session_row(session_id, again=True)
    if row is None:
        return False
    _keep(cache, session_id, generation, row, facts)
    return kept.same(row[0], facts)


def _session_statement() -> tuple[tuple[str, ...], Any]:
    """The member + session record + session facts query (SESSION_FACTS.statement)."""
    user_id = bindparam("session_user_id", type_=Integer)
    return SESSION_FACTS.statement(user_id, lambda *facts: (
        select(User, MemberSession.last_seen_at, *facts)
        .join(MemberSession, (MemberSession.user_id == User.id)
              & (MemberSession.id == bindparam("session_record_id", type_=String))
              & MemberSession.ended_at.is_(None))
        .where(User.id == user_id)))


_tables_read: tuple[Any, frozenset[str]] | None = None


def session_tables() -> frozenset[str]:
    """The tables the member's statement reads (with every registered fact's): a write to
    any of them may change what the member cache keeps."""
    global _tables_read
    statement = _session_statement()[1]
    if _tables_read is None or _tables_read[0] is not statement:
        _tables_read = (statement, frozenset(
            table.name for table in find_tables(statement, include_aliases=True,
                                                include_joins=True, include_selects=True)
            if isinstance(table, Table)))
    return _tables_read[1]


def session_facts() -> dict[str, Any]:
    """The facts loaded with the logged-in person this request ({} if none was loaded)."""
    return g.get("session_facts", {})


def member_count() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0

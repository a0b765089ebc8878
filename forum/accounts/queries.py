"""Read queries for member pages: a profile's member with their facts, the member directory
(a fixed number of queries a page)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, bindparam, func, select

from .. import keptrows
from ..dbutil import Facts
from ..extensions import db
from .models import User, name_key

# Facts other features keep about a member that their profile shows (does the viewer block
# them?), registered by the features that own them: name -> fn(member id column) giving a
# scalar subquery, which may use PROFILE_VIEWER (the viewer's id, 0 for visitors). They are
# loaded with the member in the profile's one statement (profile_member) and read with
# profile_facts(); a feature asks for its part only when the fact was not loaded.
PROFILE_FACTS = Facts()
profile_fact = PROFILE_FACTS.register
PROFILE_VIEWER = bindparam("viewer_id", type_=Integer)


def _profile_statement() -> tuple[tuple[str, ...], Any]:
    """The profile's member by name with the facts (PROFILE_FACTS.statement), built once
    per process with bound parameters."""
    return PROFILE_FACTS.statement(User.id, lambda *facts: (
        select(User, *facts).where(User.name_key == bindparam("name_key", type_=String))))


# A profile's member by the key of their name, kept per worker and checked in the page's
# round trip (forum/keptrows.py): the profile's one statement was a third of its cost.
MEMBERS_BY_NAME = keptrows.Kind("members-by-name", User, User.name_key)


def profile_member(name: str, viewer_id: int | None = None) -> User | None:
    """The member whose display name folds like `name` (as services.find_by_name), with the
    profile facts about them for `viewer_id` (None: a visitor), in one statement; or, for a
    page that may be checked in its round trip (keptrows), the kept member without facts
    (their features ask for them, as they can more cheaply: conversations' is_blocked)."""
    if MEMBERS_BY_NAME.usable():
        return MEMBERS_BY_NAME.get(name_key(name))
    names, statement = _profile_statement()
    row = db.session.execute(statement, {"name_key": name_key(name),
                                         "viewer_id": viewer_id or 0}).first()
    if row is None:
        return None
    member = row[0]
    member.__dict__["_profile_facts"] = dict(zip(names, row[1:]), viewer_id=viewer_id)
    return member


def profile_facts(member: User, viewer_id: int | None) -> dict[str, Any]:
    """The facts profile_member loaded with this member for this viewer ({} if it was
    loaded otherwise, or for another viewer: then a feature asks the database itself)."""
    facts = member.__dict__.get("_profile_facts", {})
    return facts if facts.get("viewer_id") == viewer_id else {}

DIRECTORY_SORTS = {
    "name": (User.name_key,),
    "joined": (User.created_at.desc(), User.id.desc()),
    "posts": ((User.topic_count + User.reply_count).desc(), User.name_key),
}


def directory(search: str, sort: str, page: int, per_page: int,
              out_of_sight=None) -> tuple[list[User], int]:
    """A page of members (name contains `search`, case and spacing folded) in the chosen
    order, and how many match (two queries). `out_of_sight`, a subquery (author_id, n) of
    posts the viewer may not read, makes the posts order count only what the viewer can see
    (so the order itself tells nobody who writes in a private forum)."""
    folded = name_key(search)
    where = User.name_key.contains(folded, autoescape=True) if folded else True
    total = db.session.scalar(select(func.count(User.id)).where(where)) or 0
    query = select(User).where(where)
    if sort == "posts" and out_of_sight is not None:
        query = query.outerjoin(out_of_sight, out_of_sight.c.author_id == User.id).order_by(
            (User.topic_count + User.reply_count
             - func.coalesce(out_of_sight.c.n, 0)).desc(), User.name_key)
    else:
        query = query.order_by(*DIRECTORY_SORTS[sort])
    members = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page))
    return list(members), total

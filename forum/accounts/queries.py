"""Read queries for member pages: the member directory (a fixed number of queries a page)."""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from .models import User, name_key

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

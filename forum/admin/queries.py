"""Read queries for the admin pages: two queries for the whole forum list."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..board.models import Category, Forum
from ..extensions import db


def categories() -> list[Category]:
    """Every category in order, each with its forums loaded (sort them with forums_of)."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)
                                   .options(selectinload(Category.forums))))


def forums_of(category: Category) -> list[Forum]:
    return sorted(category.forums, key=lambda forum: (forum.position, forum.id))


def category(category_id: int) -> Category | None:
    return db.session.get(Category, category_id)


def forum(forum_id: int) -> Forum | None:
    return db.session.get(Forum, forum_id)

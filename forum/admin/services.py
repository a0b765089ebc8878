"""Admins arrange the board: categories and forums are created, renamed, described and put
in order here. Each change is one unit of work and writes exactly one audit record."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from ..accounts.models import User
from ..board import services as board
from ..board.models import Category, Forum
from ..errors import Invalid
from ..extensions import db
from ..moderation.services import record
from ..permissions import require

TITLE_MAX = 100
DESCRIPTION_MAX = 500
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _title(title: str) -> str:
    title = " ".join((title or "").split())
    if not 2 <= len(title) <= TITLE_MAX:
        raise Invalid(f"The name must be between 2 and {TITLE_MAX} characters.", "title")
    return title


def _description(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > DESCRIPTION_MAX:
        raise Invalid(f"Keep the description to {DESCRIPTION_MAX} characters.", "description")
    return text


def create_category(actor: User, title: str) -> Category:
    require(actor, "manage_forums")
    last = db.session.scalar(select(func.max(Category.position)))
    category = board.create_category(_title(title), (last if last is not None else -1) + 1)
    record(actor, "create_category", category, reason=None, before={},
           after={"title": category.title})
    return category


def rename_category(actor: User, category: Category, title: str) -> bool:
    """False if the name did not change (nothing recorded)."""
    require(actor, "manage_forums", category)
    title = _title(title)
    if title == category.title:
        return False
    before = {"title": category.title}
    category.title = title
    db.session.flush()
    record(actor, "edit_category", category, reason=None, before=before,
           after={"title": title})
    return True


def create_forum(actor: User, category: Category, title: str, description: str = "",
                 slug: str | None = None) -> Forum:
    require(actor, "manage_forums")
    title, description = _title(title), _description(description)
    slug = (slug or "").strip().lower() or board.slugify(title)
    if not re.fullmatch(SLUG_PATTERN, slug) or len(slug) > 80:
        raise Invalid("Use only lower-case letters, digits and hyphens.", "slug")
    if db.session.scalar(select(Forum.id).where(Forum.slug == slug)) is not None:
        raise Invalid(f"Another forum already has the address /f/{slug}. Choose another.",
                      "slug")
    last = db.session.scalar(select(func.max(Forum.position))
                             .where(Forum.category_id == category.id))
    forum = board.create_forum(category, title, description,
                               (last if last is not None else -1) + 1, slug=slug)
    record(actor, "create_forum", forum, reason=None, before={},
           after={"title": title, "slug": slug, "category": category.title})
    return forum


def edit_forum(actor: User, forum: Forum, title: str, description: str) -> bool:
    """Rename and/or describe a forum (its address stays). False if nothing changed."""
    require(actor, "manage_forums", forum)
    wanted = {"title": _title(title), "description": _description(description)}
    before = {key: getattr(forum, key) for key, value in wanted.items()
              if getattr(forum, key) != value}
    if not before:
        return False
    for key in before:
        setattr(forum, key, wanted[key])
    db.session.flush()
    record(actor, "edit_forum", forum, reason=None, before=before,
           after={key: wanted[key] for key in before})
    return True


def _swap(items: list, item, direction: str, what: str) -> tuple[int, int]:
    """Number the items 1..n in their current order, then swap `item` with its neighbour.
    Returns (old place, new place), counting from 1."""
    if direction not in ("up", "down"):
        raise Invalid("Choose up or down.", "direction")
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        raise Invalid(f"The {what} is already {'first' if direction == 'up' else 'last'}.")
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        each.position = position
    db.session.flush()
    return index + 1, other + 1


def move_category(actor: User, category: Category, direction: str) -> None:
    require(actor, "manage_forums", category)
    categories = list(db.session.scalars(
        select(Category).order_by(Category.position, Category.id).with_for_update()))
    old, new = _swap(categories, category, direction, "category")
    record(actor, "reorder_category", category, reason=None, before={"place": old},
           after={"place": new})


def move_forum(actor: User, forum: Forum, direction: str) -> None:
    require(actor, "manage_forums", forum)
    forums = list(db.session.scalars(
        select(Forum).where(Forum.category_id == forum.category_id)
        .order_by(Forum.position, Forum.id).with_for_update()))
    old, new = _swap(forums, forum, direction, "forum")
    record(actor, "reorder_forum", forum, reason=None, before={"place": old},
           after={"place": new})

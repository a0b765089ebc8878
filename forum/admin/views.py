"""Admin pages for categories and forums (rule manage_forums: admins only)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import keeps_input
from ..handlers import act, complete
from ..permissions import require
from . import queries, services
from .forms import CategoryForm, ForumEditForm, ForumForm, MoveForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _or_404(thing):
    if thing is None:
        abort(404)
    return thing


@bp.get("")
@login_required
def home():
    """Every admin page in one place (each link shown to those its rule allows)."""
    require(current_user, "manage_forums")
    return render_template("admin/home.html")


@bp.get("/forums")
@login_required
def forums():
    require(current_user, "manage_forums")
    return render_template("admin/forums.html", categories=queries.categories(),
                           forums_of=queries.forums_of)


@bp.route("/forums/new", methods=["GET", "POST"])
@login_required
@keeps_input
def new_forum():
    require(current_user, "manage_forums")
    categories = queries.categories()
    if not categories:
        flash("Add a category first: every forum belongs to one.", "info")
        return redirect(url_for("admin.new_category"))
    chosen = request.args.get("category", type=int)
    form = ForumForm(categories=categories,
                     category=chosen if any(c.id == chosen for c in categories) else None)
    if form.validate_on_submit():
        category = next(c for c in categories if c.id == form.category.data)

        def save():
            forum = services.create_forum(current_user, category, form.title.data,
                                          form.description.data, form.slug.data)
            return url_for("admin.forums"), f"The forum “{forum.title}” has been added."
        if done := complete(form, save):
            return done
    return render_template("admin/forum_form.html", form=form, forum=None)


@bp.route("/forums/<id:forum_id>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def edit_forum(forum_id: int):
    require(current_user, "manage_forums")
    forum = _or_404(queries.forum(forum_id))
    form = ForumEditForm(obj=forum)
    if form.validate_on_submit():
        def save():
            changed = services.edit_forum(current_user, forum, form.title.data,
                                          form.description.data)
            return url_for("admin.forums"), ("The forum has been saved." if changed
                                             else "Nothing was changed.")
        if done := complete(form, save):
            return done
    return render_template("admin/forum_form.html", form=form, forum=forum)


@bp.route("/categories/new", methods=["GET", "POST"])
@login_required
@keeps_input
def new_category():
    require(current_user, "manage_forums")
    form = CategoryForm()
    if form.validate_on_submit():
        def save():
            category = services.create_category(current_user, form.title.data)
            return url_for("admin.forums"), f"The category “{category.title}” has been added."
        if done := complete(form, save):
            return done
    return render_template("admin/category_form.html", form=form, category=None)


@bp.route("/categories/<id:category_id>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def edit_category(category_id: int):
    require(current_user, "manage_forums")
    category = _or_404(queries.category(category_id))
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        def save():
            changed = services.rename_category(current_user, category, form.title.data)
            return url_for("admin.forums"), ("The category has been renamed." if changed
                                             else "Nothing was changed.")
        if done := complete(form, save):
            return done
    return render_template("admin/category_form.html", form=form, category=category)


def _move(move, thing, anchor: str):
    """Up/down buttons: move, commit and go back to the list (a message either way)."""
    form = MoveForm()
    back = url_for("admin.forums", _anchor=anchor)
    if not form.validate_on_submit():
        flash("Choose up or down.", "info")
        return redirect(back)
    return act(lambda: move(current_user, thing, form.direction.data), back,
               f"“{thing.title}” moved {form.direction.data}.")


@bp.post("/forums/<id:forum_id>/move")
@login_required
def move_forum(forum_id: int):
    require(current_user, "manage_forums")
    return _move(services.move_forum, _or_404(queries.forum(forum_id)), f"forum-{forum_id}")


@bp.post("/categories/<id:category_id>/move")
@login_required
def move_category(category_id: int):
    require(current_user, "manage_forums")
    return _move(services.move_category, _or_404(queries.category(category_id)),
                 f"category-{category_id}")

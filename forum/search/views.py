from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from ..accounts.services import find_by_name
from ..board import queries as board_queries
from ..board.links import post_url
from ..urls import page_arg
from . import index  # noqa: F401  (connects the index's receivers to forum/events.py)
from . import queries
from .forms import SearchForm

bp = Blueprint("search", __name__)


@bp.get("/search")
def search():
    forums = board_queries.all_forums()
    form = SearchForm(request.args, forums=forums)
    q = (form.q.data or "").strip()
    results, status = None, 200
    per_page = current_app.config.get("SEARCH_RESULTS_PER_PAGE", queries.PER_PAGE)
    if request.args and form.validate():
        author = find_by_name(form.author.data) if form.author.data else None
        if form.author.data and author is None:
            form.author.errors = [f"No member is called “{form.author.data}”."]
        elif q:
            chosen = next((f for f in forums if f.slug == form.forum.data), None)
            criteria = queries.Criteria(
                q=q, forum_id=chosen.id if chosen else None,
                author_id=author.id if author else None, kind=form.kind.data or None,
                since=form.since.data, until=form.until.data,
                answered=form.answered.data or None, sort=form.sort.data)
            results = queries.search(current_user, criteria, page_arg(), per_page)
    if form.problems:
        status = 400
    args = {key: value for key, value in request.args.items(multi=False)
            if key != "page" and value and key in form._fields}
    return render_template("search/results.html", form=form, q=q, results=results,
                           args=args, cap=queries.CAP, per_page=per_page,
                           post_url=post_url), status

from __future__ import annotations

import hashlib
import json
import re
from typing import NamedTuple

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from .. import pagecache

from ..accounts.services import find_by_name
from ..board import queries as board_queries
from ..permissions import viewer_scope
from ..urls import page_arg, post_url
from . import queries, suggest
from .forms import SearchForm

bp = Blueprint("search", __name__)


class ForumChoice(NamedTuple):
    """A forum in the filter's list (board.queries.forum_choices' rows, kept as JSON)."""
    id: int
    slug: str
    title: str


# The request's arguments the form shows (its fields), which name a kept form.
SEARCH_FIELDS = frozenset(("q", "forum", "kind", "author", "since", "until", "answered",
                           "sort"))


@bp.get("/search")
def search():
    scope = viewer_scope(current_user)
    asked = hashlib.sha256(json.dumps(sorted(
        (key, value) for key, value in request.args.items(multi=True)
        if key in SEARCH_FIELDS)).encode()).hexdigest()
    # The forums a viewer may filter by and the form as these arguments fill it in are the
    # same for everyone of their scope: both kept (issue 15: the filters' 50 options and
    # eight fields were a third of a search page, their forums a statement), looked up in
    # one round trip; a form with an error in it is rendered for its viewer.
    # So are the results, named by the same arguments (no author: finding one by name is a
    # statement, whose answer names them): in the same round trip (issue 15: it was one more).
    per_page = current_app.config.get("SEARCH_RESULTS_PER_PAGE", queries.PER_PAGE)
    page = page_arg()
    results_key = _results_key(asked, page, per_page) \
        if request.args.get("q") and not request.args.get("author") else None
    kept = pagecache.kept_fragments({
        "forums": (f"search-forums:{scope.key}", [pagecache.SITE]),
        "form": (f"search-form:{scope.key}:{asked}", [pagecache.SITE]),
        **({"results": (results_key, RESULTS_SCOPES)} if results_key else {})})
    found = kept.get("results")
    if found is not None and found.html is not None and kept["form"].html is not None:
        # Kept results were made by the same search, whose form was valid: so is this one,
        # and the page needs no form at all (building and checking it was a tenth of it).
        return _results_page((request.args.get("q") or "").strip(), None, kept["form"].html,
                             found.html, True)
    forums = kept["forums"].or_find(
        lambda: [ForumChoice(*row) for row in board_queries.forum_choices(scope)],
        lambda found: json.dumps(found, separators=(",", ":")),
        lambda text: [ForumChoice(*row) for row in json.loads(text)])
    form = SearchForm(request.args, forums=forums)
    q = (form.q.data or "").strip()
    searched, status = None, 200
    if request.args and form.validate():
        author = find_by_name(form.author.data) if form.author.data else None
        if form.author.data and author is None:
            form.author.errors = [f"No member is called “{form.author.data}”."]
        elif q:
            chosen = next((f for f in forums if f.slug == form.forum.data), None)
            searched = queries.Criteria(
                q=q, forum_id=chosen.id if chosen else None,
                author_id=author.id if author else None, kind=form.kind.data or None,
                since=form.since.data, until=form.until.data,
                answered=form.answered.data or None, sort=form.sort.data)

    def render_form() -> str:
        return render_template("search/_form.html", form=form)
    if form.problems:
        status = 400
        form_html = render_form()
    else:
        form_html = kept["form"].or_render(render_form)
    args = {key: value for key, value in request.args.items(multi=False)
            if key != "page" and value and key in form._fields}
    results_html = ""
    if searched is not None:
        fragment = kept.get("results") or pagecache.KeptFragment(_results_key(
            asked, page, per_page, searched.author_id), RESULTS_SCOPES)
        results_html = _results(searched, page, per_page, args, fragment)
    return _results_page(q, form, form_html, results_html, searched is not None), status


def _results_page(q: str, form: SearchForm | None, form_html: str, results_html: str,
                  searched: bool) -> str:
    found = RESULTS_PAGE.search(results_html)
    return render_template("search/results.html", form=form, q=q, searched=searched,
                           form_html=Markup(form_html), results_html=Markup(results_html),
                           results_page=int(found.group(1)) if found else 1)


RESULTS_PAGE = re.compile(r'class="search-results"[^>]*data-page="(\d+)"')


RESULTS_SCOPES = [pagecache.SITE, pagecache.LISTS]


def _results_key(asked: str, page: int, per_page: int, author_id: int | None = None) -> str:
    """What names a page of results: the search's arguments (`asked`; with the author they
    name, found), the page, and who may find the same posts (their scope and role decide
    it: forum/search/queries._visible)."""
    role = current_user.role.value if current_user.is_authenticated else "visitor"
    return "search:" + hashlib.sha256(json.dumps(
        [asked, author_id, page, per_page, viewer_scope(current_user).key, role]
    ).encode()).hexdigest()


def _results(criteria: queries.Criteria, page: int, per_page: int, args: dict,
             kept: pagecache.KeptFragment) -> str:
    """The results (and "did you mean"), the same for everyone who may find the same posts:
    kept (issue 15) under `lists` and `site`, which every write to a post or topic bumps."""
    def render() -> str:
        results = queries.search(current_user, criteria, page, per_page)
        return render_template("search/_results.html", results=results, args=args,
                               suggestion=suggest.did_you_mean(current_user, criteria, results),
                               cap=queries.CAP, term_cap=queries.TERM_CAP, per_page=per_page,
                               post_url=post_url)
    return kept.or_render(render)

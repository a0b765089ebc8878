"""The library's pages cost a fixed number of queries, and no input makes them fail."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forum.accounts.models import Role, User
from forum.board import services as board
from forum.extensions import db
from forum.library import services as library
from forum.library.models import LinkEntry
from tests.conftest import _clean
from tests.test_fuzz import (FORM_STATUSES, TRANSPORT, any_text, check_local_redirect,
                             check_status, first, form, fuzz, kept, post, server_errors)
from tests.test_query_budget import BUDGET, _queries

__all__ = ["server_errors"]  # the fixture, used by name below


def _shelf(app, make, links: int, comments: int) -> tuple[int, User]:
    staff = make.user(role=Role.STAFF)
    readers = [make.user(), make.user()]
    with app.app_context():
        actor = db.session.get(User, staff.id)
        people = [db.session.get(User, r.id) for r in readers]
        first_id = None
        for n in range(links):
            link = library.create_link(actor, library.LinkData(
                title=f"Report number {n}", url=f"https://www.example.com/{n}",
                annotation=f"Why report {n} matters.", source_author=f"Author {n % 7}",
                section=f"Section {n % 3}", tags=f"customer service, topic {n % 5}"))
            first_id = first_id or link.id
            if n == 0:
                for i in range(comments):
                    board.post_reply(people[i % 2], link.topic, f"Comment {i}.")
        db.session.commit()
    return first_id, staff


@pytest.mark.parametrize("who", ["visitor", "member", "staff"])
def test_library_and_link_pages_cost_the_same_with_3_and_46_links(app, client, make, login,
                                                                  count_queries, who):
    costs = {}
    for links, comments in ((3, 1), (46, 30)):
        link_id, staff = _shelf(app, make, links, comments)
        if who != "visitor":
            login(staff if who == "staff" else make.user())
        urls = {"library": "/library", "sorted": "/library?sort=views&tag=topic-1",
                "link": f"/links/{link_id}"}
        costs[links] = {name: _queries(client, count_queries, url)
                        for name, url in urls.items()}
        page = client.get("/library").text
        assert page.count('class="link-entry') == links  # all of them, on one page
        _clean(app)
        client.post("/logout")
    assert costs[3] == costs[46], costs
    assert max(costs[46].values()) <= BUDGET, costs



def test_a_kept_library_page_costs_nothing_and_a_new_link_counts_at_once(app, client, make,
                                                                         count_queries):
    """The library's count (for its pages) is kept with its page (pagecache.kept_listing):
    it was 3.6 ms of the database on every request at 1,000 links."""
    _, staff = _shelf(app, make, 3, 0)
    client.get("/library")
    assert _queries(client, count_queries, "/library") == 0
    with app.app_context():
        library.create_link(db.session.get(User, staff.id), library.LinkData(
            title="One more report", url="https://www.example.com/more", annotation="More.",
            source_author="Someone", section="Section 0", tags="customer service"))
        db.session.commit()
    page = client.get("/library").text
    assert "One more report" in page and page.count('class="link-entry') == 4

# --- Fuzz ------------------------------------------------------------------------------------

LINK_FORM = form({"title": any_text, "url": st.one_of(any_text, st.sampled_from([
    "https://www.example.gov/a", "http://x", "javascript:alert(1)", "data:,x",
    "https://exa mple.org", "http://[::1", "https://example.com:0/", "HTTPS://A.B/%00",
    "http://" + "a" * 2000])), "source_author": any_text, "annotation": any_text,
    "section": any_text, "tags": any_text, "reason": any_text,
    "submit": st.sampled_from(["Add link", "Save changes", ""])})


@fuzz(100)
@given(pairs=LINK_FORM, transport=TRANSPORT, editing=st.booleans())
def test_the_link_form_never_fails_and_keeps_the_text(app, make, server_errors, pairs,
                                                      transport, editing):
    staff = make.user(role=Role.STAFF)
    client = app.test_client()
    client.post("/login", data={"login": staff.email, "password": "correct horse battery"})
    url = "/links/new"
    if editing:
        with app.app_context():
            link = library.create_link(db.session.get(User, staff.id), library.LinkData(
                title="A link to edit", url="https://www.example.com/",
                annotation="Before."))
            db.session.commit()
            url = f"/links/{link.id}/edit"
    response = post(client, url, pairs, transport)
    what = f"POST {url} {pairs!r} files={transport!r}"[:2000]
    check_status(response, FORM_STATUSES, what, server_errors)
    if response.status_code == 200:
        title = kept(first(pairs, "title", transport), strip=True)
        if title is not None and len(title) < 150:
            from markupsafe import escape
            assert str(escape(title)) in response.text, f"title {title!r} was not kept"
    if response.status_code == 302:
        check_local_redirect(response, what)
        with app.app_context():
            for link in db.session.scalars(db.select(LinkEntry)):
                assert link.url.lower().startswith(("http://", "https://"))
        page = client.get(response.headers["Location"])
        check_status(page, {200}, what, server_errors)


@fuzz(150)
@given(sort=st.one_of(st.none(), any_text), tag=st.one_of(st.none(), any_text),
       raw=st.one_of(st.none(), st.text(st.sampled_from("sort=tag&;%+?#/0abAB \\\"'<>"),
                                        max_size=40)))
def test_sort_and_tag_parameters_never_fail(app, make, server_errors, sort, tag, raw):
    client = app.test_client()
    if raw is not None:
        query = raw
    else:
        query = {k: v for k, v in (("sort", sort), ("tag", tag)) if v is not None}
    response = client.get("/library", query_string=query)
    check_status(response, {200, 400, 404}, f"GET /library {query!r}", server_errors)


@fuzz(60)
@given(suffix=st.one_of(any_text, st.sampled_from(["?next=//evil", "?url=javascript:x"])))
def test_go_never_fails_and_never_leaves_for_anything_but_the_address(app, make,
                                                                      server_errors, suffix):
    client = app.test_client()
    with app.app_context():
        staff = db.session.get(User, make.user(role=Role.STAFF).id)
        link = library.create_link(staff, library.LinkData(
            title="Fuzzed", url="https://www.example.com/fixed", annotation="x"))
        db.session.commit()
        link_id = link.id
    from urllib.parse import quote
    response = client.get(f"/links/{link_id}/go" + (
        suffix if suffix.startswith("?") else "?x=" + quote(suffix, safe="")))
    check_status(response, {302, 400}, f"go {suffix!r}", server_errors)
    if response.status_code == 302:
        assert response.headers["Location"] == "https://www.example.com/fixed"

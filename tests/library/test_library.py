"""The link library: who may add and edit links, click counting, the counted redirect,
address checks, pinned staff topics, revisions and the library page's sorting and filters."""
from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum import clock
from forum.accounts.models import Role, User
from forum.board.models import Forum, Pin, PostRevision, TopicKind, TopicStatus
from forum.extensions import db
from forum.library import services as library
from forum.library.models import LinkClick, LinkEntry, LinkHealth, LinkRevision

ON_POSTGRES = os.environ.get("FORUM_TEST_DB") == "postgres"

FORM = {"title": "How US state governments can improve customer service",
        "url": "https://www.example.com/state-service", "source_author": "McKinsey",
        "annotation": "A summary of **Putting Citizens First**.",
        "section": "What's Happening With Public Sector Customer Service Initiatives",
        "tags": "customer service, research", "submit": "Add link"}


def make_link(app, make, staff=None, **fields) -> int:
    staff = staff or make.user(role=Role.STAFF)
    values = {k: v for k, v in FORM.items() if k != "submit"} | fields
    with app.app_context():
        link = library.create_link(db.session.get(User, staff.id), library.LinkData(**values))
        db.session.commit()
        return link.id


def clicks(app, link_id: int) -> int:
    with app.app_context():
        return db.session.get(LinkEntry, link_id).click_count


# --- Who may add and edit ------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.MEMBER])
def test_members_get_403_on_creating_and_editing_links(app, client, make, login, role):
    link_id = make_link(app, make)
    login(make.user(role=role))
    assert client.get("/links/new").status_code == 403
    assert client.post("/links/new", data=FORM).status_code == 403
    assert client.get(f"/links/{link_id}/edit").status_code == 403
    assert client.post(f"/links/{link_id}/edit",
                       data=dict(FORM, title="Taken over")).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(LinkEntry.id))) == 1
        assert db.session.get(LinkEntry, link_id).topic.title == FORM["title"]
    assert "Add a link" not in client.get("/library").text


@pytest.mark.parametrize("role", [Role.STAFF, Role.MODERATOR, Role.ADMIN])
def test_staff_add_a_link_as_a_pinned_staff_topic_in_the_link_library(app, client, make,
                                                                     login, role):
    ordinary_forum = make.forum("Link Library", category="Library", slug="link-library")
    make.topic(forum=ordinary_forum, title="An ordinary topic")
    login(make.user(role=role))
    assert "Add a link" in client.get("/library").text
    response = client.post("/links/new", data=FORM)
    assert response.status_code == 302, response.text
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "The link has been added." in page.text
    assert "by McKinsey" in page.text and "Staff pick" in page.text
    with app.app_context():
        link = db.session.scalar(select(LinkEntry))
        topic = link.topic
        assert (topic.kind, topic.pinned, topic.forum.slug) == (
            TopicKind.LINK, Pin.FORUM, "link-library")
        assert topic.first_post.body_html == "<p>A summary of <strong>Putting Citizens First"\
                                             "</strong>.</p>"
        assert [t.name for t in topic.tags] == ["customer service", "research"]
    # Pinned above ordinary topics in its forum.
    listing = client.get("/f/link-library").text
    assert listing.index(FORM["title"]) < listing.index("An ordinary topic")


def test_the_link_library_forum_is_created_on_first_use_only(app, make):
    staff = make.user(role=Role.STAFF)
    make_link(app, make, staff)
    make_link(app, make, staff, title="A second link")
    with app.app_context():
        forums = db.session.scalars(select(Forum).where(Forum.slug == "link-library")).all()
        assert len(forums) == 1 and forums[0].title == "Link Library"
        assert forums[0].topic_count == 2


def test_a_suspended_staff_member_cannot_add_links(app, client, make, login):
    login(make.user(role=Role.STAFF, suspended_until=clock.now() + timedelta(days=3)))
    assert client.post("/links/new", data=FORM).status_code == 403


def test_another_staff_member_edits_a_link_and_every_version_is_kept(app, client, make,
                                                                    login):
    link_id = make_link(app, make)
    editor = make.user("Second Curator", role=Role.STAFF)
    login(editor)
    form = client.get(f"/links/{link_id}/edit").text
    assert 'value="https://www.example.com/state-service"' in form
    assert "customer service, research" in form
    response = client.post(f"/links/{link_id}/edit", data=dict(
        FORM, title="Improving customer service in US states",
        url="https://www.example.com/moved", annotation="A shorter note.",
        source_author="na", tags="research", reason="Moved", submit="Save changes"))
    assert response.status_code == 302, response.text
    with app.app_context():
        link = db.session.get(LinkEntry, link_id)
        assert link.topic.title == "Improving customer service in US states"
        assert link.url == "https://www.example.com/moved"
        assert link.source_author is None  # "na" means no author
        assert [t.name for t in link.topic.tags] == ["research"]
        post = link.topic.first_post
        assert post.body_source == "A shorter note." and post.edited_by_id == editor.id
        revisions = db.session.scalars(select(PostRevision).where(
            PostRevision.post_id == post.id).order_by(PostRevision.id)).all()
        assert [r.body_source for r in revisions] == [FORM["annotation"], "A shorter note."]
        versions = db.session.scalars(select(LinkRevision).where(
            LinkRevision.link_id == link_id).order_by(LinkRevision.id)).all()
        assert [(v.url, v.source_author, v.tags) for v in versions] == [
            ("https://www.example.com/state-service", "McKinsey", "customer service, research"),
            ("https://www.example.com/moved", None, "research")]
        assert versions[1].editor_id == editor.id and versions[1].reason == "Moved"
    page = client.get(f"/links/{link_id}").text
    assert "by na" not in page and " by " not in page.split("<h1", 1)[1].split("</p>", 1)[0]
    # Saving again unchanged adds no version.
    client.post(f"/links/{link_id}/edit", data=dict(
        FORM, title="Improving customer service in US states",
        url="https://www.example.com/moved", annotation="A shorter note.",
        source_author="", tags="research", submit="Save changes"))
    with app.app_context():
        assert db.session.scalar(select(func.count(LinkRevision.id))) == 2


# --- Addresses ------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html,<script>x</script>",
    "vbscript:msgbox(1)", "ftp://example.com/file", "//evil.example/x", "/relative/path",
    "https://", "http:///nohost", "https://exa mple.com", "mailto:someone@example.gov",
    "https://example.com:99999/", "https://example.com\\@evil.example",
])
def test_only_http_and_https_addresses_are_accepted_with_a_message_by_the_field(
        app, client, make, login, url):
    login(make.user(role=Role.STAFF))
    response = client.post("/links/new", data=dict(FORM, url=url))
    assert response.status_code == 200
    assert 'id="url-error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert response.text.count("Error:") >= 2  # the title, and the message by the field
    assert FORM["annotation"] in response.text  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count(LinkEntry.id))) == 0


def test_a_javascript_address_says_why_it_is_refused(client, make, login):
    login(make.user(role=Role.STAFF))
    text = client.post("/links/new", data=dict(FORM, url="javascript:alert(1)")).text
    assert "Only web addresses starting with http:// or https:// can be added" in text


def test_the_service_refuses_a_bad_address_too(app, make):
    staff = make.user(role=Role.STAFF)
    with app.app_context():
        with pytest.raises(library.Invalid) as caught:
            library.create_link(db.session.get(User, staff.id), library.LinkData(
                title="Sneaky", url="data:text/html;base64,PHNjcmlwdD4=", annotation="x"))
        assert caught.value.field == "url"


# --- The counted redirect --------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "", "?next=https://evil.example", "?url=javascript:alert(1)", "?to=//evil.example",
    "?redirect=%2F%2Fevil.example&url=https://evil.example",
])
def test_go_redirects_only_to_the_stored_address(app, client, make, query):
    link_id = make_link(app, make)
    response = client.get(f"/links/{link_id}/go{query}")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://www.example.com/state-service"


def test_go_for_a_missing_or_hidden_link_is_404(app, client, make):
    link_id = make_link(app, make)
    assert client.get(f"/links/{link_id + 1}/go").status_code == 404
    with app.app_context():
        db.session.get(LinkEntry, link_id).topic.status = TopicStatus.HIDDEN
        db.session.commit()
    assert client.get(f"/links/{link_id}/go").status_code == 404
    assert client.get("/library").text.count("/go") == 0
    assert clicks(app, link_id) == 0


def test_a_stored_address_that_is_not_http_is_never_followed(app, client, make):
    """Defence in depth: even a row changed behind the services' back is not redirected to."""
    link_id = make_link(app, make)
    with app.app_context():
        db.session.get(LinkEntry, link_id).url = "javascript:alert(1)"
        db.session.commit()
    assert client.get(f"/links/{link_id}/go").status_code == 404


def test_a_repeated_click_inside_the_window_counts_once(app, client, make):
    link_id = make_link(app, make)
    for _ in range(3):
        assert client.get(f"/links/{link_id}/go").status_code == 302
    assert clicks(app, link_id) == 1
    # Another visitor counts; a HEAD request (a preview, a checker) does not.
    other = app.test_client()
    other.get(f"/links/{link_id}/go", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    other.head(f"/links/{link_id}/go", environ_base={"REMOTE_ADDR": "203.0.113.10"})
    assert clicks(app, link_id) == 2
    # After the window, the first visitor counts again.
    clock.advance(timedelta(seconds=library.CLICK_WINDOW_SECONDS))
    client.get(f"/links/{link_id}/go")
    assert clicks(app, link_id) == 3
    shown = client.get("/library").text
    assert "Views so far 3" in shown


def test_the_visitor_key_is_a_keyed_hash_not_an_address(app, client, make):
    link_id = make_link(app, make)
    client.get(f"/links/{link_id}/go", environ_base={"REMOTE_ADDR": "198.51.100.23"},
               headers={"User-Agent": "TestAgent"})
    with app.app_context():
        stored = db.session.scalar(select(LinkClick.visitor))
        assert "198.51.100.23" not in stored and len(stored) == 64
        assert stored == library.visitor_key(None, "198.51.100.23")
        old = app.config["SECRET_KEY"]
        app.config["SECRET_KEY"] = "another key"
        try:
            assert stored != library.visitor_key(None, "198.51.100.23")
        finally:
            app.config["SECRET_KEY"] = old


def test_a_logged_in_member_counts_once_whatever_their_address(app, client, make, login):
    link_id = make_link(app, make)
    login(make.user())
    for address in ("192.0.2.1", "192.0.2.2"):
        client.get(f"/links/{link_id}/go", environ_base={"REMOTE_ADDR": address})
    assert clicks(app, link_id) == 1


def test_old_click_rows_can_be_forgotten(app, client, make):
    link_id = make_link(app, make)
    client.get(f"/links/{link_id}/go")
    clock.advance(timedelta(seconds=library.CLICK_WINDOW_SECONDS * 2))
    with app.app_context():
        assert library.forget_old_clicks() == 1
        db.session.commit()
    assert clicks(app, link_id) == 1


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writers need PostgreSQL "
                                            "(FORUM_TEST_DB=postgres, TEST_DATABASE_URL)")
def test_100_concurrent_clicks_from_100_visitors_count_exactly_100(app, make):
    link_id = make_link(app, make)
    visitors = 100
    start = threading.Barrier(visitors, timeout=60)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def click(n: int) -> None:
        try:
            client = app.test_client()
            start.wait()
            response = client.get(f"/links/{link_id}/go",
                                  environ_base={"REMOTE_ADDR": f"10.9.{n // 250}.{n % 250}"})
            statuses.append(response.status_code)
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=click, args=(n,)) for n in range(visitors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert statuses == [302] * visitors
    assert clicks(app, link_id) == visitors
    with app.app_context():
        assert db.session.scalar(select(func.count(LinkClick.id))) == visitors


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writers need PostgreSQL")
def test_concurrent_repeated_clicks_by_one_visitor_count_once(app, make):
    link_id = make_link(app, make)
    start = threading.Barrier(20, timeout=60)

    def click() -> None:
        client = app.test_client()
        start.wait()
        client.get(f"/links/{link_id}/go", environ_base={"REMOTE_ADDR": "10.1.1.1"})

    threads = [threading.Thread(target=click) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert clicks(app, link_id) == 1


# --- The library page ------------------------------------------------------------------------

@pytest.fixture
def shelf(app, make):
    staff = make.user(role=Role.STAFF)
    ids = {}
    for n, (title, section, views, tags) in enumerate([
            ("Alpha report", "Research", 5, "research"),
            ("Beta opinion", "Opinion", 50, "opinion"),
            ("Gamma study", "Research", 20, "research, surveys")]):
        ids[title] = _link_at(app, staff, title, section, tags, n)
        with app.app_context():
            db.session.get(LinkEntry, ids[title]).click_count = views
            db.session.commit()
    return ids


def _link_at(app, staff, title, section, tags, n) -> int:
    with app.app_context():
        link = library.create_link(db.session.get(User, staff.id), library.LinkData(
            title=title, url=f"https://www.example.com/{n}", annotation=f"About {title}.",
            section=section, tags=tags), now=clock.now() - timedelta(days=10 - n))
        db.session.commit()
        return link.id


def _order(text: str, titles) -> list[str]:
    return sorted(titles, key=text.index)


def test_the_library_sorts_by_section_newest_or_most_viewed(client, shelf):
    page = client.get("/library").text
    assert _order(page, shelf) == ["Beta opinion", "Gamma study", "Alpha report"]
    assert '<h2 id="section-1">Opinion</h2>' in page and ">Research</h2>" in page
    assert _order(client.get("/library?sort=newest").text, shelf) == [
        "Gamma study", "Beta opinion", "Alpha report"]
    assert _order(client.get("/library?sort=views").text, shelf) == [
        "Beta opinion", "Gamma study", "Alpha report"]
    assert "Views so far 50" in page


def test_the_library_filters_by_tag(client, shelf):
    page = client.get("/library?tag=research").text
    assert "Alpha report" in page and "Gamma study" in page and "Beta opinion" not in page
    assert "<h1>Link library: research</h1>" in page
    assert client.get("/library?tag=no-such-tag").status_code == 404
    assert _order(client.get("/library?tag=research&sort=views").text,
                  ["Alpha report", "Gamma study"]) == ["Gamma study", "Alpha report"]


def test_staff_see_broken_links_flagged_and_others_do_not(app, client, make, login, shelf):
    with app.app_context():
        link = db.session.get(LinkEntry, shelf["Alpha report"])
        link.health, link.status_code, link.check_error = LinkHealth.BROKEN, 404, "HTTP 404"
        link.last_checked_at = clock.now()
        db.session.commit()
    assert "Broken" not in client.get("/library").text
    login(make.user(role=Role.STAFF))
    page = client.get("/library").text
    assert page.count("Broken: HTTP 404") == 1
    assert "This link looks broken: HTTP 404" in client.get(
        f"/links/{shelf['Alpha report']}").text


def test_a_link_page_shows_the_entry_and_its_comments(app, client, make, login, shelf):
    link_id = shelf["Alpha report"]
    with app.app_context():
        topic = db.session.get(LinkEntry, link_id).topic
        topic_id = topic.id
    member = make.user("Keen Reader")
    login(member)
    assert client.post(f"/t/{topic_id}/reply",
                       data={"body": "Useful, thanks.", "submit": "Post reply"}
                       ).status_code == 302
    page = client.get(f"/links/{link_id}").text
    assert "<h1" in page and "Alpha report" in page and "Useful, thanks." in page
    assert "Comments (1)" in page and f'href="/links/{link_id}/go"' in page
    assert "Read it on www.example.com" in page
    library_page = client.get("/library").text
    assert "1 comment" in library_page


def test_a_large_library_is_paged_keeping_sort_and_tag(client, make, app, monkeypatch):
    """A few dozen links are one page; a large library is paged (a page of a thousand
    entries is slow to load and to read), and the pages keep the sort and the tag."""
    from forum.library import queries as library_queries
    monkeypatch.setattr(library_queries, "PER_PAGE", 2)
    staff = make.user(role=Role.STAFF)
    for n in range(5):
        _link_at(app, staff, f"Report number {n}", "Research", "audit", n)
    first = client.get("/library?sort=newest&tag=audit").text
    assert "5 links" in first and first.count('class="link-entry') == 2
    assert "Report number 4" in first and "Report number 2" not in first
    assert 'href="/library?page=2&amp;sort=newest&amp;tag=audit"' in first \
        or 'href="/library?sort=newest&amp;tag=audit&amp;page=2"' in first
    last = client.get("/library?sort=newest&tag=audit&page=3")
    assert last.text.count('class="link-entry') == 1 and "Report number 0" in last.text
    assert "(page 3)" in last.text
    # Past the end or odd page numbers show a real page, never an error.
    assert client.get("/library?page=99").status_code == 200
    assert client.get("/library?page=-1").status_code == 200

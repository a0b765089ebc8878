"""The link library in a real browser: the library with all 46 demo entries, a link's page
and the staff form (empty, and refused for a javascript: address) pass axe-core (WCAG 2.2 A
and AA) and the Nu Html Checker; a member of staff adds a link and it is listed, with and
without JavaScript. Screenshots go to screenshots/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.board import services as board
from forum.demo import library as demo_library
from forum.extensions import db
from forum.library.models import LinkEntry, LinkHealth
from tests.browser.conftest import Checker, log_in, vnu_errors


def _demo_library(app, make) -> tuple[User, int]:
    curator = make.user(demo_library.CURATOR, role=Role.STAFF)
    reader = make.user("Grace Hopper")
    with app.app_context():
        links = demo_library.load({demo_library.CURATOR: db.session.get(User, curator.id)})
        first = links[0]
        board.post_reply(db.session.get(User, reader.id), first.topic,
                         "A useful reminder of what **front-line** staff deal with.")
        db.session.commit()
        return curator, first.id


def test_library_pages_are_accessible_and_valid(new_context, make, app):
    curator, link_id = _demo_library(app, make)
    with app.app_context():
        link = db.session.get(LinkEntry, link_id + 1)
        link.health, link.status_code, link.check_error = LinkHealth.BROKEN, 404, "HTTP 404"
        db.session.commit()

    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)
    checker.visit("library", "/library")
    expect(page.locator("li.link-entry")).to_have_count(46)
    expect(page.get_by_text("Views so far 263")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("by na")
    checker.visit("library-by-views-tag", "/library?sort=views&tag=opinion")
    checker.visit("link", f"/links/{link_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "That's Enough About You: Customer Service")

    log_in(page, curator.email)
    checker.visit("library-staff", "/library")
    expect(page.locator(".broken-badge")).to_have_count(1)
    checker.visit("link-form", "/links/new")
    page.get_by_label("Title").fill("A sneaky link")
    page.get_by_label("Web address").fill("javascript:alert(1)")
    page.get_by_label("Annotation").fill("This should never be saved.")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Add link").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#url-error")).to_contain_text(
        "Only web addresses starting with http:// or https:// can be added")
    expect(page.get_by_label("Annotation")).to_have_value("This should never be saved.")
    checker.check("link-form-error", navigation.value, status=200)
    checker.visit("link-edit", f"/links/{link_id}/edit")

    problems = checker.problems + [f"vnu {error}" for error in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_staff_add_a_link_and_readers_find_it(new_context, make, app, javascript):
    curator = make.user("Candi Harrison", role=Role.STAFF)
    page = new_context(java_script_enabled=javascript).new_page()
    log_in(page, curator.email)
    page.goto("/library")
    page.get_by_role("link", name="Add a link").click()
    page.get_by_label("Title").fill("Customer Service Excellence In Government (UK)")
    page.get_by_label("Web address").fill("https://www.example.gov.uk/customer-service")
    page.get_by_label("Author (optional)").fill("UK Government")
    page.get_by_label("Annotation").fill("The UK's service standard, often held up as a model.")
    page.get_by_label("Section (optional)").fill("Standards")
    page.get_by_label("Tags (optional)").fill("customer service, standards")
    page.get_by_role("button", name="Add link").click()
    expect(page.get_by_role("status")).to_contain_text("The link has been added.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Customer Service Excellence In Government (UK)")
    read = page.get_by_role("link", name="Read it on www.example.gov.uk")
    expect(read).to_have_attribute("href", re.compile(r"^/links/\d+/go$"))

    reader = new_context(java_script_enabled=javascript).new_page()
    reader.goto("/library?tag=standards")
    entry = reader.locator("li.link-entry")
    expect(entry).to_have_count(1)
    expect(entry.get_by_role("heading", level=3)).to_contain_text("by UK Government")
    expect(entry).to_contain_text("Views so far 0")
    expect(reader.get_by_role("link", name="Add a link")).to_have_count(0)
    with app.app_context():
        assert db.session.scalar(select(LinkEntry.url)) == \
            "https://www.example.gov.uk/customer-service"

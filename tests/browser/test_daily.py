"""Daily use in a real browser (issue 16), with JavaScript on and off, at 1280 and 390 px:
the home tabs (Latest, Unread, Top, Categories), suggested topics, the member directory and
its breadcrumb, and the development outbox. Every page passes axe-core and the Nu Html
Checker; screenshots go to screenshots/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from forum.accounts.models import Role
from forum.extensions import db
from forum import outbox
from tests.browser.conftest import Checker, log_in, vnu_errors


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_home_tabs_and_member_directory(new_context, make, app, javascript):
    forum = make.forum("Customer service", slug="customer-service")
    ada = make.user("Ada Lovelace", role=Role.ADMIN)
    grace = make.user("Grace Hopper", is_government_verified=True)
    here = make.topic(author=grace, forum=forum, title="Handling difficult callers", replies=2,
                      repliers=[ada])
    make.topic(author=ada, forum=forum, title="Plain language in letters", replies=1)
    with app.app_context():
        outbox.enqueue("grace@example.gov", "A reply to “Handling difficult callers”",
                       "Ada replied.", "<p>Ada <strong>replied</strong>.</p>")
        db.session.commit()

    page = new_context(java_script_enabled=javascript, bypass_csp=True).new_page()
    checker = Checker(page)

    def audit(name: str) -> None:
        """axe runs as a script: pages are audited on the JavaScript run (they are the
        same HTML without it); the journey itself runs both ways."""
        if javascript:
            checker.check(name, page.goto(page.url))

    page.goto("/")
    audit("daily-categories")
    page.get_by_role("navigation", name="Browse topics").get_by_role("link", name="Latest").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Latest topics")
    audit("daily-latest")
    expect(page.get_by_role("link", name="Handling difficult callers")).to_be_visible()
    page.get_by_role("link", name="Top", exact=True).click()
    page.get_by_role("link", name="of all time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Top topics of all time")
    audit("daily-top")

    page.goto(f"/t/{here.id}-{here.slug}")
    suggested = page.get_by_role("region", name="More in Customer service")
    expect(suggested.get_by_role("link", name="Plain language in letters")).to_be_visible()
    audit("daily-topic-suggested")

    page.goto("/u/Grace Hopper")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    page.get_by_label("Find a member by name").fill("grace")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#members-count")).to_contain_text("1 member with “grace”")
    audit("daily-members")
    page.get_by_role("link", name="newest first").click()
    expect(page.get_by_text("newest first", exact=True)).to_have_attribute("aria-current", "true")

    log_in(page, ada.email)
    page.goto("/")
    page.get_by_role("link", name="Unread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unread topics")
    audit("daily-unread")
    page.goto("/admin/outbox")
    page.get_by_role("link", name="A reply to “Handling difficult callers”").click()
    expect(page.locator(".outbox-html strong")).to_have_text("replied")
    audit("daily-outbox-message")
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Admin")
    audit("daily-admin-home")
    page.get_by_role("link", name="Outbox").click()
    # (the click only starts the navigation: measured or audited before it lands, the page
    # was the Admin home, or no document at all)
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    audit("daily-outbox")

    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert checker.problems == [], "\n".join(checker.problems)
    if javascript:  # the pages are the same without script: check their HTML once
        assert vnu_errors(checker.html) == []


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_phone_header_menu_and_reply_link(new_context, make, javascript):
    forum = make.forum("Customer service", slug="customer-service")
    member = make.user("Grace Hopper")
    topic = make.topic(author=member, forum=forum, title="Handling difficult callers",
                       replies=6, repliers=[make.user("Alan Turing")])
    page = new_context(java_script_enabled=javascript, viewport=PHONE,
                       bypass_csp=True).new_page()
    log_in(page, member.email)
    checker = Checker(page)
    page.goto(f"/t/{topic.id}-{topic.slug}")
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= 0.15 * PHONE["height"], header
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("search", name="Site")).to_be_visible()
    page.locator("details.site-menu > summary").click()
    expect(nav.get_by_role("link", name="Settings")).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    page.locator("details.site-menu > summary").click()
    expect(nav).to_be_hidden()

    page.get_by_role("link", name="Reply to this topic").click()
    assert page.url.endswith("#reply")
    expect(page.get_by_label("Your reply")).to_be_in_viewport()
    if javascript:
        checker.check("phone-topic-menu", page.goto(f"/t/{topic.id}-{topic.slug}"))
        page.set_viewport_size(PHONE)  # the checker leaves the page at 1280 px
    for path in ("/", "/latest", "/top", f"/t/{topic.id}-{topic.slug}", "/members",
                 "/search?q=callers", "/articles", "/library", "/notifications", "/settings"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways ({width}px)"

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/latest")
    expect(page.locator("details.site-menu > summary")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings")
           ).to_be_visible()
    assert checker.problems == [], "\n".join(checker.problems)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_moderator_sees_what_waits_and_suspends_with_a_preset(new_context, make, app,
                                                              javascript):
    from sqlalchemy import select

    from forum.accounts.models import User
    from forum.board.models import Post
    from forum.moderation import services as moderation
    moderator = make.user("Mo Derator", role=Role.MODERATOR)
    rude = make.user("Rude Writer")
    topic = make.topic(title="Handling complaints", replies=1, repliers=[rude])
    reporter = make.user("Careful Reader")
    with app.app_context():
        reply = db.session.scalar(select(Post).where(Post.topic_id == topic.id,
                                                     Post.position == 2))
        moderation.report_post(db.session.get(User, reporter.id), reply, "spam")
        db.session.commit()
    page = new_context(java_script_enabled=javascript, bypass_csp=True).new_page()
    log_in(page, moderator.email)
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Moderation")
    expect(link).to_have_text("Moderation (1 waiting)")
    page.goto("/u/Rude Writer/suspend")
    if javascript:
        checker = Checker(page)
        checker.check("suspend-presets", page.goto(page.url))
        assert checker.problems == [], "\n".join(checker.problems)
        assert vnu_errors(checker.html) == []
    expect(page.get_by_label("1 week")).to_be_checked()
    page.get_by_label("1 day").check()
    page.get_by_label("Reason").fill("Cooling off")
    page.get_by_role("button", name="Suspend member").click()
    expect(page.get_by_role("status")).to_contain_text("Rude Writer is suspended.")

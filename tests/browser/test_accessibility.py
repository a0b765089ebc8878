"""Every kind of page passes axe-core (WCAG 2.2 A and AA) and the Nu Html Checker, as a visitor
and as a member. Full-page screenshots at desktop and phone widths are saved for people to look
at in screenshots/ (pytest-playwright empties test-results/)."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from forum import clock
from forum.board.models import Post
from forum.accounts.models import Role, User
from forum.extensions import db
from tests.browser.conftest import Checker, log_in, vnu_errors
from tests.factories import PASSWORD


RICH_BODY = """How do you handle callers who are upset before you have said a word?

# What I tried

1. Letting them finish
2. Saying back what I heard
3. Giving a **clear** next step

> Patience is a skill you can practise.

## What worked

Some `inline code`, a [guidance page](https://www.example.gov/guidance) and a list:

- one
- two
"""


def test_pages_are_accessible_and_valid(new_context, make, app):
    forum = make.forum("Customer service", slug="customer-service")
    make.forum("Procurement", category="Buying", slug="procurement")
    member = make.user("Grace Hopper", bio="I *write* compilers.",
                       bio_html="<p>I <em>write</em> compilers.</p>")
    other = make.user("Alan Turing")
    moderator = make.user("Ada Moderator", role=Role.MODERATOR)
    topic = make.topic(author=member, forum=forum, title="How do you handle difficult callers?",
                       body=RICH_BODY, replies=3, repliers=[other, member])
    topic_path = f"/t/{topic.id}-{topic.slug}"
    with app.app_context():
        reply_id = db.session.scalar(
            select(Post.id).where(Post.topic_id == topic.id, Post.author_id == member.id,
                                  Post.position > 1).order_by(Post.position))
        other_reply_id = db.session.scalar(
            select(Post.id).where(Post.topic_id == topic.id, Post.author_id == other.id))

    # axe is added as an inline script, which the site's CSP forbids; nothing else changes.
    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)

    checker.visit("index", "/")
    checker.visit("forum", f"/f/{forum.slug}")
    checker.visit("topic-visitor", topic_path)
    checker.visit("login", f"/login?next={topic_path}")
    checker.visit("register", "/register")
    checker.visit("profile", "/u/Grace Hopper")
    checker.visit("not-found", "/no/such/page", status=404)

    log_in(page, member.email)
    checker.visit("edit", f"/p/{reply_id}/edit")
    page.get_by_label("Message").fill("Reply number 2, with a correction.")
    page.get_by_label("Reason for the change (optional)").fill("Fixed a typo")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Your changes have been saved.")
    checker.visit("topic-member", topic_path)
    expect(page.locator(f"#post-{reply_id} .edited")).to_contain_text("Edited")
    expect(page.get_by_label("Your reply")).to_be_visible()
    expect(page.get_by_role("link", name="Edit post").first).to_be_visible()
    checker.visit("new-topic", f"/t/new?forum={forum.slug}")
    checker.visit("history", f"/p/{reply_id}/history")
    checker.visit("settings", "/settings")
    checker.visit("settings-password", "/settings/password")
    # The session list with a second browser in it (issue 13.5).
    assert app.test_client().post("/login", data={"login": member.email, "password": PASSWORD},
                                  headers={"User-Agent": "Mozilla/5.0 (iPhone) Safari"}
                                  ).status_code == 302
    checker.visit("settings-sessions", "/settings/sessions")

    # A failed submit: the error summary and the field errors.
    page.goto("/t/new")
    page.get_by_label("Title").fill("Hi")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Post topic").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    checker.check("new-topic-errors", posted.value)

    # Reporting someone else's reply.
    checker.visit("report", f"/p/{other_reply_id}/report")
    page.get_by_label("Spam").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status")).to_contain_text("Moderators will look at the post.")

    # A moderator's pages: tools on the topic, an action page, the log, a member's history.
    page.get_by_role("button", name="Log out").click()
    log_in(page, moderator.email)
    checker.visit("topic-moderator", topic_path)
    checker.visit("moderate-lock", f"/t/{topic.id}/moderate/lock")
    page.get_by_label("Reason").fill("Answered in the guidance")
    page.get_by_role("button", name="Lock topic").click()
    expect(page.get_by_role("status")).to_contain_text("The topic is locked.")
    checker.visit("topic-locked", topic_path)
    checker.visit("moderate-move", f"/t/{topic.id}/moderate/move")
    checker.visit("moderation-log", "/moderation/log")
    checker.visit("moderation-queue", "/moderation/queue")
    checker.visit("suspend-member", "/u/Grace Hopper/suspend")
    checker.visit("profile-with-history", "/u/Grace Hopper")
    # A suspended member's settings: the notice in place of the profile form (issue 13.6).
    with app.app_context():
        db.session.get(User, other.id).suspended_until = clock.now() + timedelta(days=2)
        db.session.commit()
    page.get_by_role("button", name="Log out").click()
    log_in(page, other.email)
    checker.visit("settings-suspended", "/settings")

    problems = checker.problems + [f"{line} (vnu)" for line in vnu_errors(checker.html)]
    assert not problems, f"{len(problems)} accessibility or HTML problems:\n" + "\n".join(
        f"  - {problem}" for problem in problems)


def test_writer_headings_do_not_skip_levels(page: Page, make):
    topic = make.topic(title="Notes from the workshop",
                       body="## Background\n\nWhy we met.\n\n#### Detail\n\nMore.")
    page.goto(f"/t/{topic.id}-{topic.slug}")
    levels = page.locator("h1, h2, h3, h4, h5, h6").evaluate_all(
        "els => els.map(el => Number(el.tagName[1]))")
    skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert not skips, f"heading levels {levels} skip at {skips}"

"""Moderation journeys in a real browser, with the site's Content-Security-Policy enforced
(the `context` fixture fails a test on any CSP violation):
a member reports a post, a moderator hides it from the queue, its author sees why;
a moderator locks a topic and the reply form gives way to the lock notice."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from forum.accounts.models import Role
from forum.board import services as board
from forum.board.models import Topic
from forum.accounts.models import User
from forum.extensions import db
from tests.browser.conftest import log_in, watch_csp


def _log_out(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You have logged out.")


def test_report_hide_and_the_author_sees_the_reason(page: Page, make, app):
    forum = make.forum("Customer service", slug="customer-service")
    author = make.user("Rude Writer")
    reporter = make.user("Careful Reader")
    make.user("Mo Derator", role=Role.MODERATOR)
    topic = make.topic(author=reporter, forum=forum, title="Handling complaints politely")
    with app.app_context():
        reply = board.post_reply(db.session.get(User, author.id),
                                 db.session.get(Topic, topic.id), "Buy cheap watches here")
        db.session.commit()
        reply_id = reply.id

    log_in(page, reporter.email)
    page.goto(f"/p/{reply_id}")
    page.get_by_role("link", name="Report post #2").click()
    page.get_by_label("Spam").check()
    page.get_by_label("Anything moderators should know (optional)").fill("An advert")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status")).to_contain_text("Moderators will look at the post.")
    _log_out(page)

    log_in(page, "Mo Derator")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Moderation").click()
    # The review page lists the reported post; its reports are handled on the queue.
    expect(page.locator(".review-reports")).to_contain_text("1 report")
    page.get_by_role("link", name="Handle the reports").click()
    item = page.locator(".queue-item", has_text="Buy cheap watches here")
    expect(item).to_contain_text("Careful Reader: spam")
    item.get_by_label("Hide the post").check()
    item.get_by_label("Reason (optional)").fill("Advertising is not allowed")
    item.get_by_role("button", name=f"Apply to post #{reply_id}").click()
    expect(page.get_by_text("There are no open reports.")).to_be_visible()
    _log_out(page)

    # Others see only that something was hidden; the author sees it and why.
    page.goto(f"/p/{reply_id}")
    post = page.locator(f"#post-{reply_id}")
    expect(post).to_contain_text("This post has been hidden.")
    expect(post).not_to_contain_text("Buy cheap watches")
    log_in(page, author.email)
    page.goto(f"/p/{reply_id}")
    post = page.locator(f"#post-{reply_id}")
    expect(post).to_contain_text("Hidden by a moderator")
    expect(post).to_contain_text("Reason: Advertising is not allowed")
    expect(post).to_contain_text("Buy cheap watches here")


def test_locking_replaces_the_reply_form_with_the_notice(page: Page, make):
    forum = make.forum("Procurement", slug="procurement")
    member = make.user("Plain Member")
    make.user("Mo Derator", role=Role.MODERATOR)
    topic = make.topic(author=member, forum=forum, title="Framework agreements explained")
    url = f"/t/{topic.id}-{topic.slug}"

    log_in(page, member.email)
    page.goto(url)
    expect(page.get_by_role("button", name="Post reply")).to_be_visible()
    _log_out(page)

    log_in(page, "Mo Derator")
    page.goto(url)
    page.get_by_role("link", name="Lock", exact=True).click()
    page.get_by_label("Reason").fill("The question has been answered in full")
    page.get_by_role("button", name="Lock topic").click()
    expect(page.get_by_text("This topic is locked. As a moderator you can still reply."
                            )).to_be_visible()
    _log_out(page)

    log_in(page, member.email)
    page.goto(url)
    reply = page.locator("#reply")
    expect(reply).to_contain_text("This topic is locked, so no new replies can be added.")
    expect(reply).to_contain_text("Reason: The question has been answered in full")
    expect(page.get_by_role("button", name="Post reply")).to_have_count(0)
    expect(page.get_by_label("Your reply")).to_have_count(0)


def test_the_csp_watch_catches_a_violation(new_context):
    """The watch used by every journey really reports an inline script the policy blocks."""
    context = new_context()
    violations = watch_csp(context)
    page = context.new_page()
    page.set_content("<meta http-equiv='Content-Security-Policy' content=\"script-src 'none'\">"
                     "<p>x</p><script>document.title = 'ran';</script>")
    page.wait_for_timeout(200)
    assert page.title() != "ran"
    assert violations, "an inline script blocked by CSP was not reported"

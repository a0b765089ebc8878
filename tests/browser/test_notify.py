"""Following a topic in a real browser: a member follows a topic, another member replies, the
unread mark and the notification appear, and reading the reply clears both. Notification
pages pass axe-core (WCAG 2.2 A and AA) and the Nu Html Checker; screenshots go to
screenshots/."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from forum.notify import mail
from tests.browser.conftest import Checker, log_in, vnu_errors


def test_follow_reply_unread_mark_and_notification(new_context, make, app):
    forum = make.forum("Customer service", slug="customer-service")
    ann, bob, cy = make.user("Ann Lee"), make.user("Bob Smith"), make.user("Cy Young")
    topic = make.topic(author=ann, forum=forum, title="Queues at the front counter",
                       body="How do you keep the queue moving?")
    topic_path = f"/t/{topic.id}-{topic.slug}"

    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)
    log_in(page, bob.email)
    page.goto(topic_path)
    page.get_by_role("button", name="Follow this topic").click()
    expect(page.get_by_role("status")).to_contain_text("You are following this topic")
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name=re.compile(r"^Notifications \(0"))).to_be_visible()

    # Another member replies, mentioning Bob by his display name (which has a space).
    other = new_context().new_page()
    log_in(other, cy.email)
    other.goto(topic_path)
    other.get_by_label("Your reply").fill("We put a greeter at the door. What do you think, "
                                          "@Bob Smith?")
    other.get_by_role("button", name="Post reply").click()
    expect(other.get_by_role("status")).to_contain_text("Your reply has been posted")

    # The unread mark in the forum listing, and the count in the header.
    checker.visit("notify-forum-unread", f"/f/{forum.slug}")
    item = page.locator(".topic-item", has_text="Queues at the front counter")
    expect(item.locator(".unread-badge")).to_have_text("Unread")
    expect(nav.get_by_role("link", name="Notifications (1)")).to_be_visible()
    nav.get_by_role("link", name="Notifications (1)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    notification = page.locator(".notification").first
    expect(notification).to_contain_text("Cy Young mentioned you in Queues at the front counter")
    expect(notification).to_contain_text("New")
    checker.check("notify-index", page.reload())

    # Following the link reads the reply: the mark and the count go.
    notification.get_by_role("link", name="Queues at the front counter").click()
    expect(page.get_by_text("We put a greeter at the door.")).to_be_visible()
    expect(nav.get_by_role("link", name="Notifications (0)")).to_be_visible()
    page.goto(f"/f/{forum.slug}")
    expect(page.locator(".unread-badge")).to_have_count(0)

    # Settings: e-mail once a day; the list of followed topics.
    page.goto("/settings")
    page.get_by_role("navigation", name="Settings").get_by_role(
        "link", name="Notifications").click()
    expect(page.get_by_role("heading", name="Notifications", level=2)).to_be_visible()
    expect(page.get_by_label("As they happen: an e-mail for each one")).to_be_checked()
    page.get_by_label("Once a day: one e-mail listing them").check()
    page.get_by_role("button", name="Save notification settings").click()
    expect(page.get_by_role("status")).to_contain_text("Your notification settings are saved.")
    expect(page.get_by_label("Once a day: one e-mail listing them")).to_be_checked()
    checker.check("notify-settings", page.reload())
    page.get_by_role("button", name="Stop following Queues at the front counter").click()
    expect(page.get_by_text("You are not following any topics.")).to_be_visible()

    # Empty list, the topic page with its button, and the e-mail unsubscribe page.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile("^Notifications")).click()
    checker.visit("notify-index-read", "/notifications")
    checker.visit("notify-topic-follow", topic_path)
    with app.app_context():
        token = mail.unsubscribe_token(bob.id)
    checker.visit("notify-unsubscribe", f"/unsubscribe/{token}")
    page.get_by_role("button", name="Stop e-mails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You will get no more e-mails")
    checker.here("notify-unsubscribed")

    problems = checker.problems + [f"vnu {error}" for error in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)

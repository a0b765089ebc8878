"""Issue #6 in a real browser: the approval queue, the report queue's warn and suspend
actions, and the forum admin pages. Journeys without JavaScript (nothing here needs it), and
every page passes axe-core (WCAG 2.2 A and AA) at desktop and phone widths and the Nu Html
Checker; screenshots go to screenshots/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Forum, Post, Topic
from forum.extensions import db
from forum.moderation import services as moderation
from tests.browser.conftest import Checker, log_in, vnu_errors


@pytest.fixture
def approvals(app, monkeypatch):
    monkeypatch.setitem(app.config, "APPROVAL_ENABLED", True)
    monkeypatch.setitem(app.config, "APPROVAL_FIRST_POSTS", 1)
    monkeypatch.setitem(app.config, "APPROVAL_LINK_POSTS_UNTIL", 3)


def _waiting(app, make):
    """A new member's topic and another new member's reply, both waiting."""
    forum = make.forum("Customer service", slug="service")
    staff = make.user("Sam Staff", role=Role.STAFF)
    topic = make.topic(author=staff, forum=forum, title="Answering the phone well")
    newcomer, other = make.user("Nia Newcomer"), make.user("Omar Other")
    with app.app_context():
        reply = board.post_reply(db.session.get(User, newcomer.id),
                                 db.session.get(Topic, topic.id),
                                 "We answer within **two** rings: see https://example.gov/guide")
        opened = board.create_topic(db.session.get(User, other.id),
                                    db.session.get(Forum, forum.id), "Queue music",
                                    "Does anyone still play music while callers wait?")
        db.session.commit()
        assert reply.awaiting_approval and opened.first_post.awaiting_approval
        return dict(topic=topic, reply_id=reply.id, opened_id=opened.id,
                    opened_post=opened.first_post_id, newcomer=newcomer, other=other)


def test_moderator_approves_and_rejects_without_javascript(new_context, make, app, approvals):
    made = _waiting(app, make)
    moderator = make.user("Mo Derator", role=Role.MODERATOR)
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, moderator.email)
    page.goto("/moderation/queue")
    page.get_by_role("link", name="approval queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Posts awaiting approval")

    reply = page.locator(f"#approval-{made['reply_id']}")
    reply.get_by_label("Reject: it stays hidden, the author sees the reason").check()
    reply.get_by_role("button", name=f"Apply to post #{made['reply_id']}").click()
    reply = page.locator(f"#approval-{made['reply_id']}")
    expect(reply.locator(".error-message")).to_contain_text("Give a reason")
    reply.get_by_label("Reason", exact=True).fill("Please do not advertise guides here")
    reply.get_by_role("button", name=f"Apply to post #{made['reply_id']}").click()
    expect(page.get_by_role("status")).to_contain_text("The post is rejected.")

    opened = page.locator(f"#approval-{made['opened_post']}")
    opened.get_by_role("button", name=f"Apply to post #{made['opened_post']}").click()
    expect(page.get_by_role("status")).to_contain_text("The post is approved and public.")
    expect(page.get_by_text("No posts are waiting for approval.")).to_be_visible()

    # The author sees why; everyone sees the approved topic.
    author = new_context(java_script_enabled=False).new_page()
    log_in(author, made["newcomer"].email)
    author.goto(f"/p/{made['reply_id']}")
    post = author.locator(f"#post-{made['reply_id']}")
    expect(post).to_contain_text("Not approved")
    expect(post).to_contain_text("Reason: Please do not advertise guides here")
    visitor = new_context(java_script_enabled=False).new_page()
    visitor.goto("/f/service")
    expect(visitor.get_by_role("link", name="Queue music")).to_be_visible()


def test_admin_arranges_forums_with_buttons(new_context, make):
    make.forum("Alpha", category="Teams", slug="alpha")
    admin = make.user("Ada Admin", role=Role.ADMIN)
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, admin.email)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Forums and categories").click()  # from the admin home
    page.get_by_role("link", name="Add a forum to Teams").click()
    page.get_by_label("Forum name").fill("Beta")
    page.get_by_label("Description").fill("Second forum.")
    page.get_by_role("button", name="Add forum").click()
    expect(page.get_by_role("status")).to_contain_text("The forum “Beta” has been added.")
    page.get_by_role("button", name="Move up forum Beta").click()
    expect(page.get_by_role("status")).to_contain_text("“Beta” moved up.")
    titles = page.locator(".admin-forum-title > a")
    expect(titles).to_have_text(["Beta", "Alpha"])
    page.get_by_role("link", name="Edit forum Alpha").click()
    page.get_by_label("Forum name").fill("Alpha team")
    page.get_by_role("button", name="Save forum").click()
    expect(page.get_by_role("status")).to_contain_text("The forum has been saved.")
    expect(titles).to_have_text(["Beta", "Alpha team"])


def test_new_moderation_pages_are_accessible_and_valid(new_context, make, app, approvals):
    made = _waiting(app, make)
    # A reported reply by a member, for the report queue's new actions.
    writer = make.user("Rita Writer")
    with app.app_context():
        topic = db.session.get(Topic, made["topic"].id)
        reported = board.post_reply(db.session.get(User, make.user("Old Hand").id), topic,
                                    "Everyone who disagrees is wrong.")
        db.session.commit()
        reported_id = reported.id
    moderator = make.user("Mo Derator", role=Role.MODERATOR)
    admin = make.user("Ada Admin", role=Role.ADMIN)
    with app.app_context():
        # Old Hand's post went through: they are not new (approve their first one).
        post = db.session.get(Post, reported_id)
        if post.awaiting_approval:
            from forum.moderation import approval
            approval.approve_post(db.session.get(User, moderator.id), post)
        moderation.report_post(db.session.get(User, writer.id), post, "abusive", "Rude")
        db.session.commit()

    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)
    log_in(page, moderator.email)
    checker.visit("approval-queue", "/moderation/approval")
    checker.visit("report-queue-actions", "/moderation/queue")
    expect(page.get_by_label("Warn its author, keep the post")).to_be_visible()
    expect(page.get_by_role("link", name="Suspend Old Hand")).to_be_visible()
    page.goto("/moderation/approval")
    item = page.locator(f"#approval-{made['reply_id']}")
    item.get_by_label("Reject: it stays hidden, the author sees the reason").check()
    with page.expect_navigation() as navigation:
        item.get_by_role("button", name=f"Apply to post #{made['reply_id']}").click()
    checker.check("approval-queue-error", navigation.value)
    checker.visit("topic-awaiting-approval-moderator", f"/p/{made['reply_id']}")

    # Warn from the queue; the member sees the notice and their warnings page.
    page.goto("/moderation/queue")
    item = page.locator(".queue-item", has_text="Everyone who disagrees")
    item.get_by_label("Warn its author, keep the post").check()
    item.get_by_label("Reason (optional)").fill("Please disagree politely")
    item.get_by_role("button", name=f"Apply to post #{reported_id}").click()
    expect(page.get_by_role("status")).to_contain_text("1 report closed.")

    page = new_context(bypass_csp=True).new_page()
    checker.page = page
    with app.app_context():
        old_hand = db.session.scalar(select(User).where(User.display_name == "Old Hand"))
    log_in(page, old_hand.email)
    checker.visit("warning-notice", "/forums")
    expect(page.locator(".warning-notice")).to_contain_text("Please disagree politely")
    checker.visit("warnings-page", "/moderation/warnings")
    page.get_by_role("button", name="I have read this warning").click()
    expect(page.locator(".warning-notice")).to_have_count(0)

    page = new_context(bypass_csp=True).new_page()
    checker.page = page
    log_in(page, made["newcomer"].email)
    checker.visit("topic-awaiting-approval-author", f"/p/{made['reply_id']}")
    expect(page.locator(f"#post-{made['reply_id']}")).to_contain_text("Awaiting approval.")

    make.forum("Procurement", category="Buying", slug="procurement")
    with app.app_context():
        service = db.session.scalar(select(Forum).where(Forum.slug == "service"))
        board.create_forum(service.category, "Complaints", "Handling complaints well.", 1)
        db.session.commit()
    page = new_context(bypass_csp=True).new_page()
    checker.page = page
    log_in(page, admin.email)
    checker.visit("admin-forums", "/admin/forums")
    checker.visit("admin-new-forum", "/admin/forums/new")
    page.get_by_label("Web address").fill("Not valid!")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Add forum").click()
    checker.check("admin-new-forum-error", navigation.value)
    with app.app_context():
        forum_id = db.session.scalar(select(Forum.id).where(Forum.slug == "service"))
    checker.visit("admin-edit-forum", f"/admin/forums/{forum_id}/edit")
    checker.visit("admin-new-category", "/admin/categories/new")

    problems = checker.problems + [f"vnu {error}" for error in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)

"""Groups, private forums and private conversations in a real browser, with the site's
Content-Security-Policy enforced: an admin creates a group and makes a forum private to it, a
member asks to join and the owner lets them in, the new member posts in the private forum (a
visitor gets 404), two members talk in a private conversation. Every new page passes axe-core
(WCAG 2.2 A and AA) at 1280 and 390 px and the Nu Html Checker. Screenshots go to
screenshots/."""
from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.conversations import services as conversations
from forum.conversations.models import Message
from forum.extensions import db
from forum.groups import services as groups
from forum.groups.models import Joining
from tests.browser.conftest import Checker, log_in, vnu_errors


def _log_out(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You have logged out.")


def test_join_a_group_and_post_in_its_private_forum(page: Page, make, app, new_context):
    make.user("Ada Admin", role=Role.ADMIN)
    owner, joiner = make.user("Olive Owner"), make.user("Jo Joiner")
    forum = make.forum("Budget working group", slug="budget-wg")

    log_in(page, "Ada Admin")
    page.goto("/groups")
    page.get_by_role("link", name="Create a group").click()
    page.get_by_label("Group name").fill("Budget team")
    page.get_by_label("Members may ask; an owner approves").check()
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("status")).to_contain_text("has been created")
    page.goto(f"/admin/forums/{forum.id}/access")
    page.get_by_label("Group", exact=True).select_option(label="Budget team")
    page.get_by_label("May", exact=True).select_option("read")
    page.get_by_role("button", name="Give permission").click()
    expect(page.get_by_role("status")).to_contain_text("Budget team may now read")
    with app.app_context():
        groups.add_member(None, groups.group_by_slug("budget-team"),
                          db.session.get(User, owner.id), owner=True)
        db.session.commit()
    _log_out(page)

    log_in(page, "Jo Joiner")
    page.goto("/groups/budget-team")
    page.get_by_role("button", name="Ask to join").click()
    expect(page.get_by_role("status")).to_contain_text("asked to join")
    assert page.goto("/f/budget-wg").status == 404
    _log_out(page)

    log_in(page, "Olive Owner")
    page.goto("/groups/budget-team")
    page.get_by_role("link", name="Manage members").click()
    page.get_by_role("button", name="Let in Jo Joiner").click()
    expect(page.get_by_role("status")).to_contain_text("Jo Joiner is now a member")
    _log_out(page)

    log_in(page, "Jo Joiner")
    page.goto("/forums")
    page.get_by_role("link", name="Budget working group").click()
    page.goto("/t/new?forum=budget-wg")
    page.get_by_label("Title").fill("Draft figures for next year")
    page.get_by_label("Your message").fill("First numbers, for the team only.")
    page.get_by_role("button", name="Post topic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft figures for next year")
    topic_url = page.url

    visitor = new_context().new_page()
    assert visitor.goto(topic_url).status == 404
    visitor.goto("/forums")
    expect(visitor.locator("main")).not_to_contain_text("Budget working group")


def test_a_private_conversation(page: Page, make, app):
    make.user("Sam Sender")
    make.user("Rae Receiver")
    log_in(page, "Sam Sender")
    page.goto("/u/Rae Receiver")
    page.get_by_role("link", name="Send a private message").click()
    expect(page.get_by_label("To")).to_have_value("Rae Receiver")
    page.get_by_label("Subject").fill("Lunch and learn")
    page.get_by_label("Message").fill("Would you present on **plain language** next month?")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("Your message has been sent.")
    _log_out(page)

    log_in(page, "Rae Receiver")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Messages (1)")).to_be_visible()
    nav.get_by_role("link", name="Messages (1)").click()
    page.get_by_role("link", name="Lunch and learn").click()
    expect(page.locator(".message-list")).to_contain_text("plain language")
    page.get_by_label("Message").fill("Happy to. Tuesday?")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply has been sent.")
    expect(page.locator(".message-list")).to_contain_text("Happy to. Tuesday?")


def test_group_and_conversation_pages_are_accessible_and_valid(new_context, make, app):
    admin = make.user("Ada Admin", role=Role.ADMIN)
    owner, member = make.user("Olive Owner"), make.user("Mia Member")
    moderator = make.user("Mo Derator", role=Role.MODERATOR)
    forum = make.forum("Quiet room", slug="quiet-room")
    with app.app_context():
        team = groups.create_group(None, "Tax team", "People working on tax forms.",
                                   members_public=True, joining=Joining.REQUEST)
        groups.add_member(None, team, db.session.get(User, owner.id), owner=True)
        groups.request_to_join(db.session.get(User, member.id), team)
        groups.restrict_forum(None, db.session.get(type(forum), forum.id), team, "read")
        talk = conversations.start(db.session.get(User, owner.id),
                                   [db.session.get(User, member.id)], "Form 12 wording",
                                   "Does *adjusted* need a definition?")
        message = db.session.scalar(select(Message))
        conversations.report(db.session.get(User, member.id), message, "Testing reports")
        db.session.commit()
        talk_id, message_id = talk.id, message.id

    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)
    checker.visit("groups", "/groups")
    checker.visit("group", "/groups/tax-team")
    log_in(page, owner.email)
    checker.visit("group-member-view", "/groups/tax-team")
    checker.visit("group-manage", "/groups/tax-team/members")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Invite").click()
    checker.check("group-manage-error", navigation.value, status=200)
    checker.visit("profile-with-groups", f"/u/{owner.display_name}")
    checker.visit("messages", "/messages")
    checker.visit("message-new", "/messages/new")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send").click()
    checker.check("message-new-error", navigation.value, status=200)
    checker.visit("conversation", f"/messages/{talk_id}")
    _log_out(page)
    log_in(page, member.email)
    checker.visit("message-report", f"/messages/m/{message_id}/report")
    _log_out(page)
    log_in(page, moderator.email)
    checker.visit("message-reports", "/moderation/messages")
    _log_out(page)
    log_in(page, admin.email)
    checker.visit("group-new", "/admin/groups/new")
    checker.visit("forum-access", f"/admin/forums/{forum.id}/access")
    checker.visit("conversation-open", f"/messages/{talk_id}/open")

    problems = checker.problems + [f"vnu {error}" for error in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)

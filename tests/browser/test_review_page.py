"""Issue #16 in a real browser: the review page (reported posts, posts awaiting approval, new
members) decided in bulk with checkboxes and no JavaScript; axe at 1280 and 390 px and the Nu
Html Checker on the page, with the error shown after a rejection without a reason."""
from __future__ import annotations

from playwright.sync_api import expect

from forum.accounts.models import Role, User
from forum.board.models import Post
from forum.extensions import db
from forum.moderation import services as moderation
from tests.browser.conftest import Checker, log_in, vnu_errors
from tests.browser.test_moderation_extra import _waiting, approvals  # noqa: F401 (fixture)


def test_moderator_reviews_in_bulk_without_javascript(new_context, make, app, approvals):
    made = _waiting(app, make)
    reporter, moderator = make.user("Rita Reporter"), make.user("Mo Derator", role=Role.MODERATOR)
    with app.app_context():
        topic_post = db.session.scalar(db.select(Post).where(Post.topic_id == made["topic"].id))
        moderation.report_post(db.session.get(User, reporter.id), topic_post, "spam", "Advert")
        db.session.commit()
    # The checks (axe runs as a script), on the page and on its error state.
    checked = new_context(bypass_csp=True).new_page()
    checker = Checker(checked)
    log_in(checked, moderator.email)
    checker.visit("review-page", "/moderation/review")
    checked.get_by_label("New topic by Omar Other in “Queue music”").check()
    with checked.expect_navigation() as navigation:
        checked.get_by_role("button", name="Reject selected").click()
    checker.check("review-page-error", navigation.value, status=400)

    # The journey, without JavaScript.
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, moderator.email)
    page.get_by_role("link", name="Moderation").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review")
    page.get_by_label("Reply by Nia Newcomer in “Answering the phone well”").check()
    page.get_by_label("New topic by Omar Other in “Queue music”").check()
    page.get_by_role("button", name="Reject selected").click()
    expect(page.locator(".error-message")).to_contain_text("Give a reason")
    expect(page.get_by_label("Reply by Nia Newcomer in “Answering the phone well”")).to_be_checked()

    page.get_by_label("Reply by Nia Newcomer in “Answering the phone well”").uncheck()
    page.get_by_role("checkbox", name="Nia Newcomer", exact=True).check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.get_by_role("status")).to_contain_text("1 post and 1 member approved.")
    expect(page.get_by_text("No posts are waiting for approval.")).to_be_visible()
    with app.app_context():
        assert db.session.get(Post, made["reply_id"]).approval.value == "approved"
        assert db.session.get(User, made["newcomer"].id).approved_at is not None

    problems = checker.problems + [f"{line} (vnu)" for line in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)

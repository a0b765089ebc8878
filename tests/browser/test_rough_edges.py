"""Rough edges seen in the browser (issue 16): lists in a post are spaced from the paragraph
after them, the moderator toolbar is not a dashed box, and at 390 px the composer's help does
not push the text box down a screen (the old list of tag "chips")."""
from __future__ import annotations

from playwright.sync_api import expect

from forum.accounts.models import Role
from tests.browser.conftest import Checker, log_in, vnu_errors

BODY = """Our routine costs nothing but time:

- run an automated checker on every page
- go through the whole journey using only a keyboard

The keyboard test alone found our worst bug."""


def test_post_lists_toolbar_and_composer_at_both_widths(new_context, make):
    moderator = make.user("Mo Derator", role=Role.MODERATOR)
    topic = make.topic(author=moderator, title="Accessibility testing on a budget", body=BODY,
                       replies=1)
    page = new_context(bypass_csp=True).new_page()
    log_in(page, moderator.email)
    checker = Checker(page)
    checker.visit("rough-edges-topic", f"/t/{topic.id}-{topic.slug}")

    gap = page.evaluate("""() => {
        const list = document.querySelector('.opening .post-body ul');
        const para = list.nextElementSibling;
        return para.getBoundingClientRect().top - list.getBoundingClientRect().bottom;
    }""")
    assert gap >= 12, f"the paragraph after a list touches it ({gap}px)"
    bullet = page.evaluate(
        "getComputedStyle(document.querySelector('.opening .post-body li')).listStyleType")
    assert bullet == "disc"

    tools = page.get_by_role("navigation", name="Moderator tools:")
    expect(tools.get_by_role("link", name="Lock")).to_be_visible()
    style = page.evaluate("getComputedStyle(document.querySelector('.mod-tools')).borderTopStyle")
    assert style != "dashed"

    page.set_viewport_size({"width": 390, "height": 844})
    hint = page.locator("#body-hint")
    box = hint.bounding_box()
    line = float(page.evaluate("parseFloat(getComputedStyle(document.querySelector("
                               "'#body-hint p')).lineHeight)"))
    assert box["height"] <= 2.5 * line, f"the composer's help is {box['height']}px tall"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("#body-hint code", has_text="acronym")).to_have_count(0)
    assert checker.problems == []
    assert vnu_errors(checker.html) == []

"""Issue #16 in a real browser: the time zone setting offers the browser's zone when script
runs (UTC without), saving it shows times in that zone; axe at 1280 and 390 px and the Nu
Html Checker on the page."""
from __future__ import annotations

from playwright.sync_api import expect

from forum.accounts.models import User
from forum.extensions import db
from tests.browser.conftest import Checker, log_in, vnu_errors


def test_time_zone_from_the_browser_with_script_and_utc_without(new_context, make, app):
    member = make.user("Zoe Zone")
    topic = make.topic(title="What time is it?")
    page = new_context(timezone_id="Europe/Berlin", bypass_csp=True).new_page()
    checker = Checker(page)
    log_in(page, member.email)
    checker.visit("settings-time-zone", "/settings/time-zone")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    expect(page.get_by_text("Your browser says you are in this zone.")).to_be_visible()
    page.get_by_role("button", name="Save time zone").click()
    expect(page.get_by_role("status")).to_contain_text("Times are now shown in Europe/Berlin.")
    page.goto(f"/t/{topic.id}-{topic.slug}")
    assert page.locator(".post-date time").first.get_attribute("title").endswith((" CET", " CEST"))
    with app.app_context():
        assert db.session.get(User, member.id).time_zone == "Europe/Berlin"

    other = make.user("Una Utc")
    plain = new_context(timezone_id="Europe/Berlin", java_script_enabled=False).new_page()
    log_in(plain, other.email)
    plain.goto("/settings/time-zone")
    expect(plain.get_by_label("Time zone")).to_have_value("")
    plain.get_by_role("button", name="Save time zone").click()
    expect(plain.get_by_role("status")).to_contain_text("UTC, the site's time")

    problems = checker.problems + [f"{line} (vnu)" for line in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)

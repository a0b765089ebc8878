"""Search in a real browser: from the header box, narrow with a filter, open a result. The
results page (with results, with none, with a filter applied, with an input error) passes
axe-core (WCAG 2.2 A and AA) and the Nu Html Checker; screenshots go to screenshots/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sqlalchemy import update

from forum.board.models import Topic, TopicKind
from forum.extensions import db
from tests.browser.conftest import Checker, log_in, vnu_errors


@pytest.fixture
def topics(app, make):
    service = make.forum("Customer service", slug="customer-service")
    digital = make.forum("Digital and data", slug="digital-and-data")
    ada = make.user("Ada Lovelace")
    question = make.topic(author=ada, forum=service, title="Answering callers in a queue",
                          body="How long should callers **wait** in a queue before a call "
                               "back is offered? <script>alert(1)</script>")
    make.topic(author=ada, forum=digital, title="Queue dashboards for the digital team",
               body="We show the queue on a screen.")
    with app.app_context():
        db.session.execute(update(Topic).where(Topic.id == question.id)
                           .values(kind=TopicKind.QUESTION))
        db.session.commit()
    return {"ada": ada}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_search_from_the_header_filter_and_open_a_result(new_context, topics, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    log_in(page, topics["ada"].email)
    page.goto("/")
    header = page.get_by_role("search", name="Site")
    header.get_by_label("Search").fill("queue")
    header.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search results for “queue”")
    expect(page.locator("#results-count")).to_have_text("2 results")
    expect(page.locator(".result-title mark").first).to_have_text(
        re.compile("queue", re.IGNORECASE))

    # Narrow to one forum (the filters are behind a <details>, no script needed).
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Forum", exact=True).select_option(label="Customer service")
    page.get_by_label("Kind", exact=True).select_option(label="Questions")
    page.locator("form.search-form").get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"forum=customer-service"))
    expect(page.locator("#results-count")).to_have_text("1 result")
    expect(page.get_by_label("Forum", exact=True)).to_have_value("customer-service")

    page.get_by_role("link", name="Answering callers in a queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Answering callers in a queue")
    assert "/t/" in page.url and "#post-" in page.url


def test_search_pages_are_accessible_and_valid(new_context, topics):
    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)
    checker.visit("search-empty-form", "/search")
    checker.visit("search-results", "/search?q=queue")
    checker.visit("search-no-results", "/search?q=nothingatallmatches")
    checker.visit("search-did-you-mean", "/search?q=dashbaords")
    expect(page.locator(".did-you-mean a")).to_have_text("dashboards")
    # Words spread over a title and its post find the topic.
    checker.visit("search-spread", "/search?q=dashboards+screen")
    expect(page.locator(".result-title")).to_have_count(1)
    checker.visit("search-filtered", "/search?q=queue&forum=digital-and-data&kind=discussion"
                                     "&sort=date")
    checker.visit("search-error", "/search?q=queue&since=2015-13-40", status=400)
    log_in(page, topics["ada"].email)
    checker.visit("search-results-member", "/search?q=callers")
    problems = checker.problems + [f"vnu {error}" for error in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)

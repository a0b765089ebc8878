"""Polls in a real browser: a member starts a topic with a poll, votes, changes the vote and
sees the results; another member who has not voted sees only the voting form. The journey is
run with JavaScript on and off (the site is server-rendered). Poll pages pass axe-core
(WCAG 2.2 A and AA) and the Nu Html Checker; screenshots go to screenshots/ (pytest-playwright empties test-results/)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from forum.accounts.models import Role, User
from forum.board.models import Topic
from forum.extensions import db
from forum.polls import services as polls
from forum.polls.models import Poll, Visibility
from tests.browser.conftest import Checker, log_in, vnu_errors


QUESTION = "How often should the team meet?"
OPTIONS = ["Every week", "Every fortnight", "Once a month"]
AFTER_VOTE = "Members who have voted (everyone once it closes)"


def open_poll_fields(page: Page) -> None:
    """Open the "Add a poll" <details> by clicking its summary (no script needed)."""
    details = page.locator("details.add-poll")
    expect(details).to_have_count(1)
    if details.get_attribute("open") is None:
        page.get_by_text("Add a poll (optional)", exact=True).click()
    expect(details).to_have_attribute("open", "")
    expect(page.get_by_label("Poll question")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_poll_journey(new_context, make, javascript):
    forum = make.forum("Team matters", slug="team-matters")
    ada = make.user("Ada Lovelace")
    grace = make.user("Grace Hopper")

    # Member A starts a topic with a poll.
    page = new_context(java_script_enabled=javascript).new_page()
    log_in(page, ada.email)
    page.goto(f"/t/new?forum={forum.slug}")
    page.get_by_label("Title").fill("Meeting rhythm for next year")
    page.get_by_label("Your message").fill("Let us agree how often to meet.")
    open_poll_fields(page)
    page.get_by_label("Poll question").fill(QUESTION)
    page.get_by_label("Options", exact=True).fill("\n".join(OPTIONS))
    page.get_by_label(AFTER_VOTE, exact=True).check()
    expect(page.get_by_label(AFTER_VOTE, exact=True)).to_be_checked()
    page.get_by_role("button", name="Post topic").click()
    expect(page.get_by_role("status")).to_contain_text("Your topic has been posted.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting rhythm for next year")
    topic_path = urlsplit(page.url).path

    poll = page.locator("section.poll")
    expect(poll.get_by_role("heading", level=2)).to_have_text(QUESTION)
    for option in OPTIONS:
        expect(poll.get_by_label(option, exact=True)).not_to_be_checked()
    # A has not voted yet and results are for voters: no results, no link to them.
    expect(poll.get_by_role("link", name="View results")).to_have_count(0)
    expect(poll).not_to_contain_text("member voted.")

    # Vote for option 1.
    poll.get_by_label(OPTIONS[0], exact=True).check()
    poll.get_by_role("button", name="Vote", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Your vote has been counted.")
    landed = urlsplit(page.url)
    assert (landed.path, landed.fragment) == (topic_path, "poll"), page.url
    poll = page.locator("section.poll")
    expect(poll.get_by_label(OPTIONS[0], exact=True)).to_be_checked()
    expect(poll.get_by_role("button", name="Change my vote")).to_be_visible()
    expect(poll.get_by_role("button", name="Withdraw my vote")).to_be_visible()

    # Change the vote to option 2.
    poll.get_by_label(OPTIONS[1], exact=True).check()
    poll.get_by_role("button", name="Change my vote").click()
    expect(page.get_by_role("status")).to_contain_text("Your vote has been counted.")
    poll = page.locator("section.poll")
    expect(poll.get_by_label(OPTIONS[1], exact=True)).to_be_checked()
    expect(poll.get_by_label(OPTIONS[0], exact=True)).not_to_be_checked()

    # The results: option 2 is A's choice, with the only vote.
    poll.get_by_role("link", name="View results").click()
    expect(page).to_have_url(re.compile(r"/polls/\d+\?results=1$"))
    results = page.locator("ul.results > li")
    expect(results).to_have_count(3)
    chosen = results.filter(has_text=OPTIONS[1])
    expect(chosen.locator(".badge")).to_have_text("Your choice")
    expect(chosen.locator(".result-count")).to_have_text("1 vote (100%)")
    for option in (OPTIONS[0], OPTIONS[2]):
        other = results.filter(has_text=option)
        expect(other).not_to_contain_text("Your choice")
        expect(other.locator(".result-count")).to_contain_text("(0%)")
    expect(page.locator("section.poll")).to_contain_text("1 member voted.")

    # Member B, who has not voted, sees the voting form and no results.
    other_page = new_context(java_script_enabled=javascript).new_page()
    log_in(other_page, grace.email)
    other_page.goto(topic_path)
    poll = other_page.locator("section.poll")
    expect(poll.get_by_role("heading", level=2)).to_have_text(QUESTION)
    for option in OPTIONS:
        expect(poll.get_by_label(option, exact=True)).to_be_visible()
        expect(poll.get_by_label(option, exact=True)).not_to_be_checked()
    expect(poll.get_by_role("button", name="Vote", exact=True)).to_be_visible()
    expect(poll.get_by_role("link", name="View results")).to_have_count(0)
    expect(poll.locator("ul.results")).to_have_count(0)
    expect(other_page.locator("body")).not_to_contain_text("member voted.")
    expect(other_page.locator("body")).not_to_contain_text("Your choice")


def _topic_with_poll(app, make, forum, author, title, voters=(), close_by=None) -> tuple:
    topic = make.topic(author=author, forum=forum, title=title, body="What do you think?")
    with app.app_context():
        actor = db.session.get(User, author.id)
        poll = polls.create_poll(actor, db.session.get(Topic, topic.id), QUESTION, OPTIONS,
                                 visibility=Visibility.AFTER_VOTE)
        db.session.flush()
        for i, voter in enumerate(voters):
            polls.cast_vote(db.session.get(User, voter.id), poll,
                            [poll.options[i % len(poll.options)].id])
        if close_by is not None:
            polls.close_poll(db.session.get(User, close_by.id), db.session.get(Poll, poll.id))
        db.session.commit()
        return f"/t/{topic.id}-{topic.slug}", poll.id


def test_poll_pages_are_accessible_and_valid(new_context, make, app):
    forum = make.forum("Team matters", slug="team-matters")
    author = make.user("Ada Lovelace")
    voter = make.user("Alan Turing")
    other = make.user("Katherine Johnson")
    newcomer = make.user("Grace Hopper")
    moderator = make.user("Margaret Hamilton", role=Role.MODERATOR)

    open_path, open_poll = _topic_with_poll(app, make, forum, author, "Meeting rhythm",
                                            voters=[voter, other])
    closed_path, _ = _topic_with_poll(app, make, forum, author, "Last year's meeting rhythm",
                                      voters=[voter, other, author], close_by=moderator)

    # axe is added as an inline script, which the site's CSP forbids; nothing else changes.
    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)

    # A member who has not voted: the voting form, no results.
    log_in(page, newcomer.email)
    checker.visit("poll-topic-open", open_path)
    expect(page.locator("section.poll").get_by_role("button", name="Vote", exact=True)) \
        .to_be_visible()
    expect(page.locator("section.poll ul.results")).to_have_count(0)

    # A closed poll: results for everyone, no voting form.
    checker.visit("poll-topic-closed", closed_path)
    closed = page.locator("section.poll")
    expect(closed).to_contain_text("This poll closed on")
    expect(closed.locator("ul.results > li")).to_have_count(3)
    expect(closed).to_contain_text("3 members voted.")
    expect(closed.get_by_role("button", name="Vote", exact=True)).to_have_count(0)

    # A failed submit of the new topic form keeps the poll fields open with the error.
    page.goto(f"/t/new?forum={forum.slug}")
    page.get_by_label("Title").fill("A poll with one option")
    page.get_by_label("Your message").fill("This poll cannot be posted.")
    open_poll_fields(page)
    page.get_by_label("Poll question").fill(QUESTION)
    page.get_by_label("Options", exact=True).fill("Only one option")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Post topic").click()
    response = navigation.value
    expect(page.locator("details.add-poll")).to_have_attribute("open", "")
    expect(page.locator("details.add-poll")).to_contain_text("Give between 2 and 20 options")
    expect(page.get_by_label("Options", exact=True)).to_have_value("Only one option")
    assert response is not None
    checker.check("poll-new-topic-error", response, status=response.status)
    assert response.status in (200, 400, 422), f"new topic error: HTTP {response.status}"

    # A voter sees the results page.
    page = new_context(bypass_csp=True).new_page()
    checker.page = page
    log_in(page, voter.email)
    checker.visit("poll-results", f"/polls/{open_poll}?results=1")
    results = page.locator("ul.results > li")
    expect(results).to_have_count(3)
    expect(results.filter(has_text=OPTIONS[0]).locator(".badge")).to_have_text("Your choice")
    expect(page.locator("section.poll")).to_contain_text("2 members voted.")

    problems = checker.problems + [f"vnu {error}" for error in vnu_errors(checker.html)]
    assert not problems, "\n".join(problems)

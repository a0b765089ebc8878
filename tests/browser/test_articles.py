"""Articles in a real browser: a staff writer schedules an article with a tag and a series
part; it stays hidden until its time comes (the clock is moved in this process, which also
runs the live server), then appears on /articles and its tag page; a member comments.
Every article page, the form and the site pages pass axe-core and the Nu Html Checker;
screenshots go to screenshots/."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from playwright.sync_api import expect

from forum import clock
from forum.accounts.models import Role, User
from forum.extensions import db
from forum.pages import services as pages
from tests.articles.helpers import write
from tests.browser.conftest import Checker, log_in, vnu_errors

TITLE = "Answering the phone when the caller is already angry"


def test_article_journey_and_pages(new_context, make, app):
    staff = make.user("Robin Writer", role=Role.STAFF)
    member = make.user("Morgan Member")
    admin = make.user("Alex Admin", role=Role.ADMIN)
    first = write(app, staff, title="Service basics, part one", series="Service basics",
                  series_part=1, tags="customer service",
                  body="The first part.\n\nIt sets the scene.",
                  now=clock.now() - timedelta(days=3))
    with app.app_context():
        pages.save_page(db.session.get(User, admin.id), "about", "About",
                        "We are a forum for **public servants**.\n\n- One\n- Two")
        db.session.commit()

    page = new_context(bypass_csp=True).new_page()
    checker = Checker(page)

    # Staff write and schedule the article.
    log_in(page, staff.email)
    checker.visit("article-form", "/articles/new")
    page.get_by_role("button", name="Save article").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    checker.audit("article-form-errors")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Article", exact=True).fill(
        "Start by letting them finish.\n\nThen say back what you heard, and "
        f"[read part one](/t/{first.id}-{first.slug}) for the basics.")
    page.get_by_label("Question of the day (optional)").fill("What do you say first?")
    page.get_by_label("Tags (optional)").fill("customer service, phones")
    page.get_by_label("Series (optional)").fill("Service basics")
    page.get_by_label("Part number (optional)").fill("2")
    page.get_by_label("Publish at a time I choose").check()
    when = clock.now() + timedelta(hours=3)
    page.get_by_label("Publish at (UTC)").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save article").click()
    expect(page.get_by_role("status")).to_contain_text("The article is scheduled for")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    article_path = urlsplit(page.url).path
    checker.audit("article-scheduled-staff")
    page.get_by_role("button", name="Log out").click()

    # Hidden from everyone else until its time.
    assert page.goto(article_path).status == 404
    page.goto("/articles")
    expect(page.get_by_text(TITLE)).to_have_count(0)
    page.goto("/tags/customer-service")
    expect(page.get_by_text(TITLE)).to_have_count(0)

    # Time passes; it appears by itself. (Reading needs nothing; the promotion that updates
    # counters and pings runs after responses, here after every one.)
    clock.advance(timedelta(hours=3, minutes=1))
    app.config["PUBLISH_DUE_SECONDS"] = 0
    try:
        _after_publication(page, checker, first, article_path, member, admin)
    finally:
        app.config.pop("PUBLISH_DUE_SECONDS", None)


def _after_publication(page, checker, first, article_path, member, admin):
    checker.visit("articles", "/articles")
    expect(page.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    checker.visit("tag", "/tags/customer-service")
    expect(page.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    checker.visit("series", "/series/service-basics")
    checker.visit("article-visitor", article_path)
    expect(page.get_by_role("heading", name="Your question of the day")).to_be_visible()
    expect(page.get_by_text("Previous part:")).to_be_visible()
    checker.visit("article-pinged", f"/t/{first.id}-{first.slug}")
    expect(page.get_by_role("heading", name="1 ping")).to_be_visible()

    # A member comments.
    log_in(page, member.email)
    page.goto(article_path)
    page.get_by_label("Your reply").fill("Letting them finish works for me too.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply has been posted.")
    expect(page.get_by_text("Letting them finish works for me too.")).to_be_visible()
    checker.visit("article-member", article_path)
    page.get_by_role("button", name="Log out").click()

    # Site pages, written and not yet written, and the admin's editing form.
    for slug in ("about", "privacy", "contact", "related-sites"):
        checker.visit(f"page-{slug}", f"/pages/{slug}")
    log_in(page, admin.email)
    checker.visit("page-edit", "/pages/privacy/edit")
    page.get_by_label("Page text").fill("We keep **very little** about you.")
    page.get_by_role("button", name="Save page").click()
    expect(page.get_by_role("status")).to_contain_text("The page has been saved.")
    checker.visit("page-history", "/pages/about/history")

    problems = checker.problems + [f"{line} (vnu)" for line in vnu_errors(checker.html)]
    assert not problems, f"{len(problems)} accessibility or HTML problems:\n" + "\n".join(
        f"  - {problem}" for problem in problems)

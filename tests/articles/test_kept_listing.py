"""/articles keeps its list of published articles (pagecache.kept_fragment): rendered once
for everyone, a new article shows at once, staff still see their drafts."""
from __future__ import annotations

from forum.accounts.models import Role
from tests.articles.helpers import write


def test_the_article_list_is_rendered_once_and_a_new_article_shows_at_once(app, make, login,
                                                                          rendered):
    staff_member = make.user(role=Role.STAFF)
    write(app, staff_member, title="Plain language letters")
    write(app, staff_member, title="A draft about queues", status="draft")
    staff = login(staff_member, client=app.test_client()).get("/articles").text
    member = login(make.user(), client=app.test_client()).get("/articles").text
    visitor = app.test_client().get("/articles").text
    assert rendered.count("articles/_listing.html") == 1
    assert all("Plain language letters" in page for page in (staff, member, visitor))
    assert "A draft about queues" in staff
    assert "A draft about queues" not in member + visitor
    write(app, staff_member, title="Measuring wait times")
    assert "Measuring wait times" in app.test_client().get("/articles").text

"""The library page is kept (pagecache.kept_fragment in library.views.index): one copy for
staff and one for everyone else, so neither sees the other's, and new links show at once."""
from __future__ import annotations

from forum.accounts.models import Role
from tests.library.test_library import make_link


def test_staff_and_members_each_get_their_own_kept_page_and_new_links_show_at_once(
        app, make, login, rendered):
    staff_member = make.user(role=Role.STAFF)
    make_link(app, make, staff=staff_member)
    staff = login(staff_member, client=app.test_client())
    member = login(make.user(), client=app.test_client())
    visitor = app.test_client()
    for _ in range(2):  # the second round is served from the kept copies
        staff_page = staff.get("/library").text
        member_page, visitor_page = member.get("/library").text, visitor.get("/library").text
        assert "Add a link" in staff_page and "/edit" in staff_page
        for page in (member_page, visitor_page):
            assert "Putting Citizens First" in page
            assert "Add a link" not in page and "/edit\"" not in page
    assert rendered.count("library/_index_body.html") == 2  # staff's, and everyone else's
    make_link(app, make, staff=staff_member, title="Service design in local councils",
              url="https://www.example.com/councils")
    assert "Service design in local councils" in member.get("/library").text
    assert "Service design in local councils" in visitor.get("/library").text

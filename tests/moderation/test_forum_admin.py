"""Admins manage categories and forums: create, rename, describe, reorder; admins only; each
change writes exactly one audit record."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.board.models import Category, Forum
from forum.extensions import db
from forum.moderation.models import ModerationAction


def _audit(app):
    with app.app_context():
        return [(a.action, a.target_type, a.target_id, a.before, a.after) for a in
                db.session.scalars(select(ModerationAction).order_by(ModerationAction.id))]


def _forums(app, category_id=None):
    with app.app_context():
        query = select(Forum.title).join(Category).order_by(Category.position, Forum.position,
                                                            Forum.id)
        if category_id:
            query = query.where(Forum.category_id == category_id)
        return list(db.session.scalars(query))


@pytest.fixture
def admin(make, login):
    return login(make.user("Ada Admin", role=Role.ADMIN))


def test_admin_creates_a_category_and_forums_in_order(app, admin):
    response = admin.post("/admin/categories/new", data={"title": "  Service  design "})
    assert response.status_code == 302
    with app.app_context():
        category = db.session.scalar(select(Category))
        category_id = category.id
        assert category.title == "Service design"
    for title in ("User research", "Accessibility"):
        assert admin.post("/admin/forums/new", data={
            "category": category_id, "title": title, "slug": "",
            "description": f"All about {title.lower()}."}).status_code == 302
    assert _forums(app) == ["User research", "Accessibility"]
    with app.app_context():
        forum = db.session.scalar(select(Forum).where(Forum.slug == "accessibility"))
        assert forum.description == "All about accessibility." and forum.position == 1
    index = admin.get("/").text
    assert "User research" in index and "All about accessibility." in index
    assert [row[:2] for row in _audit(app)] == [("create_category", "category"),
                                                ("create_forum", "forum"),
                                                ("create_forum", "forum")]


def test_forum_form_keeps_input_and_explains_errors(app, make, admin):
    make.forum("Existing", slug="taken")
    with app.app_context():
        category_id = db.session.scalar(select(Category.id))
    page = admin.post("/admin/forums/new", data={"category": category_id, "title": "Another",
                                                 "slug": "taken", "description": "Kept text"})
    assert page.status_code == 200
    assert "Another forum already has the address /f/taken." in page.text
    assert "Kept text" in page.text and 'value="Another"' in page.text
    page = admin.post("/admin/forums/new", data={"category": category_id, "title": "X y",
                                                 "slug": "Not OK!", "description": ""})
    assert "Use only lower-case letters, digits and hyphens." in page.text
    assert admin.post("/admin/forums/new", data={"category": 999999, "title": "Lost"}
                      ).status_code == 200  # an unknown category is a field error, not a 500
    assert admin.post("/admin/categories/new", data={"title": ""}).status_code == 200
    assert _audit(app) == []


def test_admin_renames_and_describes_a_forum_with_one_record_each(app, make, admin):
    forum = make.forum("Old name", slug="old-name")
    response = admin.post(f"/admin/forums/{forum.id}/edit",
                          data={"title": "New name", "description": "A better description."},
                          follow_redirects=True)
    assert "The forum has been saved." in response.text
    with app.app_context():
        saved = db.session.get(Forum, forum.id)
        assert (saved.title, saved.description, saved.slug) == (
            "New name", "A better description.", "old-name")  # the address stays
    assert _audit(app) == [("edit_forum", "forum", forum.id,
                            {"title": "Old name", "description": "Talk about old name."},
                            {"title": "New name", "description": "A better description."})]
    unchanged = admin.post(f"/admin/forums/{forum.id}/edit",
                           data={"title": "New name", "description": "A better description."},
                           follow_redirects=True)
    assert "Nothing was changed." in unchanged.text and len(_audit(app)) == 1
    with app.app_context():
        category_id = db.session.get(Forum, forum.id).category_id
    admin.post(f"/admin/categories/{category_id}/edit", data={"title": "Renamed group"})
    with app.app_context():
        assert db.session.get(Category, category_id).title == "Renamed group"
    assert _audit(app)[-1][:2] == ("edit_category", "category") and len(_audit(app)) == 2


def test_admin_reorders_forums_and_categories_with_buttons(app, make, admin):
    first = make.forum("Alpha", slug="alpha")
    with app.app_context():
        category_id = db.session.get(Forum, first.id).category_id
    admin.post("/admin/forums/new", data={"category": category_id, "title": "Beta"})
    admin.post("/admin/forums/new", data={"category": category_id, "title": "Gamma"})
    with app.app_context():
        gamma = db.session.scalar(select(Forum.id).where(Forum.slug == "gamma"))
    before = len(_audit(app))
    response = admin.post(f"/admin/forums/{gamma}/move", data={"direction": "up"})
    assert response.status_code == 302 and response.location.endswith(f"#forum-{gamma}")
    assert _forums(app, category_id) == ["Alpha", "Gamma", "Beta"]
    admin.post(f"/admin/forums/{gamma}/move", data={"direction": "up"})
    assert _forums(app, category_id) == ["Gamma", "Alpha", "Beta"]
    assert [row[0] for row in _audit(app)[before:]] == ["reorder_forum", "reorder_forum"]
    assert _audit(app)[-1][3:] == ({"place": 2}, {"place": 1})
    edge = admin.post(f"/admin/forums/{gamma}/move", data={"direction": "up"},
                      follow_redirects=True)
    assert "The forum is already first." in edge.text
    assert admin.post(f"/admin/forums/{gamma}/move", data={"direction": "sideways"}
                      ).status_code == 302
    assert len(_audit(app)) == before + 2  # refused moves record nothing
    page = admin.get("/admin/forums").text
    assert f"Move up<span class=\"visually-hidden\"> forum Alpha</span>" in page
    assert f"Move up<span class=\"visually-hidden\"> forum Gamma</span>" not in page

    second = make.forum("Delta", category="Second group", slug="delta")
    with app.app_context():
        second_category = db.session.get(Forum, second.id).category_id
    admin.post(f"/admin/categories/{second_category}/move", data={"direction": "up"})
    with app.app_context():
        assert list(db.session.scalars(select(Category.title).order_by(Category.position))) \
            == ["Second group", "Discussion"]
    assert _audit(app)[-1][:2] == ("reorder_category", "category")
    index = admin.get("/").text
    assert index.index("Second group") < index.index("Discussion")


@pytest.mark.parametrize("role", [Role.MEMBER, Role.STAFF, Role.MODERATOR])
def test_only_admins_manage_forums(app, make, login, role):
    forum = make.forum("Kept", slug="kept")
    client = login(make.user(role=role))
    assert client.get("/admin/forums").status_code == 403
    assert client.post("/admin/categories/new", data={"title": "Sneaky"}).status_code == 403
    assert client.post(f"/admin/forums/{forum.id}/edit",
                       data={"title": "Sneaky", "description": ""}).status_code == 403
    assert client.post(f"/admin/forums/{forum.id}/move",
                       data={"direction": "up"}).status_code == 403
    assert 'href="/admin"' not in client.get("/").text
    assert _audit(app) == []


def test_admin_list_costs_the_same_for_few_and_many_forums(app, make, admin, count_queries):
    def cost():
        with count_queries() as counter:
            assert admin.get("/admin/forums").status_code == 200
        return counter.count
    make.forum("One", slug="one")
    few = cost()
    for i in range(8):
        make.forum(f"Forum {i}", category=f"Group {i % 3}", slug=f"forum-{i}")
    assert cost() == few <= 12
    assert 'href="/admin"' in admin.get("/").text  # the admin home, linked in the header
    home = admin.get("/admin").text
    assert 'href="/admin/forums"' in home and 'href="/admin/government-domains"' in home

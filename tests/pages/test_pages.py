"""Site pages: written by admins, with revisions, linked from every page's footer."""
from __future__ import annotations

from sqlalchemy import select

from forum.accounts.models import Role
from forum.extensions import db
from forum.pages.models import PageRevision


def _save(client, slug="about", **fields):
    data = {"title": "About this forum", "body": "We are a **small** team.",
            "submit": "Save page"}
    data.update(fields)
    return client.post(f"/pages/{slug}/edit", data=data)


def test_footer_links_to_every_site_page(client):
    page = client.get("/").text
    for slug in ("about", "privacy", "contact", "related-sites"):
        assert f'href="/pages/{slug}"' in page
    assert 'href="/articles"' in page


def test_unwritten_pages_say_so_and_unknown_pages_are_404(client):
    response = client.get("/pages/privacy")
    assert response.status_code == 200 and "has not been written yet" in response.text
    assert client.get("/pages/secret").status_code == 404
    assert client.get("/pages/secret/edit").status_code in (302, 404)


def test_admins_write_pages_and_every_version_is_kept(client, make, login, app):
    admin = make.user(role=Role.ADMIN)
    login(admin)
    assert _save(client).status_code == 302
    page = client.get("/pages/about").text
    assert "<strong>small</strong>" in page and "Edit this page" in page
    assert _save(client, body="We are a team.", reason="Shorter").status_code == 302
    with app.app_context():
        revisions = db.session.scalars(select(PageRevision).order_by(PageRevision.id)).all()
        assert [r.body_source for r in revisions] == ["We are a **small** team.",
                                                      "We are a team."]
        assert revisions[1].reason == "Shorter"
    history = client.get("/pages/about/history").text
    assert "We are a **small** team." in history and "Shorter" in history
    assert _save(client, body="We are a team.", reason="Shorter").status_code == 302
    with app.app_context():
        assert len(db.session.scalars(select(PageRevision)).all()) == 2  # nothing changed


def test_only_admins_edit_pages(client, make, login):
    for role in (Role.MEMBER, Role.STAFF, Role.MODERATOR):
        login(make.user(role=role))
        assert client.get("/pages/about/edit").status_code == 403
        assert _save(client).status_code == 403
        assert client.get("/pages/about/history").status_code == 403
        assert "Edit this page" not in client.get("/pages/about").text
        client.post("/logout")


def test_page_text_is_cleaned_and_errors_keep_the_text(client, make, login):
    login(make.user(role=Role.ADMIN))
    assert _save(client, body="<script>alert(1)</script> <a href='javascript:x'>x</a>",
                 title="<b>Odd</b>").status_code == 302
    page = client.get("/pages/about").text
    assert "<script>" not in page and "javascript:" not in page and "&lt;b&gt;Odd" in page
    response = _save(client, title="", body="Keep me")
    assert response.status_code == 200 and "Enter a title." in response.text
    assert "Keep me" in response.text
    response = _save(client, title="x" * 500, body="\x00")
    assert response.status_code == 200
    assert _save(client, preview="Preview").status_code == 200

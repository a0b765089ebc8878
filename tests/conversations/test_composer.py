"""The composer (toolbar, live preview, drafts) on conversation forms, and nothing private
leaking through it: a conversation's draft is kept only for its own participants and shown
only to its writer, and these forms take no files."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum import clock
from forum.accounts.models import Role
from forum.extensions import db
from forum.writing.models import Draft
from tests.groups.helpers import log_in


def _old(make, **fields):
    return make.user(created_at=clock.now() - timedelta(days=30),
                     email_verified_at=clock.now(), **fields)


def _drafts(app) -> list[tuple[int, str, str, str]]:
    with app.app_context():
        return [(d.user_id, d.key, d.title, d.body) for d in db.session.scalars(
            select(Draft).order_by(Draft.user_id, Draft.key))]


def _conversation(app, make):
    ann, bob, eve = _old(make), _old(make), _old(make)
    a, b, e = app.test_client(), app.test_client(), app.test_client()
    for client, who in ((a, ann), (b, bob), (e, eve)):
        log_in(client, who)
    started = a.post("/messages/new", data={"to": bob.display_name, "group": "0",
                                            "subject": "Budget", "body": "First message"})
    assert started.status_code == 302
    url = started.headers["Location"].split("#")[0]
    return ann, bob, eve, a, b, e, url, int(url.rstrip("/").split("/")[-1])


def test_conversation_forms_have_the_composer_with_drafts_and_no_files(app, make):
    ann, bob, eve, a, b, e, url, conversation_id = _conversation(app, make)
    new = a.get("/messages/new").text
    assert "data-composer" in new and 'data-draft-key="conversation"' in new
    assert 'data-preview-url="/compose/preview"' in new
    page = a.get(url).text
    assert "data-composer" in page and f'data-draft-key="message:{conversation_id}"' in page
    for html in (new, page):
        assert 'type="file"' not in html and "data-mention-url" not in html
        assert "multipart/form-data" not in html


def test_a_conversation_draft_is_its_writers_alone(app, make):
    ann, bob, eve, a, b, e, url, conversation_id = _conversation(app, make)
    key = f"message:{conversation_id}"
    assert a.post("/drafts", data={"key": key, "body": "Secret half-reply"}).status_code == 200
    # Outsiders (even an admin who has not opened it) cannot keep a draft under its key.
    assert e.post("/drafts", data={"key": key, "body": "Let me in"}).status_code == 400
    admin = make.user(role=Role.ADMIN)
    admin_client = app.test_client()
    log_in(admin_client, admin)
    assert admin_client.post("/drafts", data={"key": key, "body": "x"}).status_code == 400
    assert [(user_id, k) for user_id, k, _, _ in _drafts(app)] == [(ann.id, key)]
    # Only the writer gets it back; the other participant never sees it.
    assert "Secret half-reply</textarea>" in a.get(url).text
    assert "Secret half-reply" not in b.get(url).text
    assert "Secret half-reply" not in admin_client.get(url, follow_redirects=True).text
    # Sending ends it.
    assert a.post(url, data={"body": "The whole reply"}).status_code == 302
    assert _drafts(app) == []


def test_preview_without_script_keeps_drafts_and_sending_ends_them(app, make):
    ann, bob, eve, a, b, e, url, conversation_id = _conversation(app, make)
    b.post(url, data={"body": "Previewed reply", "preview": "Preview"})
    a.post("/messages/new", data={"to": bob.display_name, "group": "0", "subject": "Rota",
                                  "body": "Previewed start", "preview": "Preview"})
    assert _drafts(app) == sorted([
        (bob.id, f"message:{conversation_id}", "", "Previewed reply"),
        (ann.id, "conversation", "", "Previewed start")])
    again = a.get("/messages/new").text
    assert "Previewed start</textarea>" in again
    assert a.post("/messages/new", data={"to": bob.display_name, "group": "0",
                                         "subject": "Rota", "body": "Sent"}).status_code == 302
    assert b.post(url, data={"body": "Sent too"}).status_code == 302
    assert _drafts(app) == []

"""E-mail in development (issue 16): links follow the address the forum is served at when
SITE_URL is unset; production refuses to start sending without SITE_URL; the console
transport prints; admins read the outbox in the browser (development only)."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.extensions import db
from forum import outbox
from forum.notify import mailer
from forum.outbox import OutboxEmail, OutboxStatus


@pytest.fixture
def no_site_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "SITE_URL", "")
    monkeypatch.setitem(app.config, "FORUM_ENV", "development")


def _register(client, name="New Person", email="new.person@example.gov"):
    response = client.post("/register", data={"display_name": name, "email": email,
                                               "password": "a long enough password",
                                               "confirm": "a long enough password"},
                           base_url="http://127.0.0.1:8123")
    assert response.status_code == 302, response.text


def test_links_use_the_served_address_when_site_url_is_unset(app, client, no_site_url):
    _register(client)
    with app.app_context():
        row = db.session.scalar(select(OutboxEmail))
    links = re.findall(r"https?://[^\s\"<>]+", row.text_body)
    assert links and all(link.startswith("http://127.0.0.1:8123/") for link in links), links


def test_site_url_wins_when_set(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SITE_URL", "https://forum.example.gov")
    _register(client)
    with app.app_context():
        row = db.session.scalar(select(OutboxEmail))
    assert "https://forum.example.gov/" in row.text_body and "127.0.0.1" not in row.text_body


def test_production_without_site_url_refuses_to_start_sending(app, monkeypatch):
    monkeypatch.setitem(app.config, "FORUM_ENV", "production")
    monkeypatch.setitem(app.config, "SITE_URL", "")
    with app.app_context():
        outbox.enqueue("a@example.gov", "Hello", "Text")
        db.session.commit()
        for start in (mailer.run_once, mailer.send_due, mailer.loop):
            with pytest.raises(mailer.NotReady, match="SITE_URL"):
                start()
        with pytest.raises(mailer.NotReady):
            mailer.start_background_sender(app)
        assert db.session.scalar(select(OutboxEmail.status)) == OutboxStatus.QUEUED
    result = app.test_cli_runner().invoke(args=["forum", "send-mail"])
    assert result.exit_code != 0 and "SITE_URL is not set" in result.output
    monkeypatch.setitem(app.config, "SITE_URL", "https://forum.example.gov")
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    with app.app_context(), pytest.raises(mailer.NotReady, match="development only"):
        mailer.run_once()


def test_the_html_part_is_shown_cleaned():
    from forum.notify.mail import html_part_for_page
    shown = html_part_for_page('<html><head><title>T</title></head><body style="x">'
                               '<p style="color: red" onclick="go()">Hi <a href="https://a.gov"'
                               ' style="y">there</a></p><script>bad()</script></body></html>')
    assert shown == '<p>Hi <a href="https://a.gov">there</a></p>bad()'


def test_console_transport_prints_the_text_part(app, no_site_url):
    stream = io.StringIO()
    with app.app_context():
        outbox.enqueue("a@example.gov", "Your reply", "Someone answered you.",
                       "<p>Someone answered you.</p>")
        db.session.commit()
        result = mailer.send_due(transport=mailer.ConsoleTransport(stream))
        assert result.sent == 1
    printed = stream.getvalue()
    assert "To: a@example.gov" in printed and "Subject: Your reply" in printed
    assert "Someone answered you." in printed and "<p>" not in printed


def test_admins_read_the_outbox_in_development_only(app, make, login, client, no_site_url,
                                                     monkeypatch):
    admin = make.user("Ada Admin", role=Role.ADMIN)
    with app.app_context():
        outbox.enqueue("b@example.gov", "A <b>bold</b> subject", "Plain words.",
                       "<p>Rich <strong>words</strong>.</p>")
        db.session.commit()
        message_id = db.session.scalar(select(OutboxEmail.id))
    login(admin)
    page = client.get("/admin/outbox")
    assert page.status_code == 200
    assert "A &lt;b&gt;bold&lt;/b&gt; subject" in page.text and "b@example.gov" in page.text
    message = client.get(f"/admin/outbox/{message_id}").text
    assert "Plain words." in message
    assert '<div class="outbox-html"><p>Rich <strong>words</strong>.</p></div>' in message
    member = app.test_client()
    login(make.user(), client=member)
    assert member.get("/admin/outbox").status_code == 403
    monkeypatch.setitem(app.config, "FORUM_ENV", "production")
    for url in ("/admin/outbox", f"/admin/outbox/{message_id}"):
        assert client.get(url).status_code == 404, url

"""E-mails are written for their reader: times in the recipient's time zone, not in the zone of
whoever's request caused the e-mail, nor the site's."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from forum import clock
from forum.accounts.models import User
from forum.conversations import services as conversations
from forum.extensions import db
from forum.notify import mail
from forum.notify import services as notify
from forum.notify.models import EmailMode
from forum.outbox import OutboxEmail

NOON = datetime(2026, 6, 1, 12, 0)  # summer: New York is UTC-4, Kolkata UTC+5:30


def _bodies(app, user_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        return [(row.text_body, row.html_body) for row in db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.user_id == user_id).order_by(OutboxEmail.id))]


def test_a_notification_shows_the_time_in_the_readers_zone(app, make, client, login):
    clock.advance(NOON - clock.now())
    reader = make.user("Reader", email_verified_at=clock.now(), time_zone="Asia/Kolkata")
    writer = make.user("Writer", time_zone="America/New_York")
    topic = make.topic(author=reader, title="Opening hours")
    login(writer)
    assert client.post(f"/t/{topic.id}/reply", data={"body": "We open at nine.",
                                                     "submit": "Post reply"}).status_code == 302
    ((text, html),) = _bodies(app, reader.id)
    assert "1 June 2026 at 17:30 IST" in text and "1 June 2026 at 17:30 IST" in html
    assert "EDT" not in text and "UTC" not in text


def test_a_digest_and_a_message_show_times_in_the_readers_zone(app, make, login, client):
    clock.advance(NOON - clock.now())
    reader = make.user("Reader", email_verified_at=clock.now(), time_zone="America/New_York")
    writer = make.user("Writer", time_zone="Asia/Kolkata")
    topic = make.topic(author=reader, title="Opening hours")
    with app.app_context():
        notify.save_settings(db.session.get(User, reader.id), email_mode=EmailMode.DIGEST,
                             auto_subscribe=True)
        db.session.commit()
    login(writer)
    client.post(f"/t/{topic.id}/reply", data={"body": "Nine.", "submit": "Post reply"})
    with app.app_context():
        clock.advance(timedelta(days=1))
        assert mail.build_digests() == 1
    ((digest, digest_html),) = _bodies(app, reader.id)
    assert "1 June 2026 at 08:00 EDT: Writer replied" in digest
    assert "1 June 2026 at 08:00 EDT: " in digest_html
    with app.app_context():
        notify.save_settings(db.session.get(User, reader.id), email_mode=EmailMode.EACH,
                             auto_subscribe=True)
        started = conversations.start(db.session.get(User, writer.id),
                                      [db.session.get(User, reader.id)], "Rotas",
                                      "Are you free?")
        db.session.commit()
        assert started
    text = _bodies(app, reader.id)[-1][0]
    assert re.search(r"2 June 2026 at 08:00 EDT", text), text

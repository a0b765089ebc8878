"""E-mail through the outbox, against a real SMTP server (aiosmtpd on 127.0.0.1): one message
per subscriber, nothing lost while the server is down, nothing sent twice after a crash."""
from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from forum import clock, create_app
from forum.accounts.models import User
from forum.board import services as board
from forum.board.models import Topic
from forum.config import TestConfig
from forum.extensions import db
from forum.notify import mail, mailer
from forum.notify import services as notify
from forum.notify.models import EmailMode, Notification, NotifySettings
from forum.outbox import OutboxEmail, OutboxStatus, enqueue
from tests.conftest import config_dict

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message it accepts. `hold_at`: the nth message is
    received but its acceptance (250) waits until `release` is set."""

    def __init__(self, hold_at: int | None = None) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.hold_at = hold_at
        self.release = False

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(message)
        if self.hold_at is not None and len(self.messages) == self.hold_at:
            while not self.release:
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


class Server:
    def __init__(self, port: int, inbox: Inbox) -> None:
        self.controller = Controller(inbox, hostname="127.0.0.1", port=port)
        self.inbox = inbox

    def __enter__(self) -> Inbox:
        self.controller.start()
        return self.inbox

    def __exit__(self, *exc) -> None:
        self.inbox.release = True
        self.controller.stop()


@pytest.fixture
def smtp_port(app, monkeypatch) -> int:
    port = free_port()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    monkeypatch.setitem(app.config, "MAIL_FROM", "Forum <forum@forum.example.gov>")
    monkeypatch.setitem(app.config, "SITE_URL", "https://forum.example.gov")
    return port


def _queue(n: int) -> None:
    for i in range(n):
        enqueue(f"person{i}@example.gov", f"Message {i}", f"Text {i}", f"<p>HTML {i}</p>",
                dedup_key=f"test:{i}")
    db.session.commit()


def _statuses() -> list[str]:
    return [s.value for s in db.session.scalars(select(OutboxEmail.status)
                                                .order_by(OutboxEmail.id))]


def test_a_reply_sends_exactly_one_message_to_each_subscriber(ctx, make, smtp_port):
    ann, bob, cy, dan = (make.user(name, email_verified_at=clock.now())
                         for name in ("Ann", "Bob", "Cy", "Dan"))
    unconfirmed = make.user("Eve")  # follows too, but never confirmed her address
    topic = make.topic(author=ann, title="Queues <b>at</b> the counter")
    for member in (bob, cy, unconfirmed):
        notify.subscribe_topic(db.session.get(User, member.id), db.session.get(Topic, topic.id))
    db.session.commit()
    board.post_reply(db.session.get(User, dan.id), db.session.get(Topic, topic.id),
                     "We **shortened** them <script>alert(1)</script> with tickets.")
    db.session.commit()
    with Server(smtp_port, Inbox()) as inbox:
        result = mailer.send_due()
        again = mailer.send_due()
    assert (result.sent, again.sent) == (3, 0)
    assert sorted(m["To"] for m in inbox.messages) == sorted(
        [ann.email, bob.email, cy.email])  # Dan wrote it: not told
    assert _statuses() == ["sent"] * 3
    # Eve is told on the site; e-mail goes only to confirmed addresses.
    assert db.session.scalar(select(Notification.kind).where(
        Notification.user_id == unconfirmed.id)) == "reply"
    message = next(m for m in inbox.messages if m["To"] == bob.email)
    assert message["Subject"] == "Dan replied to “Queues <b>at</b> the counter”"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("https://forum.example.gov/unsubscribe/")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "We shortened them" in text and "<strong>" not in text
    assert "https://forum.example.gov/t/" in text and unsubscribe in text
    assert "<strong>shortened</strong>" in html and "<script>" not in html
    assert "Queues &lt;b&gt;at&lt;/b&gt; the counter" in html  # escaped in the HTML part
    assert unsubscribe in html


def test_one_click_unsubscribe_needs_no_login_and_no_csrf_token(app, make, smtp_port):
    member = make.user()
    protected = create_app({**config_dict(TestConfig), "WTF_CSRF_ENABLED": True,
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    try:
        client = protected.test_client()
        with protected.app_context():
            token = mail.unsubscribe_token(member.id)
        page = client.get(f"/unsubscribe/{token}")
        assert page.status_code == 200 and "Stop e-mails" in page.text
        # RFC 8058: the mail program POSTs this body to the List-Unsubscribe address.
        response = client.post(f"/unsubscribe/{token}", data="List-Unsubscribe=One-Click",
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200 and "no more e-mails" in response.text
        assert client.post(f"/unsubscribe/{token[:-2]}xx").status_code == 404
        assert client.get("/unsubscribe/not-a-token").status_code == 404
    finally:
        with protected.app_context():
            db.session.remove()
            db.engine.dispose()
    with app.app_context():
        assert db.session.get(NotifySettings, member.id).email_mode == EmailMode.OFF
        # Other forms still need their token: only the unsubscribe route is exempt.


def test_while_the_server_is_down_messages_wait_and_are_sent_once_later(ctx, smtp_port):
    _queue(3)
    result = mailer.send_due()  # nothing listens on the port
    assert result.sent == 0 and result.retrying == 1  # stops at the first connection failure
    rows = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert [r.status for r in rows] == [OutboxStatus.QUEUED] * 3
    assert rows[0].attempts == 1 and rows[0].last_error
    assert rows[0].next_attempt_at > clock.now()  # backing off
    with Server(smtp_port, Inbox()) as inbox:
        mailer.send_due()
        assert len(inbox.messages) == 2  # the failed one waits for its backoff
        clock.advance(mailer.backoff(1) + timedelta(seconds=1))
        mailer.send_due()
        mailer.send_due()
    assert sorted(m["Subject"] for m in inbox.messages) == ["Message 0", "Message 1",
                                                             "Message 2"]
    assert _statuses() == ["sent"] * 3


def test_backoff_doubles_and_a_message_is_given_up_after_max_attempts(ctx, smtp_port):
    assert [mailer.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert mailer.backoff(30) == mailer.BACKOFF_MAX
    _queue(1)
    for _ in range(mailer.MAX_ATTEMPTS):
        mailer.send_due()
        clock.advance(mailer.BACKOFF_MAX)
    row = db.session.scalars(select(OutboxEmail)).one()
    assert row.status == OutboxStatus.FAILED and row.attempts == mailer.MAX_ATTEMPTS


def test_an_exception_mid_batch_leaves_the_rest_queued_and_rerunning_sends_no_duplicate(
        ctx, smtp_port, monkeypatch):
    _queue(5)
    real_claim = mailer._claim
    calls = {"n": 0}

    def crash_on_third(now, claimer):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the process dies here")
        return real_claim(now, claimer)

    with Server(smtp_port, Inbox()) as inbox:
        monkeypatch.setattr(mailer, "_claim", crash_on_third)
        with pytest.raises(RuntimeError):
            mailer.send_due()
        db.session.rollback()
        assert _statuses() == ["sent", "sent", "queued", "queued", "queued"]
        monkeypatch.setattr(mailer, "_claim", real_claim)
        assert mailer.send_due().sent == 3
    assert len(inbox.messages) == 5 and len(set(inbox.ids())) == 5


def test_a_send_mail_process_killed_midway_then_rerun_sends_no_duplicate(
        app, ctx, smtp_port):
    _queue(6)
    inbox = Inbox(hold_at=3)  # the 3rd message is received; its 250 never reaches the sender
    env = dict(os.environ, FLASK_APP="wsgi", SECRET_KEY="test-secret-key-not-for-production",
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), MAIL_TIMEOUT="30",
               SITE_URL="https://forum.example.gov", PYTHONWARNINGS="ignore")
    with Server(smtp_port, inbox):
        process = subprocess.Popen([sys.executable, "-m", "flask", "forum", "send-mail"],
                                   cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while len(inbox.messages) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(inbox.messages) == 3, process.communicate(timeout=5)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
            process.stdout.close()
            process.stderr.close()
        inbox.release = True
        db.session.expire_all()
        assert _statuses() == ["sent", "sent", "sending", "queued", "queued", "queued"]
        assert mailer.send_due().sent == 3   # the rest, not the one in flight
        assert mailer.send_due().sent == 0
    assert len(inbox.messages) == 6 and len(set(inbox.ids())) == 6
    assert sorted(m["Subject"] for m in inbox.messages) == [f"Message {i}" for i in range(6)]


def test_two_senders_never_take_the_same_message(ctx, smtp_port):
    _queue(2)
    first = mailer._claim(clock.now(), "sender-a")
    second = mailer._claim(clock.now(), "sender-b")
    assert first.id != second.id
    assert mailer._claim(clock.now(), "sender-c") is None


def test_a_stale_claim_is_queued_again_after_the_timeout(ctx, smtp_port):
    _queue(1)
    mailer._claim(clock.now(), "a sender that died")
    with Server(smtp_port, Inbox()) as inbox:
        assert mailer.send_due().sent == 0
        clock.advance(mailer.CLAIM_TIMEOUT + timedelta(minutes=1))
        assert mailer.send_due().sent == 1
    assert len(inbox.messages) == 1


def test_daily_digest_lists_new_notifications_once_a_day(ctx, make, smtp_port):
    ann, bob = make.user("Ann", email_verified_at=clock.now()), make.user("Bob")
    topic = make.topic(author=ann, title="Digest topic")
    notify.save_settings(db.session.get(User, ann.id), email_mode=EmailMode.DIGEST,
                         auto_subscribe=True)
    db.session.commit()
    for i in range(3):
        board.post_reply(db.session.get(User, bob.id), db.session.get(Topic, topic.id),
                         f"Reply {i}")
    db.session.commit()
    assert db.session.scalar(select(OutboxEmail.id).where(OutboxEmail.user_id == ann.id)) \
        is None  # no e-mail for each one
    with Server(smtp_port, Inbox()) as inbox:
        mailer.run_once()
        mailer.run_once()  # not due again today
        clock.advance(timedelta(hours=25))
        mailer.run_once()  # due, but nothing new: no e-mail
    assert len(inbox.messages) == 1
    digest = inbox.messages[0]
    assert digest["To"] == ann.email and digest["Subject"].endswith("3 new notifications")
    assert digest.get_body(("plain",)).get_content().count("Bob replied to “Digest topic”") == 3
    assert digest["List-Unsubscribe"]


def test_send_mail_command_reports_what_it_did(app, ctx, smtp_port):
    _queue(2)
    with Server(smtp_port, Inbox()) as inbox:
        result = app.test_cli_runner().invoke(args=["forum", "send-mail"])
    assert result.exit_code == 0 and "2 sent" in result.output
    assert len(inbox.messages) == 2


def test_html_to_text_keeps_paragraphs_lists_and_links():
    html = ('<p>First <strong>line</strong><br>next</p><ul><li>one</li><li>two</li></ul>'
            '<p><a href="https://example.gov/x">a link</a> &amp; more</p>')
    assert mail.html_to_text(html) == (
        "First line\nnext\n\n- one\n- two\n\na link (https://example.gov/x) & more")


def test_the_background_sender_thread_sends_and_stops(app, ctx, smtp_port):
    _queue(2)
    with Server(smtp_port, Inbox()) as inbox:
        stop = mailer.start_background_sender(app, interval=0.1)
        try:
            deadline = time.monotonic() + 20
            while len(inbox.messages) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            stop.set()
            for thread in threading.enumerate():
                if thread.name == "forum-mail-sender":
                    thread.join(timeout=10)
    assert len(inbox.messages) == 2

"""Sending the outbox: `flask forum send-mail` (once, or --loop), or a background thread.

Each message is claimed in its own commit (status queued -> sending, only if still queued,
so two senders never take the same row), handed to the SMTP server, and marked sent in its
own commit right after the server accepts it. A failure puts the row back with exponential
backoff; a crash leaves the rest queued. The one unavoidable window (the server accepted a
message and the process died before its "sent" commit) leaves the row claimed; it is
retried only after CLAIM_TIMEOUT (an hour), with the same Message-ID, so mail programs can
recognise a repeat. Messages are never deleted.
"""
from __future__ import annotations

import logging
import smtplib
import socket
import sys
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from flask import Flask, current_app
from sqlalchemy import select, update

from .. import clock
from ..extensions import db
from ..outbox import OutboxEmail, OutboxStatus
from .mail import build_digests

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)   # 1, 2, 4, 8... minutes
BACKOFF_MAX = timedelta(hours=6)
CLAIM_TIMEOUT = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the given number of failed attempts."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


@dataclass
class Result:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Transport:
    """One SMTP connection for a batch, opened on first use."""

    def __init__(self, config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        if self.smtp is None:
            cfg = self.config
            smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"],
                                timeout=cfg.get("MAIL_TIMEOUT", 30))
            try:
                if cfg.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if cfg.get("MAIL_USERNAME"):
                    smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
            except BaseException:
                smtp.close()
                raise
            self.smtp = smtp
        self.smtp.send_message(message)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


class ConsoleTransport:
    """Development: print each message (headers and plain text part) instead of sending it."""

    def __init__(self, stream=None) -> None:
        self.stream = stream

    def send(self, message: EmailMessage) -> None:
        stream = self.stream or sys.stdout
        lines = ["-" * 72] + [f"{name}: {message[name]}" for name in
                              ("From", "To", "Subject", "Date") if message[name]]
        text = message.get_body(("plain",))
        lines += ["", text.get_content() if text is not None else "", ""]
        stream.write("\n".join(lines))
        stream.flush()

    def close(self) -> None:
        pass


class NotReady(RuntimeError):
    """The sender must not start: the message says what to set."""


def check_ready(config) -> None:
    """Refuse to send in production without SITE_URL (every link in the queued mail would
    point at a guessed address), and never print mail to a production console."""
    production = config.get("FORUM_ENV") == "production"
    if production and not config.get("SITE_URL"):
        raise NotReady("SITE_URL is not set, so links in e-mails cannot point at the forum. "
                       "Set SITE_URL to its public address (https://...) and start the sender "
                       "again; queued messages wait.")
    if production and config.get("MAIL_BACKEND") == "console":
        raise NotReady("MAIL_BACKEND=console prints e-mails and is for development only.")


def transport_for(config) -> Transport | ConsoleTransport:
    return ConsoleTransport() if config.get("MAIL_BACKEND") == "console" else Transport(config)


def build_message(row: OutboxEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at.replace(tzinfo=UTC))
    domain = sender.rsplit("@", 1)[-1].strip(">").strip() or "localhost"
    # Stable per row: a repeat after a crash carries the same id.
    message["Message-ID"] = f"<outbox.{row.id}.{row.created_at:%Y%m%d%H%M%S}@{domain}>"
    for name, value in (row.headers or {}).items():
        if name.lower() not in ("from", "to", "subject", "date", "message-id"):
            message[name] = value
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    return message


def _requeue_stale_claims(now) -> None:
    stale = db.session.execute(update(OutboxEmail).where(
        OutboxEmail.status == OutboxStatus.SENDING,
        OutboxEmail.claimed_at < now - CLAIM_TIMEOUT).values(
        status=OutboxStatus.QUEUED, claimed_by=None,
        last_error="The sender stopped while sending; it may have been sent.")).rowcount
    db.session.commit()
    if stale:
        log.warning("%d outbox messages were claimed by a sender that stopped; queued again.",
                    stale)


def _claim(now, claimer: str) -> OutboxEmail | None:
    """Take the oldest due message for this sender, in its own commit."""
    while True:
        row_id = db.session.scalar(
            select(OutboxEmail.id).where(OutboxEmail.status == OutboxStatus.QUEUED,
                                         OutboxEmail.next_attempt_at <= now)
            .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id).limit(1))
        if row_id is None:
            db.session.commit()
            return None
        taken = db.session.execute(update(OutboxEmail).where(
            OutboxEmail.id == row_id, OutboxEmail.status == OutboxStatus.QUEUED).values(
            status=OutboxStatus.SENDING, claimed_at=now, claimed_by=claimer,
            attempts=OutboxEmail.attempts + 1), execution_options={
            "synchronize_session": False}).rowcount
        db.session.commit()
        if taken:
            row = db.session.get(OutboxEmail, row_id, populate_existing=True)
            return row
        # another sender took it between our look and our claim: look again


def send_due(limit: int = 100, *, transport: Transport | None = None) -> Result:
    """Send up to `limit` due messages. Stops the batch at the first connection failure
    (the server is down: everything else stays queued for the next run)."""
    config = current_app.config
    check_ready(config)
    transport = transport or transport_for(config)
    claimer = f"{socket.gethostname()}:{uuid.uuid4().hex[:12]}"[:64]
    result = Result()
    now = clock.now()
    _requeue_stale_claims(now)
    try:
        while result.sent + result.retrying + result.failed < limit:
            row = _claim(clock.now(), claimer)
            if row is None:
                break
            try:
                transport.send(build_message(row, config["MAIL_FROM"]))
            except (smtplib.SMTPException, OSError) as error:
                transport.close()
                _failed(row, claimer, error, result)
                if not isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError
                                  | smtplib.SMTPSenderRefused):
                    break  # cannot reach the server: leave the rest for later
                continue
            db.session.execute(update(OutboxEmail).where(
                OutboxEmail.id == row.id, OutboxEmail.claimed_by == claimer).values(
                status=OutboxStatus.SENT, sent_at=clock.now(), last_error=None),
                execution_options={"synchronize_session": False})
            db.session.commit()
            result.sent += 1
    finally:
        transport.close()
    return result


def _failed(row: OutboxEmail, claimer: str, error: Exception, result: Result) -> None:
    give_up = row.attempts >= MAX_ATTEMPTS
    message = f"{type(error).__name__}: {error}"[:500]
    db.session.execute(update(OutboxEmail).where(
        OutboxEmail.id == row.id, OutboxEmail.claimed_by == claimer).values(
        status=OutboxStatus.FAILED if give_up else OutboxStatus.QUEUED, claimed_by=None,
        next_attempt_at=clock.now() + backoff(row.attempts), last_error=message),
        execution_options={"synchronize_session": False})
    db.session.commit()
    result.errors.append(message)
    if give_up:
        result.failed += 1
        log.error("Gave up on outbox message %s after %s attempts: %s", row.id, row.attempts,
                  message)
    else:
        result.retrying += 1
        log.warning("Outbox message %s not sent (attempt %s), will retry: %s", row.id,
                    row.attempts, message)


def run_once(limit: int = 100) -> Result:
    """What one `flask forum send-mail` does: build due digests, then send."""
    check_ready(current_app.config)
    build_digests()
    return send_due(limit)


def loop(interval: float = 30.0, stop: threading.Event | None = None,
         limit: int = 100) -> None:
    """Send forever (`flask forum send-mail --loop`, or the background thread); a full batch
    is followed by the next at once, otherwise the sender waits `interval` seconds. Raises
    NotReady at once, before the first run, when the configuration forbids sending."""
    check_ready(current_app.config)
    stop = stop or threading.Event()
    while not stop.is_set():
        full = False
        try:
            result = run_once(limit)
            full = result.sent + result.retrying + result.failed >= limit
        except Exception:  # a database hiccup must not end the sender
            db.session.rollback()
            log.exception("Sending mail failed; will try again.")
        finally:
            db.session.remove()
        if not full:
            stop.wait(interval)


def start_background_sender(app: Flask, interval: float = 30.0) -> threading.Event:
    """Run the sender in a daemon thread of this process (e.g. from a gunicorn post_fork
    hook). Safe with several processes: each message is claimed by one sender. Returns an
    event; set it to stop the thread. Raises NotReady (in the caller) when sending is not
    allowed yet."""
    check_ready(app.config)
    stop = threading.Event()

    def run() -> None:
        with app.app_context():
            loop(interval, stop)

    threading.Thread(target=run, name="forum-mail-sender", daemon=True).start()
    return stop

"""Every e-mail goes through the outbox table.

A feature calls enqueue() inside the transaction of the event that causes the e-mail, so the
message exists exactly when the event does (a rolled-back reply leaves no e-mail behind).
`flask forum send-mail` (forum/notify/mailer.py) sends the rows later. The outbox is core:
accounts (address checks, password resets) and notify both write to it.
"""
from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from . import clock
from .dbutil import insert_ignoring_duplicates, string_enum
from .extensions import db
from .metrics import gauge_source


class OutboxStatus(str, enum.Enum):
    QUEUED = "queued"    # waiting (again, after a failed attempt: see next_attempt_at)
    SENDING = "sending"  # claimed by a sender; back to queued if the claim grows stale
    SENT = "sent"
    FAILED = "failed"    # gave up after MAX_ATTEMPTS


class OutboxEmail(db.Model):
    """One e-mail, added in the transaction of the event that caused it; sent later."""
    __tablename__ = "outbox_emails"
    __table_args__ = (Index("ix_outbox_emails_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict | None] = mapped_column(db.JSON(none_as_null=True))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Two events asking for the same message (a double submit, a retried job) add one row.
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(string_enum(OutboxStatus),
                                                 default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.now)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

_held: ContextVar[bool] = ContextVar("outbox_held", default=False)


@contextmanager
def held() -> Iterator[None]:
    """Queue nothing inside this block: the demo loader (`flask forum demo`) replays years of
    history, and its members' addresses are made up; their notifications are not mail."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def enqueue(to: str, subject: str, text: str, html: str | None = None, *,
            user_id: int | None = None, dedup_key: str | None = None,
            headers: dict[str, str] | None = None) -> bool:
    """Add one e-mail to the outbox in the caller's transaction; never commits, never sends.

    With a dedup_key that the outbox already holds nothing is added and False is returned
    (the unique constraint decides, so two concurrent callers add one row between them).
    `html` must already be safe HTML (built by a template with autoescaping). Inside
    `held()` nothing is added and False is returned.
    """
    if _held.get():
        return False
    now = clock.now()
    values = dict(to_address=to, subject=" ".join(subject.split())[:300], text_body=text,
                  html_body=html, headers=dict(headers) if headers else None, user_id=user_id,
                  dedup_key=dedup_key, status=OutboxStatus.QUEUED, attempts=0,
                  next_attempt_at=now, created_at=now)
    if dedup_key is None:
        db.session.add(OutboxEmail(**values))
        db.session.flush()
        return True
    return insert_ignoring_duplicates(OutboxEmail, **values)


def queued(to: str | None = None) -> list[OutboxEmail]:
    """Messages not yet sent (oldest first), for tests and the admin."""
    query = select(OutboxEmail).where(OutboxEmail.status != OutboxStatus.SENT)
    if to is not None:
        query = query.where(OutboxEmail.to_address == to)
    return list(db.session.scalars(query.order_by(OutboxEmail.id)))


@gauge_source("forum_outbox_depth", "E-mails in the outbox not yet sent or given up.")
def depth() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.status.in_([OutboxStatus.QUEUED, OutboxStatus.SENDING])))


@gauge_source("forum_outbox_oldest_age_seconds",
              "Age of the oldest e-mail waiting in the outbox (0 when none waits).")
def oldest_age() -> float:
    oldest = db.session.scalar(select(func.min(OutboxEmail.created_at)).where(
        OutboxEmail.status.in_([OutboxStatus.QUEUED, OutboxStatus.SENDING])))
    return 0.0 if oldest is None else max(0.0, (clock.now() - oldest).total_seconds())

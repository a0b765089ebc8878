"""Every e-mail goes through the outbox table.

A feature calls enqueue() inside the transaction of the event that causes the e-mail, so the
message exists exactly when the event does (a rolled-back reply leaves no e-mail behind).
`flask forum send-mail` (forum/notify/mailer.py) sends the rows later.
"""
from __future__ import annotations

from sqlalchemy import select

from .. import clock
from ..dbutil import insert_ignoring_duplicates
from ..extensions import db
from .models import OutboxEmail, OutboxStatus


def enqueue(to: str, subject: str, text: str, html: str | None = None, *,
            user_id: int | None = None, dedup_key: str | None = None,
            headers: dict[str, str] | None = None) -> bool:
    """Add one e-mail to the outbox in the caller's transaction; never commits, never sends.

    With a dedup_key that the outbox already holds nothing is added and False is returned
    (the unique constraint decides, so two concurrent callers add one row between them).
    `html` must already be safe HTML (built by a template with autoescaping).
    """
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

"""The outbox: enqueue adds a row in the caller's transaction, once per dedup key."""
from __future__ import annotations

from sqlalchemy import func, select

from forum.extensions import db
from forum.outbox import OutboxEmail, OutboxStatus, enqueue


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxEmail))


def test_enqueue_adds_a_queued_row_in_the_callers_transaction(ctx):
    assert enqueue("ann@example.gov", "Hello", "Plain text", "<p>HTML</p>",
                   headers={"X-Test": "1"}) is True
    row = db.session.scalars(select(OutboxEmail)).one()
    assert (row.to_address, row.subject, row.text_body, row.html_body) == (
        "ann@example.gov", "Hello", "Plain text", "<p>HTML</p>")
    assert row.status == OutboxStatus.QUEUED and row.attempts == 0 and row.headers == {"X-Test": "1"}
    db.session.rollback()  # never committed by enqueue: the caller's rollback removes it
    assert _count() == 0


def test_dedup_key_adds_one_row(ctx):
    assert enqueue("ann@example.gov", "Verify", "text", dedup_key="verify:1") is True
    assert enqueue("ann@example.gov", "Verify", "text", dedup_key="verify:1") is False
    assert enqueue("ann@example.gov", "Verify", "text", dedup_key="verify:2") is True
    assert _count() == 2
    row = db.session.scalars(select(OutboxEmail).where(OutboxEmail.dedup_key == "verify:2")).one()
    assert row.headers is None and row.html_body is None


def test_dedup_key_survives_commit(ctx):
    enqueue("ann@example.gov", "Verify", "text", dedup_key="verify:9")
    db.session.commit()
    assert enqueue("ann@example.gov", "Verify again", "text", dedup_key="verify:9") is False
    assert _count() == 1

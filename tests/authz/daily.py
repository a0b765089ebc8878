"""Authorization rows for the daily-use pages (issue 16): the home tabs and the member
directory (everyone; Unread for logged-in people), the outbox read in the browser
(development only; admins in good standing)."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum import outbox
from forum.outbox import OutboxEmail
from tests.authz import ACCOUNT, ADMINS, EVERYONE


def build(app, make, people, world) -> None:
    outbox.enqueue("someone@example.gov", "Hello", "Text", "<p>Text</p>")
    db.session.flush()
    world.extra["outbox_id"] = db.session.scalar(select(OutboxEmail.id))


ROWS = {
    ("admin.home", "GET"): (lambda w: "/admin", None, ADMINS),
    ("board.latest", "GET"): (lambda w: "/latest?page=2", None, EVERYONE),
    ("board.top", "GET"): (lambda w: "/top?period=month", None, EVERYONE),
    ("board.unread", "GET"): (lambda w: "/unread", None, ACCOUNT),
    ("accounts.members", "GET"): (lambda w: "/members?sort=posts&q=a", None, EVERYONE),
    ("notify.outbox", "GET"): (lambda w: "/admin/outbox", None, ADMINS),
    ("notify.outbox_message", "GET"): (lambda w: f"/admin/outbox/{w.extra['outbox_id']}",
                                       None, ADMINS),
}

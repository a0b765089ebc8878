from __future__ import annotations

from sqlalchemy import select

from ..dbutil import in_ids
from ..extensions import db
from .models import Attachment


def attachment(attachment_id: int) -> Attachment | None:
    return db.session.get(Attachment, attachment_id)


def for_posts(post_ids: list[int]) -> dict[int, list[Attachment]]:
    if not post_ids:
        return {}
    found: dict[int, list[Attachment]] = {}
    for row in db.session.scalars(select(Attachment).where(in_ids(Attachment.post_id, "ids"),
                                                           Attachment.removed_at.is_(None))
                                  .order_by(Attachment.id), {"ids": list(post_ids)}):
        found.setdefault(row.post_id, []).append(row)
    return found


def history(post_id: int) -> list[Attachment]:
    """Every file a post has had, removed ones included, oldest first."""
    return list(db.session.scalars(select(Attachment).where(Attachment.post_id == post_id)
                                   .order_by(Attachment.id)))

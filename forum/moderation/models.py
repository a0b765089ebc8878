from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..accounts.models import User
from ..extensions import db


class AuditLogIsAppendOnly(RuntimeError):
    pass


class ModerationAction(db.Model):
    """One moderation or admin action: who did what to which thing, why, and what changed.

    Append-only: the application never updates or deletes a row (enforced below).
    """
    __tablename__ = "moderation_actions"
    __table_args__ = (
        Index("ix_moderation_actions_created", "created_at"),
        Index("ix_moderation_actions_subject", "subject_user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    # The member the action concerns (a post's or topic's author), for their history.
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(String(500))
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    actor: Mapped[User] = relationship(foreign_keys=[actor_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_user_id])


class Report(db.Model):
    """A member's report of a post: once per member per post, open until a moderator acts."""
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("post_id", "reporter_id"),
                      Index("ix_reports_open", "resolved_at", "post_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(20))
    details: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(20))

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])


REPORT_REASONS = {"spam": "Spam", "abusive": "Abusive or harassing",
                  "off_topic": "Off topic", "other": "Something else"}


@event.listens_for(ModerationAction, "before_update")
@event.listens_for(ModerationAction, "before_delete")
def _refuse_change(mapper, connection, target) -> None:
    raise AuditLogIsAppendOnly("The moderation log cannot be changed.")

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..board.models import Topic
from ..dbutil import string_enum
from ..extensions import db


class Visibility(str, enum.Enum):
    ALWAYS = "always"
    AFTER_VOTE = "after_vote"
    AFTER_CLOSE = "after_close"


class Poll(db.Model):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), unique=True)
    question: Mapped[str] = mapped_column(String(300))
    multiple: Mapped[bool] = mapped_column(default=False)
    max_choices: Mapped[int] = mapped_column(default=1)
    closes_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # closed by a moderator before closes_at
    results_visibility: Mapped[Visibility] = mapped_column(
        string_enum(Visibility),
        default=Visibility.ALWAYS)
    voters_public: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    # Members who hold a ballot; kept by the services with the ballots.
    voter_count: Mapped[int] = mapped_column(default=0)

    options: Mapped[list[PollOption]] = relationship(order_by="PollOption.position",
                                                     back_populates="poll")
    topic: Mapped[Topic] = relationship()

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or clock.now()
        if self.closed_at is not None and self.closed_at <= now:
            return False
        return self.closes_at is None or self.closes_at > now

    @property
    def ends_at(self) -> datetime | None:
        """When it closed or will close."""
        return self.closed_at or self.closes_at


class PollOption(db.Model):
    __tablename__ = "poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))
    vote_count: Mapped[int] = mapped_column(default=0)

    poll: Mapped[Poll] = relationship(back_populates="options")


class PollBallot(db.Model):
    """A member's participation in a poll: one per member per poll, enforced by the database."""
    __tablename__ = "poll_ballots"
    __table_args__ = (UniqueConstraint("poll_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class PollVote(db.Model):
    """One chosen option on a ballot."""
    __tablename__ = "poll_votes"
    __table_args__ = (UniqueConstraint("poll_id", "user_id", "option_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("poll_ballots.id"), index=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"))
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_options.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class PostVote(db.Model):
    """A member marked a reply helpful."""
    __tablename__ = "post_votes"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

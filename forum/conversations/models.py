"""Private conversations: who is in them, their messages, blocks, reports, and every time an
admin opened one."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..accounts.models import User
from ..extensions import db


class Conversation(db.Model):
    __tablename__ = "conversations"
    audit_type = "conversation"  # its entries in the moderation log

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    message_count: Mapped[int] = mapped_column(default=0)
    last_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", use_alter=True, name="fk_conversations_last_message_id"))
    last_message_at: Mapped[datetime | None]

    started_by: Mapped[User] = relationship()


class Participant(db.Model):
    """A member in a conversation. Leaving keeps the row (left_at): they no longer see it or
    hear about it, and the others see that they left."""
    __tablename__ = "conversation_participants"
    __table_args__ = (UniqueConstraint("conversation_id", "user_id"),
                      Index("ix_conversation_participants_user", "user_id", "left_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    joined_at: Mapped[datetime] = mapped_column(default=clock.now)
    left_at: Mapped[datetime | None]
    # The newest message they have seen (unread = the conversation's last is newer).
    last_read_message_id: Mapped[int] = mapped_column(default=0)

    conversation: Mapped[Conversation] = relationship()
    user: Mapped[User] = relationship()


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation", "conversation_id", "id"),)
    audit_type = "message"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    author: Mapped[User] = relationship()
    conversation: Mapped[Conversation] = relationship(foreign_keys=[conversation_id])


class Block(db.Model):
    """`blocker` does not want `blocked` to contact them: no new conversation between them."""
    __tablename__ = "member_blocks"
    __table_args__ = (UniqueConstraint("blocker_id", "blocked_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    blocker_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    blocked_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    blocked: Mapped[User] = relationship(foreign_keys=[blocked_id])


class MessageReport(db.Model):
    """A participant reports one message: moderators see that message, and only it."""
    __tablename__ = "message_reports"
    __table_args__ = (UniqueConstraint("message_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    message: Mapped[Message] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])


class AdminAccess(db.Model):
    """An admin opened a conversation they are not in, with the reason they wrote. Shown to
    its participants; also an entry of the moderation log."""
    __tablename__ = "conversation_accesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    admin: Mapped[User] = relationship()

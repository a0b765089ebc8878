"""Read queries for conversations: a fixed number per page."""
from __future__ import annotations

from functools import cache

from sqlalchemy import Integer, bindparam, exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import User
from ..accounts.queries import PROFILE_VIEWER, profile_fact
from ..accounts.services import session_fact
from ..extensions import db
from .models import AdminAccess, Block, Conversation, Message, MessageReport, Participant

PER_PAGE = 30
MESSAGES_PER_PAGE = 50


def unread_count_query(user_id: int):
    return (select(func.count(Participant.id))
            .join(Conversation, Conversation.id == Participant.conversation_id)
            .where(Participant.user_id == user_id, Participant.left_at.is_(None),
                   Conversation.last_message_id > Participant.last_read_message_id)
            .scalar_subquery())


@session_fact("blocks_anyone")
def _blocks_anyone(user_id):
    """Loaded with the logged-in member: whether they block anyone at all. Most block no one,
    so a profile's Block button needs no statement (is_blocked)."""
    return exists().where(Block.blocker_id == user_id)


@session_fact("unread_conversations")
def _unread_with_the_member(user_id: int):
    """Counted with the logged-in member's own row: no query of its own on any page."""
    return unread_count_query(user_id)


def unread_count(user: User) -> int:
    return db.session.scalar(select(unread_count_query(user.id))) or 0


def conversations_of(user: User, page: int = 1) -> list[tuple[Conversation, Participant]]:
    """The member's conversations (not those they left), newest message first (one query,
    plus one for everyone's names)."""
    rows = db.session.execute(
        select(Conversation, Participant)
        .join(Participant, Participant.conversation_id == Conversation.id)
        .where(Participant.user_id == user.id, Participant.left_at.is_(None))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return [(c, p) for c, p in rows]


def participants(conversation_ids: list[int]) -> dict[int, list[Participant]]:
    found: dict[int, list[Participant]] = {cid: [] for cid in conversation_ids}
    if conversation_ids:
        for row in db.session.scalars(
                select(Participant).where(Participant.conversation_id.in_(conversation_ids))
                .order_by(Participant.id).options(joinedload(Participant.user))):
            found[row.conversation_id].append(row)
    return found


def conversation(conversation_id: int) -> Conversation | None:
    return db.session.get(Conversation, conversation_id)


def messages(conversation: Conversation, page: int) -> list[Message]:
    return list(db.session.scalars(
        select(Message).where(Message.conversation_id == conversation.id)
        .order_by(Message.id).limit(MESSAGES_PER_PAGE)
        .offset((page - 1) * MESSAGES_PER_PAGE).options(joinedload(Message.author))))


def accesses(conversation: Conversation) -> list[AdminAccess]:
    return list(db.session.scalars(
        select(AdminAccess).where(AdminAccess.conversation_id == conversation.id)
        .order_by(AdminAccess.id).options(joinedload(AdminAccess.admin))))


def message(message_id: int) -> Message | None:
    return db.session.scalar(select(Message).where(Message.id == message_id)
                             .options(joinedload(Message.conversation)))


def open_reports(limit: int = 100) -> list[MessageReport]:
    """Open reports, each with its one message (never the rest of the conversation)."""
    return list(db.session.scalars(
        select(MessageReport).where(MessageReport.resolved_at.is_(None))
        .order_by(MessageReport.created_at).limit(limit)
        .options(joinedload(MessageReport.message).joinedload(Message.author),
                 joinedload(MessageReport.reporter))))


def report(report_id: int) -> MessageReport | None:
    return db.session.get(MessageReport, report_id)


def blocked_by(user: User) -> list[Block]:
    return list(db.session.scalars(select(Block).where(Block.blocker_id == user.id)
                                   .options(joinedload(Block.blocked))))


def is_blocked(user: User, target: User) -> bool:
    return db.session.scalar(_blocked_statement(), {"blocker_id": user.id,
                                                    "blocked_id": target.id}) is not None


@profile_fact("viewer_blocks")
def _viewer_blocks(member_id):
    """Loaded with the member on their profile (accounts.queries.PROFILE_FACTS): whether
    the viewer blocks them, for the Block/Unblock button, with no statement of its own."""
    return exists().where(Block.blocker_id == PROFILE_VIEWER, Block.blocked_id == member_id)


@cache
def _blocked_statement():
    """is_blocked's statement, built once per process (~0.1 ms of a profile page)."""
    return select(Block.id).where(Block.blocker_id == bindparam("blocker_id", type_=Integer),
                                  Block.blocked_id == bindparam("blocked_id", type_=Integer))

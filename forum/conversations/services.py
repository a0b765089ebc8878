"""Private conversations: starting one (with members, or with a group one belongs to),
replying, reading, leaving, blocking, reporting a message, and an admin opening one with a
written reason. Each function is one unit of work for the caller to commit; the policy is
forum/permissions.py; e-mail goes through the notify outbox in the same transaction."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import and_, func, or_, select, update

from .. import clock, markup
from ..accounts.models import User
from ..board import services as board
from ..errors import Invalid, PermissionDenied
from ..extensions import db
from ..groups.models import Group, MemberState, Membership
from ..moderation.services import record
from ..notify import mail
from ..notify.models import EmailMode, NotifySettings
from ..outbox import enqueue
from ..permissions import can, require
from ..templating import in_zone_of
from ..urls import external_url
from .models import AdminAccess, Block, Conversation, Message, MessageReport, Participant

MAX_PARTICIPANTS = 50
# An admin's opening lasts this long; after it they write a reason again.
ADMIN_ACCESS = timedelta(hours=1)
NEW_MEMBER_DAYS = 7


def is_new_member(user: User) -> bool:
    """New members have a stricter limit on starting conversations (ratelimit
    "conversation_new")."""
    return not user.is_staff and user.created_at > clock.now() - timedelta(days=NEW_MEMBER_DAYS)


def participant(conversation: Conversation, user) -> Participant | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Participant).where(
        Participant.conversation_id == conversation.id, Participant.user_id == user.id))


def may_keep_draft(user, conversation_id: int | None) -> bool:
    """A draft of a reply in this conversation (its active participants who may reply), or
    of a new conversation (None: whoever may start one). Registered with the writing feature
    by forum/composition/wiring.py; nobody else's draft ever names the conversation."""
    if conversation_id is None:
        return can(user, "start_conversation")
    conversation = db.session.get(Conversation, conversation_id)
    return conversation is not None and can(user, "reply_conversation",
                                            participant(conversation, user))


def blocked_between(a: User, others: list[User]) -> list[User]:
    """Those of `others` who blocked `a`, or whom `a` blocked."""
    ids = [o.id for o in others]
    if not ids:
        return []
    rows = set(db.session.scalars(select(Block.blocker_id).where(
        Block.blocked_id == a.id, Block.blocker_id.in_(ids)))) | set(db.session.scalars(
            select(Block.blocked_id).where(Block.blocker_id == a.id, Block.blocked_id.in_(ids))))
    return [o for o in others if o.id in rows]


def start(actor: User, recipients: list[User], subject: str, body: str,
          group: Group | None = None) -> Conversation:
    """Start a conversation with these members and/or everyone in `group` (which the actor
    must belong to)."""
    require(actor, "start_conversation")
    subject = board.check_title(subject)
    body = board.check_body(body)
    people = {u.id: u for u in recipients if u.id != actor.id}
    if group is not None:
        if group.id not in _groups_of(actor):
            raise Invalid("You can only write to a group you are a member of.", "group")
        for user in db.session.scalars(
                select(User).join(Membership, Membership.user_id == User.id)
                .where(Membership.group_id == group.id,
                       Membership.state == MemberState.MEMBER, User.id != actor.id)):
            people.setdefault(user.id, user)
    if not people:
        raise Invalid("Name at least one member to write to.", "to")
    if len(people) + 1 > MAX_PARTICIPANTS:
        raise Invalid(f"A conversation can have at most {MAX_PARTICIPANTS} people.", "to")
    refused = blocked_between(actor, list(people.values()))
    if refused and group is None:
        raise Invalid("You cannot start a conversation with "
                      + ", ".join(u.display_name for u in refused) + ".", "to")
    for user in refused:  # writing to a group leaves out those who blocked you
        people.pop(user.id)
    if not people:
        raise Invalid("Nobody in that group can receive your message.", "group")
    now = clock.now()
    conversation = Conversation(subject=subject, started_by_id=actor.id, created_at=now)
    db.session.add(conversation)
    db.session.flush()
    for user in [actor, *people.values()]:
        db.session.add(Participant(conversation_id=conversation.id, user_id=user.id,
                                   joined_at=now))
    db.session.flush()
    _add_message(actor, conversation, body)
    return conversation


def _groups_of(user: User) -> set[int]:
    return set(db.session.scalars(select(Membership.group_id).where(
        Membership.user_id == user.id, Membership.state == MemberState.MEMBER)))


def reply(actor: User, conversation: Conversation, body: str) -> Message:
    require(actor, "reply_conversation", participant(conversation, actor))
    return _add_message(actor, conversation, board.check_body(body))


def _add_message(actor: User, conversation: Conversation, body: str) -> Message:
    message = Message(conversation_id=conversation.id, author_id=actor.id, body_source=body,
                      body_html=markup.render(body), created_at=clock.now())
    db.session.add(message)
    db.session.flush()
    db.session.execute(update(Conversation).where(Conversation.id == conversation.id).values(
        message_count=Conversation.message_count + 1, last_message_id=message.id,
        last_message_at=message.created_at))
    db.session.execute(update(Participant).where(
        Participant.conversation_id == conversation.id, Participant.user_id == actor.id)
        .values(last_read_message_id=message.id))
    db.session.refresh(conversation)
    _email_others(actor, conversation, message)
    return message


def _email_others(actor: User, conversation: Conversation, message: Message) -> None:
    """One e-mail per other participant who still takes part, has a confirmed address,
    wants e-mail for each notification, and has not blocked the author."""
    blockers = select(Block.blocker_id).where(Block.blocked_id == actor.id)
    rows = db.session.execute(
        select(User, NotifySettings.email_mode)
        .join(Participant, Participant.user_id == User.id)
        .outerjoin(NotifySettings, NotifySettings.user_id == User.id)
        .where(Participant.conversation_id == conversation.id, Participant.left_at.is_(None),
               User.id != actor.id, User.email_verified_at.is_not(None),
               User.id.not_in(blockers))).all()
    link = external_url("conversations.show", conversation_id=conversation.id,
                             _anchor=f"message-{message.id}")
    subject = f"{actor.display_name} wrote in “{conversation.subject}”"
    for user, mode in rows:
        if (mode or EmailMode.EACH) != EmailMode.EACH:
            continue
        context = dict(user=user, subject=subject, link=link, actor=actor,
                       text=mail.html_to_text(message.body_html), body_html=message.body_html,
                       at=message.created_at,
                       site_name=current_app.config["SITE_NAME"],
                       settings=external_url("notify.settings"),
                       unsubscribe=mail.unsubscribe_url(user.id))
        with in_zone_of(user):
            plain = render_template("conversations/email/message.txt", **context)
            html = render_template("conversations/email/message.html", **context)
        enqueue(user.email, subject, plain, html, user_id=user.id, dedup_key=f"message:{message.id}:{user.id}",
                headers=mail.list_headers(user.id))


def mark_read(user: User, conversation: Conversation) -> None:
    row = participant(conversation, user)
    if row is not None and conversation.last_message_id \
            and row.last_read_message_id < conversation.last_message_id:
        row.last_read_message_id = conversation.last_message_id
        db.session.flush()


def leave(actor: User, conversation: Conversation) -> None:
    row = participant(conversation, actor)
    if row is None or row.left_at is not None:
        raise PermissionDenied()
    row.left_at = clock.now()
    db.session.flush()


def block(actor: User, target: User) -> bool:
    require(actor, "block_member", target)
    exists = db.session.scalar(select(Block.id).where(Block.blocker_id == actor.id,
                                                      Block.blocked_id == target.id))
    if exists is None:
        db.session.add(Block(blocker_id=actor.id, blocked_id=target.id))
        db.session.flush()
    return exists is None


def unblock(actor: User, target: User) -> None:
    db.session.execute(Block.__table__.delete().where(Block.blocker_id == actor.id,
                                                      Block.blocked_id == target.id))


def report(actor: User, message: Message, reason: str) -> MessageReport:
    require(actor, "report_message", (participant(message.conversation, actor), message))
    reason = " ".join((reason or "").split())
    if not 2 <= len(reason) <= 500:
        raise Invalid("Say in a few words (up to 500 characters) what is wrong.", "reason")
    row = db.session.scalar(select(MessageReport).where(
        MessageReport.message_id == message.id, MessageReport.reporter_id == actor.id))
    if row is None:
        row = MessageReport(message_id=message.id, reporter_id=actor.id, reason=reason)
        db.session.add(row)
        db.session.flush()
    return row


def resolve_report(actor: User, report_row: MessageReport) -> None:
    require(actor, "handle_message_reports")
    report_row.resolved_at, report_row.resolved_by_id = clock.now(), actor.id
    record(actor, "resolve_message_report", report_row.message, reason=None,
           before={}, after={"report": report_row.id})


def open_as_admin(actor: User, conversation: Conversation, reason: str) -> AdminAccess:
    """An admin who is not in a conversation reads it only after writing why: the reason is
    kept, shown to its participants and written to the moderation log."""
    require(actor, "open_conversation", conversation)
    reason = " ".join((reason or "").split())
    if not 10 <= len(reason) <= 500:
        raise Invalid("Write the reason (10 to 500 characters). The conversation's "
                      "participants will see it.", "reason")
    access = AdminAccess(conversation_id=conversation.id, admin_id=actor.id, reason=reason,
                         created_at=clock.now())
    db.session.add(access)
    db.session.flush()
    record(actor, "open_conversation", conversation, reason=reason, before={}, after={})
    return access


def current_access(actor, conversation: Conversation) -> AdminAccess | None:
    """The admin's opening of this conversation still in force, if any."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_admin:
        return None
    return db.session.scalar(select(AdminAccess).where(
        AdminAccess.conversation_id == conversation.id, AdminAccess.admin_id == actor.id,
        AdminAccess.created_at > clock.now() - ADMIN_ACCESS)
        .order_by(AdminAccess.id.desc()).limit(1))


def may_read(actor, conversation: Conversation) -> bool:
    return can(actor, "view_conversation",
               (participant(conversation, actor), current_access(actor, conversation)))

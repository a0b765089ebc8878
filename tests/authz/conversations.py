"""Authorization rows for private conversations: the world's author and member talk; nobody
else reads it (moderators neither, "status 404": it does not exist for them); an admin is sent
to write a reason first; moderators see reported messages; anyone logged in blocks others."""
from __future__ import annotations

from forum.accounts.models import User
from forum.conversations import services as conversations
from forum.conversations.models import Message
from forum.extensions import db
from tests.authz import A, ACCOUNT, ADMINS, MODERATORS, ROLES

UNSEEN = "status 404"


def build(app, make, people, world) -> None:
    author = db.session.get(User, people["author"].id)
    member = db.session.get(User, people["member"].id)
    talk = conversations.start(author, [member], "Between us", "A private word.")
    first = talk.last_message_id
    report = conversations.report(member, db.session.get(Message, first), "Rude")
    world.extra.update(conversation_id=talk.id, message_id=first, report_id=report.id)


PARTICIPANTS = {role: UNSEEN for role in ROLES} | {"visitor": "login", "author": "ok",
                                                  "member": "ok"}
READERS = dict(PARTICIPANTS, admin="ok")  # the admin is sent to write a reason first
REPORTER = dict(PARTICIPANTS, author="deny")  # one's own message is not reported


def _talk(w) -> str:
    return f"/messages/{w.extra['conversation_id']}"


ROWS = {
    ("conversations.index", "GET"): (lambda w: "/messages", None, ACCOUNT),
    ("conversations.new", "GET"): (lambda w: "/messages/new", None, A),
    ("conversations.new", "POST"): (lambda w: "/messages/new", lambda w: {
        "to": "Nobody at all", "subject": "Hello", "body": "Hi", "group": "0"}, A),
    ("conversations.show", "GET"): (_talk, None, READERS),
    ("conversations.show", "POST"): (_talk, lambda w: {"body": "And another thing"},
                                     READERS),
    ("conversations.leave", "POST"): (lambda w: f"{_talk(w)}/leave", None, PARTICIPANTS),
    ("conversations.open_as_admin", "GET"): (lambda w: f"{_talk(w)}/open", None, ADMINS),
    ("conversations.open_as_admin", "POST"): (lambda w: f"{_talk(w)}/open", lambda w: {
        "reason": "A report about this conversation"}, ADMINS),
    ("conversations.report", "GET"): (
        lambda w: f"/messages/m/{w.extra['message_id']}/report", None, REPORTER),
    ("conversations.report", "POST"): (
        lambda w: f"/messages/m/{w.extra['message_id']}/report",
        lambda w: {"reason": "Spam"}, REPORTER),
    ("conversations.reports", "GET"): (lambda w: "/moderation/messages", None, MODERATORS),
    ("conversations.resolve", "POST"): (
        lambda w: f"/moderation/messages/{w.extra['report_id']}/resolve", None, MODERATORS),
    ("conversations.block", "POST"): (lambda w: "/u/{member}/block", None,
                                      dict(ACCOUNT, member="deny")),
    ("conversations.unblock", "POST"): (lambda w: "/u/{member}/unblock", None,
                                        dict(ACCOUNT, member="deny")),
}

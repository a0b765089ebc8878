"""Authorization rows for notifications: every logged-in person (suspended members too) has
their own notifications, follows and settings; a notification is only its member's to mark;
the e-mail unsubscribe link needs no log-in (its signed token is the authority)."""
from __future__ import annotations

from sqlalchemy import select

from forum.accounts.models import User
from forum.extensions import db
from forum.notify import mail
from forum.notify.models import Notification
from tests.authz import ACCOUNT, EVERYONE, ROLES


def build(app, make, people, world) -> None:
    # The author follows their own topic, so another member's reply notified them.
    world.extra["notification_id"] = db.session.scalar(
        select(Notification.id).where(Notification.user_id == people["author"].id))
    world.extra["token"] = mail.unsubscribe_token(
        db.session.get(User, people["author"].id).id)


# Only the member it belongs to may mark a notification read.
OWNER = {role: "deny" for role in ROLES} | {"visitor": "login", "author": "ok"}

ROWS = {
    ("notify.index", "GET"): (lambda w: "/notifications?page=2", None, ACCOUNT),
    ("notify.mark_read", "POST"): (
        lambda w: f"/notifications/{w.extra['notification_id']}/read", None, OWNER),
    ("notify.mark_all_read", "POST"): (lambda w: "/notifications/read", None, ACCOUNT),
    ("notify.follow_topic", "POST"): (lambda w: f"/t/{w.topic.id}/follow", None, ACCOUNT),
    ("notify.unfollow_topic", "POST"): (lambda w: f"/t/{w.topic.id}/unfollow", None, ACCOUNT),
    ("notify.follow_forum", "POST"): (lambda w: f"/f/{w.forum_slug}/follow", None, ACCOUNT),
    ("notify.unfollow_forum", "POST"): (lambda w: f"/f/{w.forum_slug}/unfollow", None,
                                        ACCOUNT),
    ("notify.mark_forum_read", "POST"): (lambda w: f"/f/{w.forum_slug}/mark-read", None,
                                         ACCOUNT),
    ("notify.mark_everything_read", "POST"): (lambda w: "/mark-all-read", None, ACCOUNT),
    ("notify.settings", "GET"): (lambda w: "/settings/notifications", None, ACCOUNT),
    ("notify.settings", "POST"): (lambda w: "/settings/notifications",
                                  lambda w: {"email_mode": "digest", "auto_subscribe": "y"},
                                  ACCOUNT),
    ("notify.unsubscribe", "GET"): (lambda w: f"/unsubscribe/{w.extra['token']}", None,
                                    EVERYONE),
    ("notify.unsubscribe", "POST"): (lambda w: f"/unsubscribe/{w.extra['token']}", None,
                                     EVERYONE),
}

"""Authorization rows for the approval queue, warnings and the forum admin pages (issue #6):
moderators decide on waiting posts; any logged-in person sees their own warnings; only admins
arrange categories and forums."""
from __future__ import annotations

from forum.accounts.models import User
from forum.board import services as board
from forum.board.models import Forum, Topic
from forum.extensions import db
from tests.authz import ACCOUNT, ADMINS, MODERATORS


def build(app, make, people, world) -> None:
    """A reply waiting for approval, and the matrix forum's category."""
    newcomer = make.user()
    enabled = app.config["APPROVAL_ENABLED"]
    app.config["APPROVAL_ENABLED"] = True
    try:
        waiting = board.post_reply(db.session.get(User, newcomer.id),
                                   db.session.get(Topic, world.topic.id), "Waiting for you")
    finally:
        app.config["APPROVAL_ENABLED"] = enabled
    assert waiting.awaiting_approval
    world.extra["waiting_id"] = waiting.id
    world.extra["category_id"] = db.session.get(Forum, world.topic.forum_id).category_id


def _forum(w) -> int:
    return w.topic.forum_id


ROWS = {
    ("moderation.approval_queue", "GET"): (lambda w: "/moderation/approval", None, MODERATORS),
    ("moderation.review", "GET"): (lambda w: "/moderation/review", None, MODERATORS),
    ("moderation.review", "POST"): (
        lambda w: "/moderation/review",
        lambda w: {"post": str(w.extra["waiting_id"]), "decision": "approve"}, MODERATORS),
    ("moderation.approval_decide", "POST"): (
        lambda w: f"/moderation/approval/{w.extra['waiting_id']}",
        lambda w: {f"post-{w.extra['waiting_id']}-decision": "approve"}, MODERATORS),
    ("moderation.warnings", "GET"): (lambda w: "/moderation/warnings", None, ACCOUNT),
    ("moderation.warnings_seen", "POST"): (lambda w: "/moderation/warnings/seen",
                                           lambda w: {"next": "/"}, ACCOUNT),
    ("admin.forums", "GET"): (lambda w: "/admin/forums", None, ADMINS),
    ("admin.new_forum", "GET"): (lambda w: "/admin/forums/new", None, ADMINS),
    ("admin.new_forum", "POST"): (lambda w: "/admin/forums/new", lambda w: {
        "category": w.extra["category_id"], "title": "A new forum", "description": ""}, ADMINS),
    ("admin.edit_forum", "GET"): (lambda w: f"/admin/forums/{_forum(w)}/edit", None, ADMINS),
    ("admin.edit_forum", "POST"): (lambda w: f"/admin/forums/{_forum(w)}/edit", lambda w: {
        "title": "Renamed forum", "description": "Described"}, ADMINS),
    ("admin.move_forum", "POST"): (lambda w: f"/admin/forums/{_forum(w)}/move",
                                   lambda w: {"direction": "down"}, ADMINS),
    ("admin.new_category", "GET"): (lambda w: "/admin/categories/new", None, ADMINS),
    ("admin.new_category", "POST"): (lambda w: "/admin/categories/new",
                                     lambda w: {"title": "A new category"}, ADMINS),
    ("admin.edit_category", "GET"): (
        lambda w: f"/admin/categories/{w.extra['category_id']}/edit", None, ADMINS),
    ("admin.edit_category", "POST"): (
        lambda w: f"/admin/categories/{w.extra['category_id']}/edit",
        lambda w: {"title": "Renamed category"}, ADMINS),
    ("admin.move_category", "POST"): (
        lambda w: f"/admin/categories/{w.extra['category_id']}/move",
        lambda w: {"direction": "up"}, ADMINS),
}

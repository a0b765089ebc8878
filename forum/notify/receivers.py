"""Following the other features' writes (forum/events.py), inside their transactions.
Connected in forum/composition/wiring.py."""
from __future__ import annotations

from ..board.models import Post
from . import services

# What a moderator did, in words for the member it concerns.
ACTIONS = {
    "pin": "pinned your topic", "unpin": "unpinned your topic",
    "lock": "locked your topic", "unlock": "unlocked your topic",
    "move": "moved your topic", "rename": "renamed your topic",
    "hide_topic": "hid your topic", "restore_topic": "restored your topic",
    "hide_post": "hid your post", "restore_post": "restored your post",
    "auto_hide_post": "Your post was hidden after several reports, until a moderator looks "
                      "at it",
    "dismiss_reports": "Reports about your post were dismissed",
    "set_role": "changed your role", "suspend": "suspended your account",
    "lift_suspension": "lifted your suspension",
    "warn": "warned you about your post",
}


def _moderation_text(entry) -> str:
    said = ACTIONS.get(entry.action, f"took an action ({entry.action.replace('_', ' ')})")
    text = said if said[0].isupper() else f"A moderator {said}"
    if entry.action == "set_role" and entry.after.get("role"):
        text += f" to {entry.after['role']}"
    if entry.reason:
        text += f". Reason: {entry.reason}"
    return text + ("" if text.endswith(".") else ".")


def post_created(post: Post, **_) -> None:
    services.auto_subscribe(post.author_id, post.topic_id)
    services.notify_about_post(post)


def post_shown(post: Post, hidden: bool, **_) -> None:
    services.targets_changed()  # a notification's link to it, on kept pages of them
    if not hidden:  # people not told while it was held back hear about it now (once)
        services.notify_about_post(post)


def post_edited(post: Post, **_) -> None:
    if post.is_opening:  # perhaps its topic's title, on kept pages of notifications
        services.targets_changed()


def answer_accepted(post: Post, **_) -> None:
    # The signal does not say who accepted it: the question's author, or a moderator for
    # them; either way the reply's author is told, unless they accepted their own reply.
    services.notify(post.author_id, "answer_accepted", actor_id=post.topic.author_id,
                    post_id=post.id)


def moderation_recorded(entry, **_) -> None:
    if entry.subject_user_id is None:
        return
    topic_id = post_id = None
    if entry.target_type == "topic":
        topic_id = entry.target_id
    elif entry.target_type == "post":
        post_id = entry.target_id
    services.notify(entry.subject_user_id, "moderation",
                    actor_id=None if entry.action == "auto_hide_post" else entry.actor_id,
                    topic_id=topic_id, post_id=post_id, text=_moderation_text(entry))


def reports_resolved(post: Post, actor, reporter_ids: list[int], text: str, **_) -> None:
    """Each member whose report a moderator closed is told what was done."""
    for user_id in reporter_ids:
        services.notify(user_id, "report_resolved", actor_id=actor.id, topic_id=post.topic_id,
                        post_id=post.id, text=text)

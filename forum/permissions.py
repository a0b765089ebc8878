"""The one place that answers "may this person do this (to that)?".

Each action is a small named predicate. Views call require(), services call require() or
can(), templates call can() (registered as a Jinja global), so a button shows exactly when the
action behind it is allowed. Tests walk the URL map against this policy.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import NotFound, PermissionDenied

Rule = Callable[[Any, Any], bool]
RULES: dict[str, Rule] = {}


def rule(action: str):
    def register(fn: Rule) -> Rule:
        RULES[action] = fn
        return fn
    return register


def _member(user) -> bool:
    """Logged in and able to take part (not suspended)."""
    return bool(getattr(user, "is_authenticated", False)) and not user.is_suspended


def _staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_staff


def _moderator(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_moderator


def _owns(user, obj) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and obj.author_id == user.id


@rule("view_topic")
def _view_topic(user, topic) -> bool:
    if topic.is_published:
        return True
    if topic.status.value in ("pending", "rejected") and _owns(user, topic):
        return True  # a new member's topic waiting for (or turned down at) approval
    return _moderator(user) or (_staff(user) and topic.status.value in ("draft", "scheduled"))


@rule("view_hidden_post")
def _view_hidden_post(user, post) -> bool:
    return _moderator(user) or _owns(user, post)


@rule("create_topic")
def _create_topic(user, forum) -> bool:
    return _member(user)


@rule("reply")
def _reply(user, topic) -> bool:
    if not _member(user) or not topic.is_published:
        return False
    return not topic.locked or _moderator(user)


@rule("edit_post")
def _edit_post(user, post) -> bool:
    if not _member(user):
        return False
    if _moderator(user):
        return True
    if _staff(user) and post.is_opening and post.topic.kind.value == "link":
        return True  # staff curate the link library together: any of them edits a link
    return _owns(user, post) and not post.is_hidden and not post.topic.locked


@rule("hide_post")
def _hide_post(user, post) -> bool:
    if not _member(user) or post.is_hidden:
        return False
    return _moderator(user) or _owns(user, post)


@rule("restore_post")
def _restore_post(user, post) -> bool:
    if not post.is_hidden or not _member(user) or post.awaiting_approval or post.is_rejected:
        return False  # posts waiting for approval are approved or rejected, not restored
    # Authors may undo their own hiding; only moderators undo a moderator's.
    return _moderator(user) or (_owns(user, post) and post.hidden_by_id == user.id)


@rule("view_revisions")
def _view_revisions(user, post) -> bool:
    return _view_topic(user, post.topic) and (not post.is_hidden
                                              or _view_hidden_post(user, post))


@rule("add_poll")
def _add_poll(user, topic) -> bool:
    if _member(user) and topic.status.value == "pending" and _owns(user, topic):
        return True  # a new member's topic with a poll, waiting for approval together
    return _member(user) and topic.is_published and (_owns(user, topic) or _moderator(user))


@rule("vote_poll")
def _vote_poll(user, poll) -> bool:
    return _member(user) and poll.is_open()


@rule("manage_poll")
def _manage_poll(user, poll) -> bool:
    """Close or reopen a poll."""
    return _moderator(user)


@rule("export_poll")
def _export_poll(user, poll) -> bool:
    return _staff(user)


@rule("view_poll_results")
def _view_poll_results(user, poll_and_voted) -> bool:
    """obj is (poll, whether this person has voted)."""
    from .polls.models import Visibility
    poll, voted = poll_and_voted
    if _staff(user) or not poll.is_open():
        return True
    if poll.results_visibility == Visibility.ALWAYS:
        return True
    return poll.results_visibility == Visibility.AFTER_VOTE and voted


@rule("vote_post")
def _vote_post(user, post) -> bool:
    """Mark a reply helpful: members, on other people's visible replies."""
    return (_member(user) and not _owns(user, post) and not post.is_hidden
            and not post.is_opening and post.topic.is_published)


@rule("manage_answer")
def _manage_answer(user, topic) -> bool:
    """Choose, change or remove a question's accepted answer."""
    return (_member(user) and topic.is_question and topic.is_published
            and (_owns(user, topic) or _moderator(user)))


@rule("accept_answer")
def _accept_answer(user, post) -> bool:
    return _manage_answer(user, post.topic) and not post.is_hidden and not post.is_opening


@rule("moderate_topic")
def _moderate_topic(user, topic) -> bool:
    """Pin, lock, move, rename, hide and restore topics."""
    return _moderator(user) and not user.is_suspended


@rule("report_post")
def _report_post(user, post) -> bool:
    return (_member(user) and not _owns(user, post) and not post.is_hidden
            and post.topic.is_published)


@rule("handle_reports")
def _handle_reports(user, obj=None) -> bool:
    return _moderator(user) and not user.is_suspended


@rule("approve_posts")
def _approve_posts(user, obj=None) -> bool:
    """Approve or reject posts waiting in the approval queue."""
    return _moderator(user) and not user.is_suspended


@rule("warn_member")
def _warn_member(user, target) -> bool:
    return _moderator(user) and not user.is_suspended and target.id != user.id


@rule("manage_forums")
def _manage_forums(user, obj=None) -> bool:
    """Create, rename, describe and reorder categories and forums."""
    return bool(getattr(user, "is_authenticated", False)) and user.is_admin


@rule("manage_government_domains")
def _manage_government_domains(user, obj=None) -> bool:
    """Say which e-mail domains earn the "Government staff" badge: admins in good standing."""
    return _member(user) and user.is_admin


@rule("set_role")
def _set_role(user, target) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_admin \
        and target.id != user.id


@rule("suspend_member")
def _suspend_member(user, target) -> bool:
    """Moderators suspend members and staff; only admins suspend moderators; never oneself,
    never an admin."""
    if not _moderator(user) or user.is_suspended or target.id == user.id or target.is_admin:
        return False
    return user.is_admin or not target.is_moderator


@rule("view_moderation_log")
def _view_moderation_log(user, obj=None) -> bool:
    return _moderator(user)


@rule("manage_links")
def _manage_links(user, link=None) -> bool:
    """Add and edit link library entries (and see which links are broken)."""
    return _member(user) and _staff(user)


@rule("edit_profile")
def _edit_profile(user, target) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and target.id == user.id


@rule("write_article")
def _write_article(user, obj=None) -> bool:
    """Start an article (staff, moderators, admins in good standing)."""
    return _member(user) and _staff(user)


@rule("edit_article")
def _edit_article(user, topic) -> bool:
    """Change an article and its details: its author while staff, or a moderator."""
    return _member(user) and _staff(user) and (_owns(user, topic) or _moderator(user))


@rule("edit_page")
def _edit_page(user, page=None) -> bool:
    """Write the site pages (About, Privacy policy...): admins only."""
    return _member(user) and bool(user.is_admin)


@rule("subscribe")
def _subscribe(user, topic_or_forum) -> bool:
    """Follow a topic (one the member can view) or a forum; suspended members may, too."""
    if not getattr(user, "is_authenticated", False):
        return False
    return not hasattr(topic_or_forum, "status") or _view_topic(user, topic_or_forum)


@rule("manage_notifications")
def _manage_notifications(user, target) -> bool:
    """A member's own notifications, subscriptions, read marks and e-mail settings."""
    return bool(getattr(user, "is_authenticated", False)) and target.id == user.id


@rule("read_notification")
def _read_notification(user, notification) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and notification.user_id == user.id


@rule("find_unpublished")
def _find_unpublished(user, status) -> bool:
    """Search results from topics with this (not public) status: as view_topic allows."""
    return _moderator(user) or (_staff(user) and status.value in ("draft", "scheduled"))


@rule("find_hidden_posts")
def _find_hidden_posts(user, obj=None) -> bool:
    """Hidden posts in search results: moderators only (authors see theirs on the page)."""
    return _moderator(user)


def can(user, action: str, obj: Any = None) -> bool:
    try:
        check = RULES[action]
    except KeyError:  # a typo must never grant anything
        raise LookupError(f"no permission rule named {action!r}") from None
    return bool(check(user, obj))


def require(user, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless allowed; hide unviewable things behind 404."""
    if can(user, action, obj):
        return
    if action == "view_topic":
        raise NotFound()
    raise PermissionDenied()

"""The one place that answers "may this person do this (to that)?".

Each action is a small named predicate. Views call require(), services call require() or
can(), templates call can() (registered as a Jinja global), so a button shows exactly when the
action behind it is allowed. Tests walk the URL map against this policy.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .errors import NotFound, PermissionDenied

Rule = Callable[[Any, Any], bool]
RULES: dict[str, Rule] = {}

# What a forum may grant to a group (forum/groups/ keeps the grants).
FORUM_ACTIONS = ("read", "reply", "start", "moderate")


@dataclass(frozen=True)
class ViewerScope:
    """Everything about a person that decides which forums they see and what they may do
    there beyond their role: their groups and, per forum, the actions those groups grant.

    Read by the rules below and by every query that lists or finds topics
    (`Topic.visible_to(scope)`), so a page never shows a row its viewer may not open. Two
    people with the same `key` see the same rows (a cache of a page or fragment that differs
    by viewer must include it; visitors all share "visitor")."""
    user_id: int | None = None
    group_ids: frozenset[int] = frozenset()
    owned: frozenset[int] = frozenset()  # groups they own (manage the members of)
    grants: dict[int, frozenset[str]] = field(default_factory=dict)
    all_forums: bool = False  # admins and site moderators read every forum

    @property
    def readable(self) -> frozenset[int]:
        """Forums limited to some groups that this person may read anyway."""
        return frozenset(forum_id for forum_id, cans in self.grants.items()
                         if "read" in cans or "moderate" in cans)

    @property
    def key(self) -> str:
        if self.user_id is None:
            return "visitor"
        groups = ",".join(str(g) for g in sorted(self.group_ids))
        return f"{'all' if self.all_forums else 'some'}:{groups}"


VISITOR = ViewerScope()
# forum/groups registers the loader (it owns memberships and grants); without it, a member is
# seen with no groups: restricted forums stay closed to them.
_scope_loader: Callable[[Any], ViewerScope] | None = None


def set_scope_loader(loader: Callable[[Any], ViewerScope]) -> None:
    global _scope_loader
    _scope_loader = loader


def viewer_scope(user) -> ViewerScope:
    """The person's scope, computed once per loaded member object (a request's worth)."""
    if not getattr(user, "is_authenticated", False):
        return VISITOR
    # current_user is a proxy: the loader must see the member object itself (it skips the
    # groups query for the logged-in member in no group), and the scope is kept on it.
    user = getattr(user, "_get_current_object", lambda: user)()
    cached = user.__dict__.get("_viewer_scope")
    if cached is None:
        base = ViewerScope(user_id=user.id, all_forums=user.is_moderator)
        cached = _scope_loader(user, base) if _scope_loader else base
        user.__dict__["_viewer_scope"] = cached
    return cached


def forget_scope(user) -> None:
    """After a change to someone's groups or a forum's grants, in this request."""
    if user is not None:
        user.__dict__.pop("_viewer_scope", None)


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


def _grants(user, forum) -> frozenset[str]:
    return viewer_scope(user).grants.get(forum.id, frozenset())


def _reads_forum(user, forum) -> bool:
    """Everyone reads a forum no group limits; otherwise its groups, admins and moderators."""
    if not forum.read_restricted:
        return True
    scope = viewer_scope(user)
    return scope.all_forums or forum.id in scope.readable


def _moderates(user, forum) -> bool:
    """Site moderators everywhere; a group's members in the forums the group moderates."""
    return _moderator(user) or (_member(user) and "moderate" in _grants(user, forum))


def _may_in_forum(user, forum, action: str) -> bool:
    """reply / start in a forum: members who read it, unless the forum limits the action to
    some groups (then theirs, or its moderators)."""
    if not _member(user) or not _reads_forum(user, forum):
        return False
    limited = forum.reply_restricted if action == "reply" else forum.start_restricted
    return not limited or action in _grants(user, forum) or _moderates(user, forum)


@rule("view_forum")
def _view_forum(user, forum) -> bool:
    return _reads_forum(user, forum)


@rule("moderate_forum")
def _moderate_forum(user, forum) -> bool:
    return _moderates(user, forum)


@rule("manage_groups")
def _manage_groups(user, obj=None) -> bool:
    """Create groups, add members directly, say which groups may do what in a forum."""
    return _member(user) and user.is_admin


@rule("manage_group")
def _manage_group(user, group) -> bool:
    """Invite, approve, remove members and name owners: the group's owners and admins."""
    return _member(user) and (user.is_admin or group.id in viewer_scope(user).owned)


@rule("request_group")
def _request_group(user, group) -> bool:
    """Ask to join a group that takes requests (and that one is not in yet)."""
    return (_member(user) and group.joining.value == "request"
            and group.id not in viewer_scope(user).group_ids)


@rule("view_group_members")
def _view_group_members(user, group) -> bool:
    if group.members_public:
        return True
    return _member(user) and (user.is_admin or group.id in viewer_scope(user).group_ids)


@rule("start_conversation")
def _start_conversation(user, obj=None) -> bool:
    return _member(user)


def _active_participant(user, participant) -> bool:
    return (participant is not None and bool(getattr(user, "is_authenticated", False))
            and participant.user_id == user.id and participant.left_at is None)


@rule("view_conversation")
def _view_conversation(user, participant_and_access) -> bool:
    """obj is (the person's participant row or None, an admin's opening in force or None).
    Its participants read a conversation; moderators do not; an admin only after writing a
    reason (open_conversation), which its participants see."""
    participant, access = participant_and_access
    if _active_participant(user, participant):
        return True
    return access is not None and bool(getattr(user, "is_admin", False)) \
        and access.admin_id == user.id


@rule("reply_conversation")
def _reply_conversation(user, participant) -> bool:
    return _member(user) and _active_participant(user, participant)


@rule("open_conversation")
def _open_conversation(user, conversation) -> bool:
    return _member(user) and user.is_admin


@rule("report_message")
def _report_message(user, participant_and_message) -> bool:
    participant, message = participant_and_message
    return (_member(user) and _active_participant(user, participant)
            and message.author_id != user.id)


@rule("handle_message_reports")
def _handle_message_reports(user, obj=None) -> bool:
    """See reported messages (each on its own, never its conversation) and close reports."""
    return _moderator(user) and not user.is_suspended


@rule("block_member")
def _block_member(user, target) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and target.id != user.id


@rule("view_topic")
def _view_topic(user, topic) -> bool:
    if not _reads_forum(user, topic.forum):
        return False
    if topic.is_published:
        return True
    if topic.status.value in ("pending", "rejected") and _owns(user, topic):
        return True  # a new member's topic waiting for (or turned down at) approval
    return _moderates(user, topic.forum) or (_staff(user)
                                             and topic.status.value in ("draft", "scheduled"))


@rule("view_hidden_post")
def _view_hidden_post(user, post) -> bool:
    return _owns(user, post) or _moderates(user, post.topic.forum)


@rule("create_topic")
def _create_topic(user, forum=None) -> bool:
    """Start a topic in this forum (without one: anywhere at all)."""
    return _member(user) if forum is None else _may_in_forum(user, forum, "start")


@rule("reply")
def _reply(user, topic) -> bool:
    if not topic.is_published or not _may_in_forum(user, topic.forum, "reply"):
        return False
    return not topic.locked or _moderates(user, topic.forum)


@rule("edit_post")
def _edit_post(user, post) -> bool:
    if not _member(user):
        return False
    if _moderates(user, post.topic.forum):
        return True
    if _staff(user) and post.is_opening and post.topic.kind.value == "link":
        return True  # staff curate the link library together: any of them edits a link
    return _owns(user, post) and not post.is_hidden and not post.topic.locked


@rule("hide_post")
def _hide_post(user, post) -> bool:
    if not _member(user) or post.is_hidden:
        return False
    return _owns(user, post) or _moderates(user, post.topic.forum)


@rule("restore_post")
def _restore_post(user, post) -> bool:
    if not post.is_hidden or not _member(user) or post.awaiting_approval or post.is_rejected:
        return False  # posts waiting for approval are approved or rejected, not restored
    # Authors may undo their own hiding; only moderators undo a moderator's.
    return (_owns(user, post) and post.hidden_by_id == user.id) \
        or _moderates(user, post.topic.forum)


@rule("view_revisions")
def _view_revisions(user, post) -> bool:
    return _view_topic(user, post.topic) and (not post.is_hidden
                                              or _view_hidden_post(user, post))


@rule("add_poll")
def _add_poll(user, topic) -> bool:
    if _member(user) and topic.status.value == "pending" and _owns(user, topic):
        return True  # a new member's topic with a poll, waiting for approval together
    return _member(user) and topic.is_published and (_owns(user, topic)
                                                     or _moderates(user, topic.forum))


@rule("vote_poll")
def _vote_poll(user, poll) -> bool:
    return _member(user) and poll.is_open()


@rule("manage_poll")
def _manage_poll(user, poll) -> bool:
    """Close or reopen a poll."""
    return _moderates(user, poll.topic.forum)


@rule("export_poll")
def _export_poll(user, poll) -> bool:
    return _staff(user)


@rule("view_poll_results")
def _view_poll_results(user, poll_and_voted) -> bool:
    """obj is (poll, whether this person has voted)."""
    poll, voted = poll_and_voted
    if _staff(user) or not poll.is_open():
        return True
    if poll.results_visibility.value == "always":
        return True
    return poll.results_visibility.value == "after_vote" and voted


@rule("vote_post")
def _vote_post(user, post) -> bool:
    """Mark a reply helpful: members, on other people's visible replies."""
    return (_member(user) and not _owns(user, post) and not post.is_hidden
            and not post.is_opening and post.topic.is_published
            and _reads_forum(user, post.topic.forum))


@rule("manage_answer")
def _manage_answer(user, topic) -> bool:
    """Choose, change or remove a question's accepted answer."""
    return (_member(user) and topic.is_question and topic.is_published
            and (_owns(user, topic) or _moderates(user, topic.forum)))


@rule("accept_answer")
def _accept_answer(user, post) -> bool:
    return _manage_answer(user, post.topic) and not post.is_hidden and not post.is_opening


@rule("moderate_topic")
def _moderate_topic(user, topic) -> bool:
    """Pin, lock, rename, hide and restore topics: in the forums one moderates."""
    return _moderates(user, topic.forum) and not user.is_suspended


@rule("move_topic")
def _move_topic(user, topic) -> bool:
    """Moving between forums (and so between who can read): site moderators only."""
    return _moderator(user) and not user.is_suspended


@rule("report_post")
def _report_post(user, post) -> bool:
    return (_member(user) and not _owns(user, post) and not post.is_hidden
            and post.topic.is_published and _reads_forum(user, post.topic.forum))


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


@rule("manage_security")
def _manage_security(user, obj=None) -> bool:
    """Require two-factor for staff roles, read everyone's security log: admins in good
    standing."""
    return _member(user) and user.is_admin


@rule("read_outbox")
def _read_outbox(user, obj=None) -> bool:
    """Read the e-mail outbox in the browser (development only: the view says 404 elsewhere)."""
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
    """Look after one's own account (password, address, sessions, two-factor): suspended
    members too, since none of it is shown to anyone else."""
    return bool(getattr(user, "is_authenticated", False)) and target.id == user.id


@rule("edit_public_profile")
def _edit_public_profile(user, target) -> bool:
    """Change what others see on one's profile (the bio): members in good standing."""
    return _member(user) and target.id == user.id


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
    if not hasattr(topic_or_forum, "status"):
        return _reads_forum(user, topic_or_forum)
    return _view_topic(user, topic_or_forum)


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


@rule("change_avatar")
def _change_avatar(user, target) -> bool:
    """One's own picture, shown to everyone: members in good standing."""
    return _member(user) and target.id == user.id


@rule("compose")
def _compose(user, obj=None) -> bool:
    """Use the composer's helpers (live preview, drafts, name suggestions, uploads): anyone
    who may write posts somewhere."""
    return _member(user)


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
    if action in ("view_topic", "view_forum", "view_conversation"):  # unseen: not there
        raise NotFound()
    raise PermissionDenied()


# --- Decided once per page ----------------------------------------------------------------

class PostAbilities(NamedTuple):
    """What one viewer may do with one post: the post rules above, asked once each."""
    view_hidden: bool = False
    vote: bool = False
    accept: bool = False
    edit: bool = False
    hide: bool = False
    restore: bool = False
    report: bool = False

    @property
    def any_action(self) -> bool:
        """Whether the post's list of actions (report, edit, hide, restore) shows at all."""
        return self.edit or self.hide or self.restore or self.report


class TopicAbilities:
    """One viewer's abilities on one topic page, asked of the rules once: the topic's
    (reply, moderate, add a poll, manage its answer) when made, the posts' when first asked
    for (`post(p)`). Views build it with the real user object, not the current_user proxy,
    and templates read attributes instead of calling can() some 150 times a page.
    `user_id` is the viewer's id (None for visitors), for "only you" notes.

    The post rules read, of a post, only its topic (this one) and the facts in
    `_post_facts`; so posts with the same facts get the same abilities, and a page of 25
    posts asks the seven rules two or three times, not 25 (issue 15). A rule that reads
    another attribute of a post must add it to `_post_facts`:
    tests/test_permissions_memo.py compares the shared answers with can() for posts in
    every state."""

    def __init__(self, user, topic) -> None:
        self.user, self.topic = user, topic
        self.user_id = user.id if getattr(user, "is_authenticated", False) else None
        self.reply = can(user, "reply", topic)
        self.moderate = can(user, "moderate_topic", topic)
        self.add_poll = can(user, "add_poll", topic)
        self.manage_answer = can(user, "manage_answer", topic)
        self._posts: dict[int, PostAbilities] = {}
        self._by_facts: dict[tuple, PostAbilities] = {}

    def _post_facts(self, post) -> tuple:
        """What the post rules read of a post besides its topic."""
        mine = self.user_id is not None
        return (post.topic_id, mine and post.author_id == self.user_id, post.is_hidden,
                mine and post.hidden_by_id == self.user_id, post.awaiting_approval,
                post.is_rejected, post.is_opening)

    def post(self, post) -> PostAbilities:
        found = self._posts.get(post.id)
        if found is None:
            facts = self._post_facts(post)
            found = self._by_facts.get(facts)
            if found is None:
                found = self._by_facts[facts] = self._ask(post)
            self._posts[post.id] = found
        return found

    def _ask(self, post) -> PostAbilities:
        user = self.user
        return PostAbilities(
            view_hidden=can(user, "view_hidden_post", post),
            vote=can(user, "vote_post", post),
            accept=can(user, "accept_answer", post),
            edit=can(user, "edit_post", post),
            hide=can(user, "hide_post", post),
            restore=can(user, "restore_post", post),
            report=can(user, "report_post", post))

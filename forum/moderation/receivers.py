"""Moderation following the board's writes (forum/events.py; connected in forum/composition/wiring.py)."""
from __future__ import annotations

from ..board.models import Post
from .services import record


def post_moderated(post: Post, actor, hidden: bool, reason: str | None = None,
                   **_: object) -> None:
    """Someone other than its author (a moderator) hid or restored a post through the board:
    one audit record, in the same transaction."""
    if hidden:
        record(actor, "hide_post", post, reason=reason, before={"hidden": False},
               after={"hidden": True})
    else:
        record(actor, "restore_post", post, reason=None, before={"hidden": True},
               after={"hidden": False})

"""What happened, for the features that follow it (search index, pings, notifications).

The board, polls and moderation services send these signals (blinker, which Flask already
uses) at the end of each write, inside the same transaction; a receiver adds its own rows to
that transaction, so the index, the pings and the outbox are never out of step with the
write. Receivers connect when their feature package is imported (create_app imports every
feature) and must not commit. Each signal's sender is the thing it names.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the new Post (position 1 for a new topic; its topic is post.topic).
post_created = _signals.signal("post-created")
# sender: the Post whose text (or, for an opening post, topic title) changed.
post_edited = _signals.signal("post-edited")
# sender: the Post just hidden or restored; keyword hidden=True/False.
post_visibility_changed = _signals.signal("post-visibility-changed")
# sender: the Topic; keyword change: "moved", "renamed", "hidden", "restored", "status",
# "pinned", "locked" (the Topic already holds its new state).
topic_changed = _signals.signal("topic-changed")
# sender: the Post chosen as its question's answer.
answer_accepted = _signals.signal("answer-accepted")
# sender: the ModerationAction just recorded (actor, action, target, subject_user_id, reason).
moderation_recorded = _signals.signal("moderation-recorded")

"""What happened, for the features that follow it (search index, pings, notifications).

The board, polls and moderation services send these signals (blinker, which Flask already
uses) at the end of each write, inside the same transaction; a receiver adds its own rows to
that transaction, so the index, the pings and the outbox are never out of step with the
write. Every receiver is connected in one place, forum/composition/wiring.py (create_app calls it), so
"what follows a reply?" is answered by reading one file. Receivers must not commit. Each
signal's sender is the thing it names.
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
# sender: a Post hidden or restored through the board by someone other than its author (a
# moderator), after post_visibility_changed; keywords actor, hidden, reason. Moderation logs it.
post_moderated = _signals.signal("post-moderated")
# sender: the Topic; keyword change: "moved", "renamed", "hidden", "restored", "status",
# "pinned", "locked" (the Topic already holds its new state).
topic_changed = _signals.signal("topic-changed")
# sender: the Post chosen as its question's answer.
answer_accepted = _signals.signal("answer-accepted")
# sender: the Topic whose poll, helpful marks or accepted answer changed (a vote, a poll
# added, closed or reopened, an answer no longer accepted).
votes_changed = _signals.signal("votes-changed")
# sender: the ModerationAction just recorded (actor, action, target, subject_user_id, reason).
moderation_recorded = _signals.signal("moderation-recorded")
# sender: the User whose address was just confirmed or changed (accounts.domains.refresh_badge
# runs at each of those moments); groups joined by e-mail domain follow it.
address_changed = _signals.signal("address-changed")
# sender: the User who just signed in through an identity provider (forum/accounts/oidc.py);
# keywords provider (its configured name) and groups (the values of its groups claim, [] when
# it sent none): groups mapped to those values follow them (forum/groups).
provider_signed_in = _signals.signal("provider-signed-in")
# sender: the member (a User) who pressed a form's Preview button; keywords key (the form's
# draft key, like "reply:12"), body and title: the writing feature keeps them as a draft.
draft_previewed = _signals.signal("draft-previewed")
# sender: the Post whose open reports a moderator closed; keywords actor, reporter_ids and
# text (what the reporters are told).
reports_resolved = _signals.signal("reports-resolved")

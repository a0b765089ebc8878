"""Who follows whom: every receiver of forum/events.py, connected in one place.

The services send the signals at the end of each write, inside its transaction; the receivers
listed here add their rows to that transaction (they never commit). Reading this table
answers "what else happens when a member posts a reply?". Features lower in the layers
(board, moderation) never import the features that follow them; this module, like the views,
may combine them all. create_app() calls connect(); connecting again changes nothing (blinker
keeps one connection per receiver). Receivers run in the order listed.
"""
from __future__ import annotations

from .. import events, pagecache
from ..conversations import services as conversations
from ..groups import queries as group_queries
from ..groups import receivers as groups
from ..moderation import receivers as moderation
from ..notify import receivers as notify
from ..permissions import set_scope_loader
from ..pings import services as pings
from ..search import index as search
from ..writing import services as writing

RECEIVERS = [
    # A post written (a new topic's opening post or a reply).
    (events.post_created, notify.post_created),      # follow the topic; tell mentioned/followers
    (events.post_created, pings.on_post),            # pings from its links
    (events.post_created, search.post_created),      # its search document
    (events.post_created, writing.on_post),          # quotes of other posts in it
    (events.post_created, writing.post_sent),        # its draft is done
    # A post's text (or an opening post's topic title) changed.
    (events.post_edited, notify.post_edited),        # a title on kept notification pages
    (events.post_edited, pings.on_post),
    (events.post_edited, search.post_edited),
    (events.post_edited, writing.on_post),
    # A post hidden or shown (by its author, a moderator, reports, or approval).
    (events.post_visibility_changed, notify.post_shown),    # held back, now shown: tell;
                                                            # links on notification pages
    (events.post_visibility_changed, pings.on_post),
    (events.post_visibility_changed, search.post_visibility_changed),
    (events.post_visibility_changed, writing.on_post),
    # ... by a moderator through the board (hide_post / restore_post of someone else's post).
    (events.post_moderated, moderation.post_moderated),  # the audit record
    # A topic moved, renamed, hidden, restored, published, pinned or locked.
    (events.topic_changed, pings.on_topic),
    (events.topic_changed, search.topic_changed),
    (events.topic_changed, writing.on_topic),
    # Polls, moderation, accounts.
    (events.answer_accepted, notify.answer_accepted),
    (events.moderation_recorded, notify.moderation_recorded),
    (events.reports_resolved, notify.reports_resolved),
    (events.address_changed, groups.address_changed),  # memberships by e-mail domain
    (events.provider_signed_in, groups.provider_signed_in),  # by provider group claims
    (events.draft_previewed, writing.draft_previewed),  # Preview keeps the text as a draft
    # The visitors' page cache drops the pages a write changed (after commit).
    (events.post_created, pagecache.post_changed),
    (events.post_edited, pagecache.post_changed),
    (events.post_visibility_changed, pagecache.post_changed),
    (events.answer_accepted, pagecache.post_changed),
    (events.topic_changed, pagecache.topic_changed),
    (events.votes_changed, pagecache.votes_changed),
    (events.moderation_recorded, pagecache.moderation_recorded),
]


def connect() -> None:
    for signal, receiver in RECEIVERS:
        signal.connect(receiver)
    # The permission policy (core) reads a viewer's groups through the groups feature.
    set_scope_loader(group_queries.load_scope)
    # Drafts of conversation messages: the writing feature asks conversations who may keep one.
    writing.DRAFT_CHECKS.update(message=conversations.may_keep_draft,
                                conversation=conversations.may_keep_draft)

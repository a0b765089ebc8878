"""A topic page's body: rendered once for each kind of viewer, each viewer's own parts added.

After the post list (board/postlist.py) and the reply form were kept, what was left of a
topic page's rendering was the body around them: the title and summary, the accepted
answer, the moderator tools, the sort links and paginations, the reply section. All of it
is the same for every viewer of one *kind* on one page of the topic (`viewer_kind`: a
visitor, or a member with the same abilities on it), so it is rendered with a marker for
each part that is a viewer's own (`<!--topic:...-->`: the view count, the poll, the posts
with the viewer's controls, the reply form, the other topics of the forum) and
kept in the page cache's store (forum/pagecache.py: Redis when REDIS_URL is set) under the
versions of `site` and `topic:<id>`, which every write that changes what it shows bumps (a
reply, an edit, a hide, a lock, an accepted answer, a rename: the receivers at the bottom
of pagecache.py). `fill` puts the viewer's parts in its markers.

A topic's poll is rendered for each viewer (their choice, their vote form and the
results they may see are theirs) and put in its marker. Not kept, rendered for the viewer
each time: a suspended member's body (it gives the date their suspension ends); the
follow button is in the body, the kind says which one. Relative dates ("3 hours
ago") and the last poster's name are at most POST_LIST_CACHE_SECONDS old, as in the list.

What the markers mark is never user text: titles and reasons are escaped (`<!--` shows as
`&lt;!--`) and post bodies are cleaned of comments (forum/markup.py), so a post cannot
put a marker in a page.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import current_app

from .. import pagecache
from ..permissions import can
from ..recent import Recent, app_recent
from ..templating import csrf_parts, csrf_pieces, without_csrf_token

MARKER = re.compile(r"<!--topic:(views|poll|posts|reply|suggested)-->")


def viewer_kind(user, topic, abilities, has_poll: bool,
                following: bool | None) -> str | None:
    """What a kept body depends on of its viewer ('visitor', or 'member:', their abilities
    on the topic and whether they follow it) and whether the topic has a poll (its marker,
    or a link to add one), or None when the body is this viewer's own (a suspended
    member's): rendered for them and not kept."""
    poll = "poll:" if has_poll else ""
    if not getattr(user, "is_authenticated", False):
        return poll + "visitor"
    if user.is_suspended:
        return None
    moves = abilities.moderate and can(user, "move_topic", topic)
    return poll + "member:" + "".join("1" if fact else "0" for fact in (
        abilities.reply, abilities.moderate, moves, abilities.add_poll, following))


# Pages whose body this process last found or kept, and in which window of the fragments
# (pagecache.fragment_window): (topic id, page, by_helpful) -> the window's key.
HINTS = 4096


def _hints() -> Recent[tuple[int, int, bool], str]:
    return app_recent(current_app, "forum.kept_bodies", HINTS)


def likely_kept(topic_id: int, page: int, by_helpful: bool,
                window: tuple[int, str] | None) -> bool:
    """Whether this page's body is likely kept: this process found or kept one for it in
    this window of the fragments. Then the page loads its topic without the summary's posts
    (board.queries.topic(..., summary=False)), which only a body rendered afresh needs,
    and loads them in one statement more if it is not kept after all (a write since); a
    page last seen in another window, or not in this process, loads them with the topic,
    so its first view costs no statement more than it did."""
    return window is not None and _hints().get((topic_id, page, by_helpful)) == window[1]


def seen(topic_id: int, page: int, by_helpful: bool, window: tuple[int, str] | None) -> None:
    """The page's body was found or kept in this window (likely_kept)."""
    if window is not None:
        _hints().put((topic_id, page, by_helpful), window[1])


def kept(topic, page: int, by_helpful: bool, kind: str) -> tuple[str, list[str]]:
    """The key and scopes of the body for this page and kind of viewer, for the page's
    look-up (pagecache.kept_fragments)."""
    return (f"topic-body:{topic.id}:{page}:{int(by_helpful)}:{kind}",
            [pagecache.SITE, f"topic:{topic.id}"])


def kept_body(fragment: pagecache.KeptFragment | None, render: Callable[[], str],
              member: bool) -> str:
    """The body: the kept copy of the page's look-up (`fragment`), or `render()`'s, kept
    now; rendered and not kept without a fragment (viewer_kind said None). A member's has
    their session's CSRF token in its follow button: kept marked, and `fill` puts the
    page's own in. (A visitor's has no form: asking for a token would give them a
    session.)"""
    if fragment is None:
        return render()
    if not member:
        return fragment.or_render(render)
    return fragment.or_render(lambda: without_csrf_token(render()))


SPLIT_KEPT = 256  # bodies each process keeps split (_split)


def _split(html: str) -> tuple:
    """The body split at its markers, and each piece between them at its CSRF token's
    marks: (parts, name, parts, name, ..., parts), each `parts` a templating.csrf_parts.
    Kept in the process for the next page with the same body (a kept body is the same
    text, found by identity): splitting it with a regular expression, and putting the
    token back with a replace, were ~2% of a member's topic page."""
    kept = app_recent(current_app, "forum.split_bodies", SPLIT_KEPT)
    found = kept.get(html)
    if found is None:
        split = MARKER.split(html)  # [html, name, html, name, ..., html]
        found = tuple(piece if at % 2 else csrf_parts(piece) for at, piece in enumerate(split))
        kept.put(html, found)
    return found


def fill(html: str, parts: dict[str, str | list[str]]) -> list[str]:
    """The pieces of the body with the viewer's `parts` ({marker name: HTML, or the pieces
    of it}) in its markers and the session's CSRF token in its marks, unjoined: the page
    joins them once (templating.render_around). What a part holds is never searched for
    markers."""
    split = _split(html)
    pieces = csrf_pieces(split[0])
    for at in range(1, len(split), 2):
        part = parts.get(split[at], "")
        if isinstance(part, list):
            pieces += part
        else:  # (HTML as text or Markup: joined as it is, not copied by str())
            pieces.append(part if isinstance(part, str) else str(part))
        pieces += csrf_pieces(split[at + 1])
    return pieces

"""A topic page's list of posts: rendered once for everyone, the viewer's controls added.

Most of a topic page's cost is its posts' HTML (author, badges, dates, body, edit notes,
helpful counts), and that part is the same for every visitor and member. So the list is
rendered with a marker where each viewer's own controls go (the helpful button, the answer
mark, report/edit/hide/restore: `post_item(..., fill=false)` in templates/macros/post.html)
and kept in the page cache's store (forum/pagecache.py: Redis when REDIS_URL is set) under
the versions of the scopes `site` and `topic:<id>`. Every write that changes what the list
shows bumps `topic:<id>` after it commits (a reply, edit, hide or restore, an approval, a
helpful vote, an accepted answer: the receivers at the bottom of pagecache.py), so a list
kept before the write is never served after it. Then `fill` renders the viewer's controls
(nothing at all for visitors) into the markers: once per distinct set of controls on the
page, for a stand-in post with stamped id, number and author, copied per post with its own
values (a member's page has two or three such sets, not twenty posts' worth of template),
and the rendered sets are kept in the process for the next member with the same ones; so
is the filled list, for the next member whose posts all get the same controls.

The facts of the list's posts (queries.PostFacts: state, position, helpful count, author)
are kept with it, as JSON before the HTML: they change only with what the list shows, and
a page whose list is kept reads them there instead of asking the database (`look_up`).

Only the list everyone sees is kept: a viewer who may see a hidden or unapproved post on
the page (a moderator, its author) gets the list rendered afresh for them. Relative dates
("3 hours ago") and author names are at most POST_LIST_CACHE_SECONDS old.

Without Redis the store is each worker's memory, and a write in one worker would not drop
another worker's copy: so the list is kept only with Redis, or when POST_LIST_CACHE_LOCAL
says there is one process (tests, `flask run`).
"""
from __future__ import annotations

import json
import re
from typing import NamedTuple

from flask import current_app, render_template
from markupsafe import Markup, escape

from .. import pagecache
from ..permissions import PostAbilities
from ..recent import app_recent
from ..templating import csrf_parts, csrf_pieces, without_csrf_token
from .queries import PostFacts

MARKER = re.compile(r"<!--viewer:(vote|answer|actions):(\d+)-->")
SLOT = re.compile(r"<!--slot:(vote|answer|actions):(\d+)-->")
EXTRAS = "<!--viewer:extras:0-->"
FACTS_END = "<!--/facts-->"  # ends the kept facts, before the kept HTML


class Stamp(NamedTuple):
    """The stand-in post the controls are rendered for: values no real post has, replaced
    by each post's own in the copies (ids are below 2**31; the author stamp holds control
    characters, which no escaped name does)."""
    id: int = 987654321987
    position: int = 987654322987
    author: str = "\x01author\x01"


STAMP = Stamp()


class Shape(NamedTuple):
    """One kind of control set: what the viewer may do with a post, and its state."""
    may: PostAbilities
    helpful: bool   # the viewer found it helpful
    accepted: bool  # it is the topic's answer
    quote: bool     # the viewer may quote it


class EveryonesView:
    """The abilities of a viewer who may see no hidden post and take no action: what the
    kept list is rendered with (controls are added per viewer afterwards)."""
    user_id = None
    _nothing = PostAbilities()

    def post(self, post) -> PostAbilities:
        return self._nothing


EVERYONE = EveryonesView()


def _needs_own_list(posts, abilities) -> bool:
    """Whether this viewer sees a post on the page differently from everyone else."""
    return any(abilities.post(p).view_hidden for p in posts
               if p.is_hidden or p.awaiting_approval or p.is_rejected)


def _render(posts, topic, abilities) -> str:
    return render_template("board/_post_list.html", posts=posts, topic=topic,
                           abilities=abilities)


def kept(topic, page: int, by_helpful: bool) -> tuple[str, list[str]]:
    """The key and scopes of the list everyone sees for this page, for the page's look-up
    (pagecache.kept_fragments); `look_up` reads what it found."""
    return (f"postlist:{topic.id}:{page}:{int(by_helpful)}",
            [pagecache.SITE, f"topic:{topic.id}"])


class KeptList(NamedTuple):
    """A kept list everyone sees and the facts of its posts, kept with it."""
    posts: list[PostFacts]
    html: str


def look_up(fragment: pagecache.KeptFragment, topic) -> KeptList | None:
    """The list in the page's look-up of `kept()`, or None when some viewer has not rendered
    it since the topic last changed (the page loads its Posts then, and keeps the list)."""
    if fragment.html is None:
        return None
    read = app_recent(current_app, "forum.read_lists", READ_KEPT)
    parts = read.get(fragment.html)
    if parts is None:
        head, found, html = fragment.html.partition(FACTS_END)
        try:
            parts = (json.loads(head), html) if found else None
        except ValueError:  # not what pack() wrote: render afresh
            parts = None
        read.put(fragment.html, parts)
    if parts is None:
        return None
    try:
        return KeptList([PostFacts.from_row(row, topic) for row in parts[0]], parts[1])
    except (ValueError, TypeError):
        return None


# Kept lists this process read last, split into their facts and their HTML: the store
# holds a large fragment as one text (pagecache.RedisStore), so a list read again is the
# same text, found here by identity without splitting or parsing it again, and its HTML the
# same text too, which `fill` keys its filled lists by (a string hashes once).
READ_KEPT = 32


def _pack(posts, topic, html: str) -> str:
    facts = [PostFacts.of(post, topic).as_row() for post in posts]
    return json.dumps(facts, separators=(",", ":")) + FACTS_END + html


CONTROLS_KEPT = 512  # sets of controls each process keeps (_controls)


def _controls(shapes: tuple[Shape, ...], topic_id: int,
              manage_answer: bool) -> dict[tuple[str, int], str]:
    """The stamped controls of each shape ({(kind, shape number): html}), the CSRF token
    marked: board/_post_controls.html rendered once per process for these shapes on this
    topic, and kept for the next member whose page has the same ones; what it shows depends
    on nothing else (its links are the app's paths for the stamps)."""
    kept = app_recent(current_app, "forum.post_controls", CONTROLS_KEPT)
    key = (shapes, topic_id, manage_answer)
    stamped = kept.get(key)
    if stamped is None:
        rendered = without_csrf_token(render_template(
            "board/_post_controls.html", shapes=list(shapes), topic_id=topic_id,
            manage_answer=manage_answer, stamp=STAMP))
        parts = SLOT.split(rendered)
        # parts: [before, kind, shape, html, kind, shape, html, ...]
        stamped = {(parts[i], int(parts[i + 1])): parts[i + 2].strip()
                   for i in range(1, len(parts) - 2, 3)}
        kept.put(key, stamped)
    return stamped


KINDS = ("vote", "answer", "actions")
STAMPED_ID, STAMPED_POSITION = str(STAMP.id), str(STAMP.position)


def fill(html: str, posts, topic, abilities, helpful, extras: str = "") -> list[str]:
    """The pieces of the list with this viewer's controls in its markers
    (board/_post_controls.html, at most one render for the page, none when `_controls`
    kept its shapes; nothing for visitors) and what follows the opening post, `extras`,
    already rendered by the page: unjoined, for the page to join once
    (templating.render_around). The filled list is kept in the process too, for the next
    visitor, and the next member whose page has the same list and the same controls on
    each post (FILLED_KEPT): most members, for whom no post there is their own or found
    helpful.

    The markers are put in by splitting the list at them and joining, not by a
    substitution calling back into Python per marker (0.4M of a topic page's 13.6M
    instructions, a visitor's too)."""
    filled = app_recent(current_app, "forum.filled_lists", FILLED_KEPT)
    if abilities.user_id is None:  # the markers taken out, once per process
        key = (html, str(extras))
        found = filled.get(key)
        if found is None:
            found = (MARKER.sub("", html).replace(EXTRAS, str(extras), 1),)
            filled.put(key, found)
        return list(found)
    shapes: dict[Shape, int] = {}
    numbers = []
    accepted, reply, may = topic.accepted_post_id, abilities.reply, abilities.post
    for post in posts:  # (a loop, not a generator: this runs for 25 posts on every page)
        shape = Shape(may(post), post.id in helpful, accepted == post.id,
                      reply and post.is_public)
        number = shapes.get(shape)
        if number is None:
            number = shapes[shape] = len(shapes)
        numbers.append(number)
    shape_of = tuple(numbers)
    # Most members see a page with the same controls on each post (none of it theirs, none
    # found helpful): the filled list is kept for them, the token marked.
    key = (html, tuple(shapes), shape_of, topic.id, abilities.manage_answer, str(extras))
    found = filled.get(key)
    if found is None:
        found = csrf_parts(_filled(posts, *key))
        filled.put(key, found)
    return csrf_pieces(found)


FILLED_KEPT = 32  # filled lists each process keeps (fill): ~130 KB each for a topic page


def _filled(posts, html: str, shapes: tuple[Shape, ...], shape_of: tuple[int, ...],
            topic_id: int, manage_answer: bool, extras: str) -> str:
    """The list with the controls of each post's shape (`shape_of`) in its markers, and
    `extras`; the CSRF token marked. A pure function of its arguments but `posts` (fill's
    key), whose ids, numbers and authors the list's HTML shows."""
    stamped = _controls(shapes, topic_id, manage_answer)
    slots: dict[tuple[str, str], str] = {}
    for post, shape in zip(posts, shape_of):
        post_id = str(post.id)
        for kind in KINDS:
            if control := stamped.get((kind, shape)):
                control = control.replace(STAMPED_ID, post_id).replace(
                    STAMPED_POSITION, str(post.position))
                if STAMP.author in control:
                    control = control.replace(STAMP.author, str(escape(post.author_name)))
                slots[kind, post_id] = control
    parts = MARKER.split(html)
    # parts: [html, kind, post id, html, kind, post id, ..., html]
    for at in range(1, len(parts), 3):
        parts[at] = slots.get((parts[at], parts[at + 1]), "")
        parts[at + 1] = ""
    return "".join(parts).replace(EXTRAS, extras, 1)


def post_list(topic, posts, abilities, helpful=(), extras: str = "") -> Markup:
    """A list of posts that is not a topic page's (a link's comments) as this viewer sees
    it, rendered each time."""
    return Markup("".join(post_list_pieces(topic, posts, abilities, helpful, extras)))


def post_list_pieces(topic, posts, abilities, helpful=(), extras: str = "",
                     kept: pagecache.KeptFragment | None = None,
                     listed: KeptList | None = None, load_posts=None) -> list[str]:
    """The page's list of posts as this viewer sees it, as pieces to join into the page
    once (templating.render_around). `kept`: the page's look-up of `kept()`, None for a
    list that is not a topic page's, rendered each time. `listed`: the list `look_up`
    found there; then `posts` are its facts, and `load_posts()` gives the Posts for a
    viewer who needs a list of their own (a moderator on a page with a hidden post: one
    more statement). Else `posts` are Posts."""
    if kept is None:
        html = _render(posts, topic, abilities)
    elif _needs_own_list(posts, abilities):
        html = _render(posts if listed is None else load_posts(), topic, abilities)
    elif listed is not None:
        html = listed.html
    else:
        html = _render(posts, topic, EVERYONE)
        kept.keep(_pack(posts, topic, html))
    return fill(html, posts, topic, abilities, helpful, extras)

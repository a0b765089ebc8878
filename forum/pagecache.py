"""Whole pages for visitors, shared by every app server and dropped when they change.

Most readers of a public forum are not logged in, and they all see the same page. For them a
page is rendered once and served from the cache, the way Discourse serves anonymous readers.
Only what is identical for every visitor is kept:

- a GET or HEAD with no session or remember-me cookie (so no flash message, no log-in, no
  form with a CSRF token for them);
- a 200 HTML or Atom response that sets no cookie and was not rate limited.

Anyone logged in always gets a fresh page, so members never see their own write missing.

**Where.** With REDIS_URL set, pages live in Redis, so every worker of every app server
serves (and drops) the same copy; otherwise in the worker's memory, bounded by
PAGE_CACHE_ENTRIES (least recently used dropped first). If Redis is away, pages are rendered
afresh. A topic page served from the cache still counts its view.

**Dropped when they change.** Each page depends on a few *scopes*, each with a version
number: a topic's pages and feed on `topic:<id>`; a forum's pages and feed on
`forum:<slug>`; every other page (index, listings, feeds, search, tags, profiles...) on
`lists`; and every page on `site`. A page is kept with the versions read when its request
began and served only while they are still current. Writes bump versions through the
receivers at the bottom of this module (connected in forum/composition/wiring.py; a reply, edit or hide: its
topic, its forum and `lists`; a vote: its topic; a move, rename, hide or publication of a
topic: `site`), collected in the write's session and bumped only after it commits, so no
page rendered before the commit can be kept under the new versions. PAGE_CACHE_SECONDS (0
turns the cache off) stays as a safety net for writes that send no event (forum admin, site
pages): such pages are at most that old.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import redis
from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from . import clock
from .extensions import db
from . import metrics, roundtrip
from .recent import Recent
from .redisconn import Trip, redis_client
from .urls import page_arg, page_count

CACHED_TYPES = ("text/html", "application/atom+xml")
# Pages that are personal or have effects even for a visitor: never kept.
PRIVATE_BLUEPRINTS = {"notify", "moderation", "admin", "ops", "ops_metrics"}
PRIVATE_ENDPOINTS = {"library.go"}
# Pages of one forum (the view argument `slug` names it).
FORUM_ENDPOINTS = {"board.forum", "feeds.forum"}
SITE = "site"
LISTS = "lists"
FRAGMENT = "fragment:"  # the start of a kept fragment's key (kept_fragment)
RidesAlong = roundtrip.RidesAlong
T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    body: bytes
    content_type: str
    expires: float
    viewed_topic: int | None
    versions: tuple[int, ...]
    view_counted: bool = False  # its look-up counted the view of viewed_topic (RedisStore)
    text: str | None = None  # the body decoded, when the store holds it so (RedisStore)


class MemoryStore:
    """This worker's pages and versions (no Redis): invalidation reaches this process only.
    Whole pages and kept fragments are bounded apart, PAGE_CACHE_ENTRIES each (least
    recently used dropped first), so fragments never push pages out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: OrderedDict[str, Entry] = OrderedDict()
        self._fragments: OrderedDict[str, Entry] = OrderedDict()
        self._versions: dict[str, int] = {}

    def _kept(self, key: str) -> OrderedDict[str, Entry]:
        return self._fragments if key.startswith(FRAGMENT) else self._pages

    def fetch(self, key: str, scopes: list[str], views_key: str | None = None
              ) -> tuple[Entry | None, tuple[int, ...]]:
        now = time.monotonic()
        kept = self._kept(key)
        with self._lock:
            versions = tuple(self._versions.get(scope, 0) for scope in scopes)
            entry = kept.get(key)
            if entry is not None and entry.expires > now and entry.versions == versions:
                kept.move_to_end(key)
                return entry, versions
        return None, versions

    def fetch_many(self, wanted: list[tuple[str, list[str]]], along: RidesAlong | None = None):
        """fetch() for each; `along` is not answered (its commands are for Redis)."""
        return [self.fetch(key, scopes) for key, scopes in wanted]

    def store(self, key: str, entry: Entry, seconds: int) -> None:
        kept = self._kept(key)
        with self._lock:
            kept[key] = entry
            kept.move_to_end(key)
            while len(kept) > current_app.config["PAGE_CACHE_ENTRIES"]:
                kept.popitem(last=False)

    def bump(self, scopes: set[str]) -> None:
        with self._lock:
            for scope in scopes:
                self._versions[scope] = self._versions.get(scope, 0) + 1

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._fragments.clear()

    def __len__(self) -> int:
        """Whole pages kept (kept fragments, pagecache.kept_fragment, are not counted)."""
        return len(self._pages)


# A page's look-up when it counts a topic's view or this worker holds a copy of the page
# (RedisStore.fetch). KEYS: the page, its scopes' versions, and with ARGV[2] == '1' the view
# counter's hash last. ARGV[1]: the head of the copy this worker holds ('' for none): while
# the page still starts with it, only the head is answered, not the page's tens of KB.
# With the hash: if the page is there, shows a topic ("topic" in its head) and was kept
# under the versions read, HINCRBY the hash and add its answer. One round trip where a
# visitor's kept topic page took two.
FETCH_PAGE = """
local last = #KEYS
if ARGV[2] == '1' then last = last - 1 end
local held = ARGV[1]
local raw = false
if #held > 0 and redis.call('GETRANGE', KEYS[1], 0, #held - 1) == held then
  raw = held
else
  raw = redis.call('GET', KEYS[1])
end
local found = {raw}
if last > 1 then
  local versions = redis.call('MGET', unpack(KEYS, 2, last))
  for i = 1, #versions do found[i + 1] = versions[i] end
end
if not raw or ARGV[2] ~= '1' then return found end
local meta = cjson.decode(string.sub(raw, 1, (string.find(raw, '\\n', 1, true) or 1) - 1))
if meta.topic == cjson.null or #meta.versions ~= #found - 1 then return found end
for i = 2, #found do
  if (tonumber(found[i]) or 0) ~= meta.versions[i - 1] then return found end
end
found[#found + 1] = redis.call('HINCRBY', KEYS[#KEYS], string.format('%d', meta.topic), 1)
return found
"""


# A fragment or page this large is also held in the worker's memory (RedisStore._held,
# _held_pages), at most this many fragments and this many pages.
HELD_SMALLEST = 4096
HELD_ENTRIES = 64
HELD_PAGES = 128
NAMES_KEPT = 4096  # keys' Redis names and stored heads each store keeps (RedisStore)


class RedisStore:
    """Pages and versions in Redis, shared by every worker of every app server. A lookup is
    one MGET (the page and its scopes' versions), or one script that also counts a kept
    topic page's view; a page expires with PAGE_CACHE_SECONDS.

    A large fragment (a topic page's posts, its body: tens of KB) is also *held* by the
    worker that fetched or stored it, with the head it was stored under in Redis (its
    versions and a nonce of its own). Its next look-up reads only that head back
    (GETRANGE, in the same round trip): the same head, and the held copy is the one in
    Redis, used without its bytes crossing the socket again or being decoded again; another
    (another worker kept a newer one) or none (expired), and it is fetched, or rendered.
    A visitor's large kept page is held the same way (apart, so pages never push out the
    members' fragments), and its look-up answers only its head while it is the same."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._fetch_page = client.register_script(FETCH_PAGE)
        self._held: Recent[str, tuple[bytes, Entry]] = Recent(HELD_ENTRIES)
        self._held_pages: Recent[str, tuple[bytes, Entry]] = Recent(HELD_PAGES)
        # What a key's Redis name and a stored head were worked out to (a SHA-256, a JSON
        # parse: a few us each, six or seven times a topic page), by the key and the head's
        # bytes: the same for every request that asks for them.
        self._names: Recent[str, str] = Recent(NAMES_KEPT)
        self._heads: Recent[bytes, tuple[tuple[int, ...], str, int | None]] = \
            Recent(NAMES_KEPT)

    def _page(self, key: str) -> str:
        found = self._names.get(key)
        if found is None:
            kind = "fragment" if key.startswith(FRAGMENT) else "page"
            found = f"{self.prefix}{kind}:{hashlib.sha256(key.encode()).hexdigest()}"
            self._names.put(key, found)
        return found

    def _version(self, scope: str) -> str:
        return f"{self.prefix}v:{scope}"

    def fetch(self, key: str, scopes: list[str], views_key: str | None = None
              ) -> tuple[Entry | None, tuple[int, ...]]:
        """The page kept under `key` if still current, and the versions read. With
        `views_key` (the view counter's hash), a current kept topic page's view is counted
        in the same round trip (the entry then says `view_counted`)."""
        page = self._page(key)
        held = self._held_pages.get(page)
        keys = [page] + [self._version(s) for s in scopes]
        if views_key is None and held is None:
            raw, *numbers = self.client.mget(keys)
        else:
            raw, *numbers = self._fetch_page(
                keys=keys + ([views_key] if views_key else []),
                args=[held[0] if held else b"", "1" if views_key else "0"])
        versions = tuple(int(n or 0) for n in numbers[:len(scopes)])
        if held is not None and raw == held[0]:  # the held copy is the one in Redis
            entry = held[1] if held[1].versions == versions else None
        else:
            if held is not None:  # replaced by another worker's, or gone
                self._held_pages.drop(page)
            entry, versions = self._entry(raw, versions)
            if entry is not None and len(entry.body) >= HELD_SMALLEST:
                self._held_pages.put(page, (raw[:len(raw) - len(entry.body)], entry))
        if entry is not None and len(numbers) > len(scopes):
            entry = replace(entry, view_counted=True)
        return entry, versions

    def fetch_many(self, wanted: list[tuple[str, list[str]]], along: RidesAlong | None = None):
        """fetch() for several keys in one MGET: the entries, then each scope's version
        once. `along`'s commands go in the same round trip (redisconn.Trip), and it is given
        their answers."""
        scopes = sorted({scope for _, needed in wanted for scope in needed})
        pages = [self._page(key) for key, _ in wanted]
        held = [self._held.get(page) for page in pages]
        fetched = [page for page, found in zip(pages, held) if found is None]
        checks = roundtrip.riders()  # what the request owes (a kept member's generation)
        trip = Trip(self.client)
        try:
            for check in checks:
                check.queue(trip)
            trip.mget(fetched + [self._version(s) for s in scopes])
            for page, found in zip(pages, held):
                if found is not None:  # only its head: is it still the one in Redis?
                    trip.getrange(page, 0, len(found[0]) - 1)
            if along is not None:
                along.queue(trip)
            answers = trip.execute()
        except redis.RedisError:
            roundtrip.unanswered(checks)
            raise
        raw, *answers = roundtrip.answered(checks, answers)
        heads, answers = answers[:len(pages) - len(fetched)], answers[len(pages) - len(fetched):]
        if along is not None:
            along.answered(answers)
        version = dict(zip(scopes, (int(n or 0) for n in raw[len(fetched):])))
        found_raw, found_heads = iter(raw[:len(fetched)]), iter(heads)
        results, again = [], []
        for page, found, (_, needed) in zip(pages, held, wanted):
            versions = tuple(version[scope] for scope in needed)
            if found is None:
                results.append(self._entry(next(found_raw), versions, page))
            elif next(found_heads) == found[0]:
                entry = found[1]
                results.append((entry if entry.versions == versions else None, versions))
            else:  # replaced by another worker's, or gone: fetched again below
                self._held.drop(page)
                again.append(len(results))
                results.append((None, versions))
        if again:  # (once a worker after each change another worker kept first)
            for at, fetched_again in zip(again, self.client.mget([pages[i] for i in again])):
                results[at] = self._entry(fetched_again, results[at][1], pages[at])
        return results

    def _entry(self, raw: bytes | None, versions: tuple[int, ...], page: str | None = None):
        """The entry stored as `raw` if kept under `versions`; one fetched for a fragment's
        `page` key is held if large."""
        if raw is None:
            return None, versions
        head, _, body = raw.partition(b"\n")
        meta = self._heads.get(head)
        if meta is None:
            parsed = json.loads(head)
            meta = (tuple(parsed["versions"]), parsed["type"], parsed["topic"])
            self._heads.put(head, meta)
        if meta[0] != versions:
            return None, versions
        entry = Entry(body, meta[1], 0.0, meta[2], versions)
        if page is not None and len(body) >= HELD_SMALLEST:
            entry = replace(entry, text=body.decode())
            self._held.put(page, (head + b"\n", entry))
        return entry, versions

    def store(self, key: str, entry: Entry, seconds: int) -> None:
        head = json.dumps({"type": entry.content_type, "topic": entry.viewed_topic,
                           "versions": list(entry.versions),
                           "n": os.urandom(6).hex()}).encode() + b"\n"
        page = self._page(key)
        self.client.set(page, head + entry.body, ex=max(1, seconds))
        if len(entry.body) < HELD_SMALLEST:
            return
        if key.startswith(FRAGMENT):
            self._held.put(page, (head, replace(entry, text=entry.text or entry.body.decode())))
        else:
            self._held_pages.put(page, (head, entry))

    def bump(self, scopes: set[str]) -> None:
        with self.client.pipeline(transaction=False) as pipe:
            for scope in sorted(scopes):
                pipe.incr(self._version(scope))
            pipe.execute()

    def clear(self) -> None:
        self._held.clear()
        self._held_pages.clear()
        for key in self.client.scan_iter(f"{self.prefix}*", count=500):
            self.client.delete(key)

    def __len__(self) -> int:
        return sum(1 for _ in self.client.scan_iter(f"{self.prefix}page:*", count=500))


def store(app: Flask | None = None) -> MemoryStore | RedisStore:
    return (app or current_app).extensions["forum.pagecache"]


def _scopes() -> list[str]:
    """The scopes the page of this request depends on."""
    args = request.view_args or {}
    if "topic_id" in args:
        return [SITE, f"topic:{args['topic_id']}"]
    if request.endpoint in FORUM_ENDPOINTS and "slug" in args:
        return [SITE, f"forum:{args['slug']}"]
    return [SITE, LISTS]


class PageCache:
    def init_app(self, app: Flask) -> None:
        app.config.setdefault("PAGE_CACHE_SECONDS", 0)
        app.config.setdefault("PAGE_CACHE_ENTRIES", 500)
        app.config.setdefault("PAGE_CACHE_PREFIX", "forum:pagecache:")
        client = redis_client(app)
        app.extensions["forum.pagecache"] = (
            RedisStore(client, app.config["PAGE_CACHE_PREFIX"]) if client is not None
            else MemoryStore())
        app.before_request(self._serve)
        app.after_request(self._keep)

    @staticmethod
    def _key() -> str | None:
        """The page's key, or None when this request must be answered afresh."""
        config = current_app.config
        if not config["PAGE_CACHE_SECONDS"] or request.method not in ("GET", "HEAD"):
            return None
        cookies = request.cookies
        if config["SESSION_COOKIE_NAME"] in cookies or \
                config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
            return None
        endpoint = request.endpoint
        if endpoint in (None, "static") or endpoint.partition(".")[0] in PRIVATE_BLUEPRINTS \
                or endpoint in PRIVATE_ENDPOINTS:
            return None
        return f"{request.host}{request.full_path}"

    def _serve(self) -> Response | None:
        key = self._key()
        g.page_cache_key = key
        if key is None:
            return None
        views = current_app.extensions["forum.views"]
        # a topic's page counts its view in the look-up's round trip (FETCH_COUNTING_VIEW)
        views_key = views.shared_key() if "topic_id" in (request.view_args or {}) else None
        try:
            entry, g.page_cache_versions = store().fetch(key, _scopes(), views_key)
        except redis.RedisError:
            current_app.logger.warning("Page cache (Redis) unavailable; rendering afresh.")
            g.page_cache_key = None
            return None
        metrics.page_cache_result(entry is not None)
        if entry is None:
            g.page_cache_hit = False
            return None
        if entry.viewed_topic is not None:  # a kept copy of a topic's page still counts
            if entry.view_counted:
                views.counted(entry.viewed_topic)
            else:
                views.record(entry.viewed_topic)
        g.page_cache_hit = True
        response = Response(entry.body, content_type=entry.content_type)
        response.headers["X-Page-Cache"] = "hit"
        return response

    def _keep(self, response: Response) -> Response:
        key = g.get("page_cache_key")
        if key is None:
            return response
        response.vary.add("Cookie")
        if g.get("page_cache_hit"):
            return response
        if (response.status_code != 200 or response.direct_passthrough
                or response.mimetype not in CACHED_TYPES or "Set-Cookie" in response.headers
                or session.modified or session  # a cookie will be set: this page is theirs
                or g.get("rate_limited") or request.method != "GET"):
            return response
        seconds = current_app.config["PAGE_CACHE_SECONDS"]
        entry = Entry(response.get_data(), response.content_type, time.monotonic() + seconds,
                      g.get("viewed_topic"), g.page_cache_versions)
        try:
            store().store(key, entry, seconds)
        except redis.RedisError:
            current_app.logger.warning("Page cache (Redis) unavailable; page not kept.")
            return response
        response.headers["X-Page-Cache"] = "miss"
        return response


page_cache = PageCache()


# --- Fragments: the parts of members' pages that many viewers share ------------------------

def fragments_enabled() -> bool:
    """Whether page fragments are kept: POST_LIST_CACHE_SECONDS set, and a store every
    process shares (Redis) or only one process serving (POST_LIST_CACHE_LOCAL): without
    Redis a write in one worker would not drop another worker's copy."""
    config = current_app.config
    if not config.get("POST_LIST_CACHE_SECONDS"):
        return False
    return isinstance(store(), RedisStore) or bool(config.get("POST_LIST_CACHE_LOCAL"))


def _viewer_zone_name() -> str:
    viewer = current_user._get_current_object()
    try:
        return (viewer.time_zone or "UTC") if viewer.is_authenticated else "UTC"
    except AttributeError:
        return "UTC"


def ids_text(ids: set[int]) -> str:
    """A set of ids as a kept fragment holds it (KeptFragment.or_find_ids)."""
    return ",".join(str(found) for found in sorted(ids))


def text_ids(text: str) -> set[int]:
    return {int(found) for found in text.split(",") if found}


def fragment_window() -> tuple[int, str] | None:
    """(POST_LIST_CACHE_SECONDS, what ends a fragment's key) for this request, or None when
    fragments are off. What a list shows also depends on the time (a scheduled topic is
    listed once it is due, before any job marks it published): a copy serves only within
    its window of POST_LIST_CACHE_SECONDS on the forum's clock (which tests move). Times are
    shown in the viewer's zone: a copy serves only viewers of the same zone. Found once for
    all the fragments a page looks up (kept_fragments)."""
    if not fragments_enabled():
        return None
    seconds = current_app.config["POST_LIST_CACHE_SECONDS"]
    return seconds, f"{_viewer_zone_name()}:{int(clock.now().timestamp()) // seconds}"


class KeptFragment:
    """A shared piece of HTML looked up before it is needed: `html` is the kept copy (None
    when there is none, fragments are off or the store is away), and `keep(html)` stores a
    fresh render under the versions read at the look-up. A page can so decide what to load
    by whether the copy is there (the topic page loads only its posts' facts then).
    `window`: fragment_window()'s answer, when the caller found it already."""

    def __init__(self, key: str, scopes: list[str], look_up: bool = True,
                 window: tuple[int, str] | None | bool = True) -> None:
        self.html: str | None = None
        self._key: str | None = None
        self._full_key: str | None = None
        self._scopes = scopes
        self._versions: tuple[int, ...] = ()
        if window is True:
            window = fragment_window()
        if window is None:
            return
        self._seconds, suffix = window
        self._full_key = f"{FRAGMENT}{key}:{suffix}"
        if look_up:
            _look_up([self])

    def _found(self, entry: Entry | None, versions: tuple[int, ...]) -> None:
        self._key, self._versions = self._full_key, versions
        if entry is not None:
            self.html = entry.text if entry.text is not None else entry.body.decode()

    def or_render(self, render: Callable[[], str]) -> str:
        """The kept copy, or `render()` kept now."""
        return self.html if self.html is not None else self.keep(render())

    def or_find(self, find: Callable[[], T], dump: Callable[[T], str],
                load: Callable[[str], T]) -> T:
        """An answer kept as text rather than HTML (a member's own small facts beside a
        shared fragment): `load(copy)`, or `find()`'s answer, kept now as `dump(answer)`."""
        if self.html is not None:
            return load(self.html)
        found = find()
        self.keep(dump(found))
        return found

    def or_find_ids(self, find: Callable[[], set[int]]) -> set[int]:
        """or_find for a set of ids."""
        return self.or_find(find, ids_text, text_ids)

    def keep(self, html: str) -> str:
        """Store a render made after the look-up (versions read before it, so a write that
        committed meanwhile leaves the copy stale at once); returns it."""
        if self._key is not None:
            try:
                store().store(self._key, Entry(html.encode(), "text/html",
                                               time.monotonic() + self._seconds, None,
                                               self._versions, text=html), self._seconds)
            except redis.RedisError:
                pass
        return html


def _look_up(fragments: list[KeptFragment], along: RidesAlong | None = None) -> None:
    wanted = [fragment for fragment in fragments if fragment._full_key is not None]
    if not wanted:
        return
    try:
        found = store().fetch_many([(f._full_key, f._scopes) for f in wanted], along)
    except redis.RedisError:
        current_app.logger.warning("Fragment cache (Redis) unavailable; rendering afresh.")
        return
    for fragment, (entry, versions) in zip(wanted, found):
        fragment._found(entry, versions)


def kept_fragments(wanted: dict[str, tuple[str, list[str]]],
                   along: RidesAlong | None = None,
                   window: tuple[int, str] | None | bool = True) -> dict[str, KeptFragment]:
    """Several fragments a page needs ({name: (key, scopes)}), looked up in one round trip
    to the store (one MGET with Redis; a topic page had four), with `along`'s commands.
    `window`: fragment_window()'s answer, when the caller found it already."""
    if window is True:
        window = fragment_window()
    fragments = {name: KeptFragment(key, scopes, look_up=False, window=window)
                 for name, (key, scopes) in wanted.items()}
    _look_up(list(fragments.values()), along)
    return fragments


def kept_fragment(key: str, scopes: list[str], render: Callable[[], str]) -> str:
    """A piece of HTML that many viewers of a page share (members included; the caller's key
    says which viewers), kept in this module's store under the versions of `scopes` and for
    at most POST_LIST_CACHE_SECONDS (what no event drops, and relative dates, are at most that
    old). Rendered afresh when fragments are off or the store is away."""
    return KeptFragment(key, scopes).or_render(render)


def kept_listing(count_key: str, scopes: list[str], count: Callable[[], int], per_page: int,
                 page_key: Callable[[int], str],
                 render: Callable[[int, int, int], str]) -> tuple[int, int, int, str]:
    """A paged listing that many viewers share (the articles, the library): its count and
    the HTML of the page asked for (?page=N), both kept as fragments are, and looked up in
    one round trip (one MGET with Redis, where it was one each). Counting 2,000 articles or
    1,000 links took 4 ms of the database on every request of their pages (issue 15).
    `page_key(page)`: the page's key; `render(total, page, pages)`: its HTML. Returns
    (total, page, pages, html); a page asked for beyond the last is looked up again as the
    last."""
    asked = page_arg()
    kept = kept_fragments({"count": (f"number:{count_key}", scopes),
                           "page": (page_key(asked), scopes)})
    total = int(kept["count"].or_render(lambda: str(count())))
    pages = page_count(total, per_page)
    page = page_arg(pages)
    fragment = kept["page"] if page == asked else KeptFragment(page_key(page), scopes)
    return total, page, pages, fragment.or_render(lambda: render(total, page, pages))


# --- Invalidation: what each write changes --------------------------------------------------

def changed(*scopes: str) -> None:
    """Pages of these scopes change when the write's session commits (`_after_commit`)."""
    db.session.info.setdefault("page_scopes", set()).update(scopes)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    scopes = session.info.pop("page_scopes", None)
    if not scopes or not has_app_context() or "forum.pagecache" not in current_app.extensions:
        return
    try:
        store().bump(scopes)
    except redis.RedisError:
        current_app.logger.warning("Page cache (Redis) unavailable; visitors may see pages "
                                   "up to PAGE_CACHE_SECONDS old.")


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("page_scopes", None)


def _topic_scopes(topic) -> tuple[str, ...]:
    """A topic's own pages, its forum's pages and the listings."""
    return f"topic:{topic.id}", f"forum:{topic.forum.slug}", LISTS


# Receivers of forum/events.py, connected in forum/composition/wiring.py.
def post_changed(post, **extra) -> None:
    changed(*_topic_scopes(post.topic))


def topic_changed(topic, change=None, **extra) -> None:
    if change == "locked":
        changed(*_topic_scopes(topic))
    else:  # moved (two forums), renamed or hidden (pings and links elsewhere), pinned
        changed(SITE)  # (perhaps everywhere), published: every page


def votes_changed(topic, **extra) -> None:
    changed(f"topic:{topic.id}")


def moderation_recorded(entry, **extra) -> None:
    changed(LISTS)  # a member's profile (warned, suspended)

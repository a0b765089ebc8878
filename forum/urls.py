"""URL helpers for views and templates (template globals: topic_url, post_url, permalink):
canonical topic and post links, safe "return to" targets, page numbers, absolute links.
Templates use these rather than building links with url_for by hand."""
from __future__ import annotations

import re
from types import SimpleNamespace
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from flask import current_app, has_request_context, request, url_for
from werkzeug.routing import BuildError


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths may be returned to after logging in: no open redirects."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` things fill at `per_page` a page (at least one, even empty)."""
    return max(1, -(-total // per_page))


def page_of(position: int, per_page: int) -> int:
    """The page the thing at `position` (from 1) is on."""
    return (position - 1) // per_page + 1


def page_arg(last: int | None = None) -> int:
    """?page=N as a whole number from 1 (to `last`); anything odd means page 1."""
    raw = request.args.get("page", "1")
    page = int(raw) if re.fullmatch(r"[0-9]{1,8}", raw) else 1
    page = max(page, 1)
    return min(page, last) if last else page


# --- Paths for many rows at the cost of one url_for -------------------------------------

_PATTERNS: dict[tuple, tuple[str, tuple[str, ...]] | None] = {}
_SENTINEL_INT = 987654321
_SENTINEL_STR = "zq0sentinel{}"
_SAFE = "!$&'()*+,/:;=@"  # what werkzeug's converters leave unquoted in a path


def _pattern(endpoint: str, types: tuple[tuple[str, type], ...]):
    """url_for(endpoint) with sentinels in place of the values, split around them; None
    when the rule cannot be built that way (then path_for falls back to url_for)."""
    marks = {name: (_SENTINEL_INT + i if kind is int else _SENTINEL_STR.format(i))
             for i, (name, kind) in enumerate(types)}
    try:
        built = url_for(endpoint, **marks)
    except (BuildError, ValueError):  # a converter that refuses the sentinel: url_for each time
        return None
    order, pieces, rest = [], [], built
    while True:
        found = [(rest.find(str(mark)), name, str(mark)) for name, mark in marks.items()
                 if name not in order and str(mark) in rest]
        if not found:
            break
        at, name, mark = min(found)
        pieces.append(rest[:at])
        order.append(name)
        rest = rest[at + len(mark):]
    if len(order) != len(marks) or "?" in built:
        return None
    pieces.append(rest)
    return pieces, tuple(order)


def path_for(endpoint: str, **values) -> str:
    """url_for(endpoint, **values) for a rule whose arguments are all given (ints or
    strings), without the URL map: the path is built once per endpoint (and script root)
    and then filled in, quoting strings as werkzeug's converters do. A topic page links each
    of its posts several times; this keeps those links from costing a url_for each."""
    types = tuple((name, int if isinstance(value, int) else str)
                  for name, value in sorted(values.items()))
    key = (request.script_root, endpoint, types)
    if key not in _PATTERNS:
        _PATTERNS[key] = _pattern(endpoint, types)
    found = _PATTERNS[key]
    if found is None:
        return url_for(endpoint, **values)
    pieces, order = found
    out = [pieces[0]]
    for name, piece in zip(order, pieces[1:]):
        value = values[name]
        out.append(str(int(value)) if isinstance(value, int) else quote(str(value), safe=_SAFE))
        out.append(piece)
    return "".join(out)


def template_url_for(endpoint: str, **values) -> str:
    """Templates' url_for. The links every page repeats (the header's, the footer's, the
    stylesheets and scripts) have no arguments but a static file's name, so they are the
    same on every request with the same script root: each is built once per app and kept
    (issue 15: 32 url_for calls were ~15% of a small member page). Static files are kept
    only outside debug mode, where their fingerprint can change while the app runs.
    Links whose arguments are all names and ids go through path_for (the rule's path built
    once, then filled in); anything else is url_for itself."""
    if not has_request_context():
        return url_for(endpoint, **values)
    if values and not (endpoint == "static" and len(values) == 1 and "filename" in values):
        if endpoint != "static" and all(type(value) in (int, str) and not name.startswith("_")
                                        for name, value in values.items()):
            return path_for(endpoint, **values)  # a name or an id in the path: filled in
        return url_for(endpoint, **values)
    if endpoint == "static" and current_app.debug:
        return url_for(endpoint, **values)
    kept = current_app.extensions.setdefault("forum.fixed_urls", {})
    key = (request.script_root, endpoint, values.get("filename"))
    url = kept.get(key)
    if url is None:
        url = kept[key] = url_for(endpoint, **values)
    return url


# The links every page's frame shows (base.html: stylesheets and scripts, header, footer),
# by the name base.html reads them by: endpoint, and the file for a static one.
CHROME_LINKS = {
    "forum_css": ("static", "css/forum.css"), "writing_css": ("static", "css/writing.css"),
    "composer_js": ("static", "js/composer.js"), "mentions_js": ("static", "js/mentions.js"),
    "menu_js": ("static", "js/menu.js"), "feed": ("feeds.latest", None),
    "home": ("board.index", None), "search": ("search.search", None),
    "forums": ("board.forums", None), "articles": ("articles.index", None),
    "library": ("library.index", None), "moderation": ("moderation.review", None),
    "admin": ("admin.home", None), "messages": ("conversations.index", None),
    "notifications": ("notify.index", None), "settings": ("accounts.settings", None),
    "logout": ("accounts.logout", None), "register": ("accounts.register", None),
    "groups": ("groups.index", None), "members": ("accounts.members", None)}


def chrome_links() -> SimpleNamespace:
    """The links of every page's frame (CHROME_LINKS) as attributes, each built by url_for
    once per app and script root and kept (not in debug mode, where a static file's
    fingerprint can change while the app runs). base.html asks for them once: ~25 url_for
    calls through Jinja were a tenth of a small page's rendering (issue 15)."""
    kept = current_app.extensions.setdefault("forum.chrome_links", {})
    links = kept.get(request.script_root)
    if links is None or current_app.debug:
        links = SimpleNamespace(**{
            name: url_for(endpoint, **({"filename": filename} if filename else {}))
            for name, (endpoint, filename) in CHROME_LINKS.items()})
        if not current_app.debug:
            kept[request.script_root] = links
    return links


class PageLink(NamedTuple):
    number: int
    url: str
    gap: bool  # numbers were skipped before this one


class PageLinks(NamedTuple):
    previous: str | None
    numbers: list[PageLink]
    next: str | None


def page_links(page: int, pages: int, endpoint: str, args: dict) -> PageLinks:
    """A numbered pagination's links: previous, the first and last pages and two either side
    of this one (a 20,000-reply topic has 801 pages; only these are visited), next. Each
    is url_for(endpoint, page=n, **args), page 1 without ?page: built with two url_for
    calls whatever the number of links (a topic page has two paginations of up to nine)."""
    first = template_url_for(endpoint, page=None, **args)
    numbered = template_url_for(endpoint, page=_SENTINEL_INT, **args)
    stamped = numbered.count(str(_SENTINEL_INT)) == 1  # else an argument holds the stamp

    def url(n: int) -> str:
        if n == 1:
            return first
        return numbered.replace(str(_SENTINEL_INT), str(n)) if stamped else \
            template_url_for(endpoint, page=n, **args)
    shown = sorted({n for n in (1, pages, *range(page - 2, page + 3)) if 1 <= n <= pages})
    numbers = [PageLink(n, url(n), i > 0 and n > shown[i - 1] + 1) for i, n in enumerate(shown)]
    return PageLinks(url(page - 1) if page > 1 else None, numbers,
                     url(page + 1) if page < pages else None)


DEVELOPMENT_SITE_URL = "http://127.0.0.1:5000"  # where `make run` serves the forum


def site_url() -> str:
    """The forum's address for links in e-mails: SITE_URL. Unset in development, the address
    this request was served at (so links work on any port), else `make run`'s. Production
    never takes it from a request (a forged Host header must not choose where a password
    reset link points); its sender refuses to start without SITE_URL (mailer.check_ready)."""
    configured = (current_app.config.get("SITE_URL") or "").rstrip("/")
    if configured:
        return configured
    if current_app.config.get("FORUM_ENV") == "development" and has_request_context():
        return request.url_root.rstrip("/")
    return DEVELOPMENT_SITE_URL


def external_url(endpoint: str, _anchor: str | None = None, **values) -> str:
    """An absolute URL on the forum's address (site_url()), with or without a request."""
    base = urlsplit(site_url())
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme or "https",
                                       script_name=base.path or "/")
    url = adapter.build(endpoint, {k: v for k, v in values.items() if v is not None},
                        force_external=True)
    return f"{url}#{_anchor}" if _anchor else url


def topic_url(topic, page: int = 1, post=None, anchor: str | None = None, **args) -> str:
    """A topic's canonical address (any object with .id and .slug), at a page, optionally at
    a post on it or another anchor ("poll"), with any further query arguments (sort=)."""
    if post is not None:
        anchor = f"post-{post.id}"
    if not args and has_request_context() and (anchor is None or _PLAIN_ANCHOR.fullmatch(anchor)):
        # The common case (lists link every topic): the rule's path filled in, no URL map.
        path = path_for("board.topic", topic_id=topic.id, slug=topic.slug)
        if page > 1:
            path = f"{path}?page={int(page)}"
        return f"{path}#{anchor}" if anchor else path
    return url_for("board.topic", topic_id=topic.id, slug=topic.slug,
                   page=page if page > 1 else None, _anchor=anchor, **args)


_PLAIN_ANCHOR = re.compile(r"[A-Za-z0-9_-]+")


def post_url(post) -> str:
    """The page of its topic a post is on (by position; pages never shift)."""
    per_page = current_app.config["POSTS_PER_PAGE"]
    return topic_url(post.topic, page=page_of(post.position, per_page), post=post)


def permalink(post) -> str:
    """A post's permanent address, /p/<id>, which finds its page when followed: for lists
    that know a post (or only its id) without its topic, and each post's own link. Built by
    path_for (no URL map walk per post) within a request."""
    post_id = int(getattr(post, "id", post))
    if has_request_context():
        return path_for("board.post", post_id=post_id)
    return url_for("board.post", post_id=post_id)

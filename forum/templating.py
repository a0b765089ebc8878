"""Helpers templates use to show data: relative times, dates, plurals, URLs."""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.runtime import new_context as jinja_new_context
from flask import Flask, current_app, g, has_request_context, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from . import clock, textdiff
from .recent import Recent, app_recent
from .permissions import can
from .urls import (chrome_links, page_links, path_for, permalink, post_url, template_url_for,
                   topic_url)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def _months_between(then: datetime, now: datetime) -> int:
    months = (now.year - then.year) * 12 + now.month - then.month
    if (now.day, now.time()) < (then.day, then.time()):
        months -= 1
    return max(months, 0)


def relative(then: datetime, now: datetime | None = None) -> str:
    """'7 years, 2 months ago', '3 days, 4 hours ago', 'just now' (two units at most)."""
    now = now or clock.now()
    seconds = int((now - then).total_seconds())
    if seconds < 0:
        return "in the future"
    if seconds < 60:
        return "just now"
    months = _months_between(then, now)
    if months >= 1:
        years, months = divmod(months, 12)
        units = [(years, "year"), (months, "month")]
    else:
        weeks, rest = divmod(seconds, 7 * 86400)
        days, rest = divmod(rest, 86400)
        hours, rest = divmod(rest, 3600)
        minutes = rest // 60
        units = [(weeks, "week"), (days, "day"), (hours, "hour"), (minutes, "minute")]
    shown = [plural(n, word) for n, word in units if n][:2]
    return ", ".join(shown) + " ago"


def viewer_zone():
    """The time zone pages are shown in: the reader's of an e-mail being written (in_zone_of),
    else the logged-in member's, else the site's (UTC)."""
    if (reader := g.get("zone_reader")) is not None:
        return clock.zone(reader.time_zone)
    if not has_request_context():  # a job: no viewer
        return clock.zone(None)
    # Asked for every time a page shows (50 on the home page): the viewer's is found once
    # per request (on the request: an app context, and so `g`, may outlive one in tests).
    if (found := getattr(request, "viewer_zone", None)) is not None:
        return found
    try:
        name = current_user.time_zone if current_user.is_authenticated else None
    except AttributeError:
        name = None
    found = request.viewer_zone = clock.zone(name)
    return found


@contextmanager
def in_zone_of(reader) -> Iterator[None]:
    """Times rendered inside are in `reader`'s zone: an e-mail is written for its recipient,
    not for whoever's request caused it."""
    before = g.get("zone_reader")
    g.zone_reader = reader
    try:
        yield
    finally:
        g.zone_reader = before


def long_date(value: datetime) -> str:
    """'27 January 2015', the day in the viewer's zone."""
    value = clock.local(value, viewer_zone())
    return f"{value.day} {value:%B %Y}"


def long_datetime(value: datetime) -> str:
    """'27 January 2015 at 14:05 UTC', in the viewer's zone ('… at 19:35 IST')."""
    value = clock.local(value, viewer_zone())
    return f"{value.day} {value:%B %Y} at {value:%H:%M} {value:%Z}"


def yes_no(value):
    """Booleans read as words; anything else as it is."""
    return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value


def iso(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"


def page_csrf_token() -> str:
    """The session's CSRF token, asked of Flask-WTF once per request: a topic page puts it
    in a form per post (templates call this only where a member sees a form)."""
    token = g.get("page_csrf_token")
    if token is None:
        token = g.page_csrf_token = generate_csrf()
    return token


# A session's signed CSRF token is kept this long for the session's next pages (reused by
# reuse_csrf_token, kept by keep_csrf_token), for this many sessions per process.
CSRF_REUSE_SECONDS = 60
CSRF_REUSE_ENTRIES = 4096


def _signed_tokens() -> Recent[str, tuple[float, str]]:
    """This app's signed tokens: the session's raw token -> (when signed, signed token)."""
    return app_recent(current_app, "forum.signed_csrf_tokens", CSRF_REUSE_ENTRIES)


def _csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def reuse_csrf_token() -> None:
    """For a logged-in member's request (the member loader calls it): put the session's CSRF
    token, as signed for one of the session's pages less than CSRF_REUSE_SECONDS ago, where
    Flask-WTF looks first (`g.csrf_token`), so no form or template of this page signs it
    again. Signing (itsdangerous: a key derivation, an HMAC, base64) was about a tenth of
    what a member's page cost beyond a visitor's (issue 15). A token signed a minute ago is
    as good: it is checked against the session's own secret and for WTF_CSRF_TIME_LIMIT
    (8 hours), so it expires at most a minute sooner."""
    raw = session.get(_csrf_field())
    kept = _signed_tokens().get(raw) if isinstance(raw, str) else None
    if kept is not None and time.monotonic() - kept[0] < CSRF_REUSE_SECONDS:
        setattr(g, _csrf_field(), kept[1])
        g.csrf_token_reused = True


def keep_csrf_token(response):
    """after_app_request: a token this request signed is kept for its session's next pages."""
    field = _csrf_field()
    token = g.get(field)
    if token is None or g.get("csrf_token_reused"):
        return response
    raw = session.get(field)
    if isinstance(raw, str):
        _signed_tokens().put(raw, (time.monotonic(), token))
    return response


# Where a piece of HTML kept for many members had the session's CSRF token (a reply form,
# a topic page's post controls): each page puts its own session's token back.
CSRF_MARK = "<!--csrf-->"


def without_csrf_token(html: str) -> str:
    """`html` (rendered for this request) to keep for any member: its token marked."""
    return html.replace(page_csrf_token(), CSRF_MARK)


def with_csrf_token(html: str) -> str:
    """Kept `html` with this session's CSRF token where it was marked."""
    return html.replace(CSRF_MARK, page_csrf_token()) if CSRF_MARK in html else html


def csrf_parts(html: str) -> tuple[str, ...]:
    """Kept `html` split where the token was marked: for HTML kept in the process and used
    again and again (a topic page's filled list of posts), whose marks are found once.
    Finding them is a search through the whole text that HTML's many '<' and '>' slow down
    (~40 us for a topic page's ~50 KB list with its 24 forms; joining the parts: ~3 us)."""
    return tuple(html.split(CSRF_MARK))


def csrf_pieces(parts: tuple[str, ...]) -> list[str]:
    """The parts of `csrf_parts` with this session's CSRF token between them, unjoined: for
    a page that joins its pieces once (render_around)."""
    if len(parts) == 1:
        return list(parts)
    pieces = [page_csrf_token()] * (2 * len(parts) - 1)
    pieces[::2] = parts
    return pieces


HOLE = "<!--page:hole-->"


def render_around(template: str, name: str, pieces: list[str], **context) -> str:
    """`template` rendered with the HTML of `pieces` as its variable `name`, joined into the
    page once. A page's largest part (a topic page's body and posts, ~60 KB) passed as
    Markup was copied whole each time it was wrapped, and once more by the template's
    `{{ name }}` (markupsafe's escape makes a Markup of anything with __html__): here the
    template gets a marker instead and the page is joined around it, at the end. The
    marker is never in user text (titles are escaped, post bodies cleaned of comments: as
    for board/topicbody.py's markers), and the template must show it exactly once."""
    page = render_template(template, **context, **{name: Markup(HOLE)})
    before, found, after = page.partition(HOLE)
    if not found or HOLE in after:
        raise ValueError(f"{template} must show {name} exactly once")
    return "".join([before, *pieces, after])


class Template(jinja2.Template):
    """Jinja's Template, whose imports (`{% from "macros/time.html" import time %}`) skip
    Jinja's check for globals the importing page has and the macros' module lacks when it
    cannot find any.

    At every import Jinja subtracts the macros' globals (a ChainMap of the environment's and
    the template's) from the page's, key by key (38 keys, ~30 µs an import: a topic page made
    three). The names the module has are kept as a set the first time; when the page's
    globals are all among them, Jinja's subtraction would be empty too (globals are only
    ever added) and the cached module serves, as Jinja would serve it. Otherwise Jinja's
    own path runs. Relies on `_get_default_module` (Jinja 3.1, pinned in requirements/):
    tests/test_template_urls.py checks imports still see the page's globals."""

    _global_names: frozenset[str] | None = None

    def new_context(self, vars=None, shared=False, locals=None):
        """Jinja's context for a render, given the template's globals as one dict of what
        its ChainMap (the template's own over the environment's) holds now. Jinja copies
        the globals into each render's context and takes a set of their names, and read
        through the ChainMap that was key by key in Python: ~25 us of every page's render
        (~55 globals), against ~1 us for dict.update (issue 15, session 20). The same
        names and values, read at each render as the ChainMap would give them."""
        maps = getattr(self.globals, "maps", None)
        if maps is None or shared:
            return super().new_context(vars, shared, locals)
        globals_now: dict = {}
        for mapping in reversed(maps):
            globals_now.update(mapping)
        return jinja_new_context(self.environment, self.name, self.blocks, vars, shared,
                                 globals_now, locals)

    def _get_default_module(self, ctx=None):
        if ctx is not None:
            names = self._global_names
            if names is None:
                names = self._global_names = frozenset(self.globals)
            if ctx.globals_keys <= names:
                ctx = None
        return super()._get_default_module(ctx)


KEPT_PAGINATIONS = 2048


def pagination(page: int, pages: int, endpoint: str, args: dict, label: str = "Pages") -> Markup:
    """The links to the pages of a list (templates/macros/pagination.html), kept per process
    for the same list, page, number of pages and label: they are made of nothing else. A
    topic page built its two paginations on every request (four `url_for` calls and the
    macro twice; a member's Articles page, one pagination: 0.6M of 7.8M instructions,
    bench/README.md)."""
    if pages <= 1:
        return Markup("")
    key = (request.script_root if has_request_context() else "", endpoint,
           tuple(sorted(args.items())), page, pages, label)
    kept = current_app.extensions.setdefault("forum.paginations", {})
    try:
        html = kept.get(key)
    except TypeError:  # an argument that cannot be a key (a list): made each time
        key, html = None, None
    if html is None:
        macro = current_app.jinja_env.get_template("macros/pagination.html").module.pagination
        html = Markup(macro(page, pages, endpoint, args, label))
        if key is not None:
            if len(kept) >= KEPT_PAGINATIONS:
                kept.clear()
            kept[key] = html
    return html


KEPT_PIECES = 1024  # pieces each process keeps (MemoExtension): ~2.5 KB for a header


class MemoExtension(Extension):
    """`{% memo "name", value, ... %}...{% endmemo %}`: a piece of a template rendered once
    per process for each set of the values it names, and kept (a Recent of KEPT_PIECES).
    What the piece shows must be made of those values and of nothing else that can change
    while the app runs (site settings are values too); the CSRF token is the exception:
    a piece is kept with the token marked (CSRF_MARK), and each page puts its session's
    back. Off where templates reload (debug mode): a changed template shows at once.

    For the frame every page shares (templates/base.html): its header and footer were
    about 0.55M of the 1.1M instructions the frame cost a page (0.76M of 1.35M for a
    member), rendered from the same few values on every request (issue 15)."""

    tags = {"memo"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        values = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            values.append(parser.parse_expression())
        body = parser.parse_statements(("name:endmemo",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_piece", [nodes.Tuple(values, "load")]),
                               [], [], body).set_lineno(lineno)

    @staticmethod
    def _piece(key: tuple, caller) -> Markup:
        if current_app.jinja_env.auto_reload:
            return Markup(caller())
        pieces = app_recent(current_app, "forum.template_pieces", KEPT_PIECES)
        try:
            found = pieces.get(key)
        except TypeError:  # a value that cannot be a key (a list, a dict): made each time
            return Markup(caller())
        if found is None:
            found = str(caller())
            if g.get(_csrf_field()):  # a token signed for this request (never sign one here)
                found = without_csrf_token(found)
            pieces.put(key, found)
        return Markup(with_csrf_token(found))


def init_app(app: Flask) -> None:
    app.after_request(keep_csrf_token)
    app.jinja_env.template_class = Template
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.add_extension(MemoExtension)
    app.jinja_env.filters.update(relative=relative, long_date=long_date,
                                 long_datetime=long_datetime, iso=iso,
                                 yes_no=yes_no)
    app.jinja_env.globals.update(word_diff=textdiff.word_diff)
    # Globals, not context processors, so imported macros see them too.
    app.jinja_env.globals.update(
        plural=plural, site_name=lambda: current_app.config["SITE_NAME"],
        topic_url=topic_url, post_url=post_url, permalink=permalink,
        current_user=current_user,
        # the member object itself: a rule reads several of its attributes, each ~2 us
        # through the current_user proxy
        can=lambda action, obj=None: can(current_user._get_current_object(), action, obj),
        path_for=path_for, page_links=page_links, page_csrf_token=page_csrf_token,
        url_for=template_url_for, chrome_links=chrome_links, pagination=pagination)

"""Hypothesis throws arbitrary input at the forms and URLs: nothing may ever be a 500.

Fixtures are per test function, not per example, so tables persist across the examples of
one test: every example is written to be independent of what earlier ones left behind.
Failing inputs that fuzzing found are kept as plain regression tests at the end.
"""
from __future__ import annotations

import gc
import io
import itertools
import logging
import os
import traceback
import warnings
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import String, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from forum.accounts.models import User
from forum.board.models import Post, Topic
from forum.extensions import db
from forum.text import clean
from tests.factories import PASSWORD

_forum_numbers = itertools.count(1)
FORM_STATUSES = {200, 302, 400, 403, 404, 413, 429}
URL_STATUSES = {200, 301, 302, 308, 400, 404}


def fuzz(max_examples: int):
    """Settings for one fuzz test; FUZZ_SCALE=10 in the environment runs ten times as many."""
    scale = float(os.environ.get("FUZZ_SCALE", "1"))
    return settings(max_examples=max(1, int(max_examples * scale)), deadline=None,
                    database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------

# Surrogates cannot travel in HTTP (they are not encodable as UTF-8), everything else can.
CHARS = st.characters(exclude_categories=("Cs",))
CONTROL = st.characters(max_codepoint=0x9F, exclude_categories=("Cs",)).filter(
    lambda c: ord(c) < 0x20 or 0x7F <= ord(c))


def _repeat(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


TRICKY = [
    "", " ", "\x00", "\x00\x00abc", "\r\n", "\n\n\n", "\t", "\u00a0", "\u200b", "\ufeff",
    "\u202eevil", "\U0001f600" * 3, "ß" * 40, "İ" * 10, "ﬃ" * 14, "a" * 40, "a" * 41,
    "<script>alert(1)</script>", "\"><svg onload=alert(1)>", "'; DROP TABLE users; --",
    "%00", "%", "%%", "%ZZ", "&amp;", "&#0;", "{{ 7*7 }}", "{% raw %}", "${7*7}", "\\", "//",
    "../../etc/passwd", "javascript:alert(1)", "0", "-1", "1e9", "NaN", "None", "null",
    "true", "1" * 19, "9" * 40, "²", "١٢", "𝟐", "①", "Ⅻ", "٣", "\x1c\x1d\x1e\x1f",
    "name@example.gov", "A@B.GOV", "@", "a@b", "a" * 64 + "@" + "b" * 63 + ".gov",
]

short_text = st.text(CHARS, max_size=60)
medium_text = st.text(CHARS, max_size=2_000)
control_text = st.text(CONTROL, min_size=1, max_size=40)
binaryish = st.binary(max_size=400).map(lambda b: b.decode("latin-1"))
huge_text = st.builds(_repeat, st.one_of(st.text(CHARS, min_size=1, max_size=6),
                                         st.sampled_from(["<", "[", "*a", "<b>", "\U0001f600",
                                                          "\x00", "a\n", "> ", "é",
                                                          # pathological markup (issue 13.2)
                                                          "<q>", '<a x="1" ', "<b>x</b>",
                                                          "[a](http://x.gov) ", "&amp; ",
                                                          "**a** ", "http://a.b/ "])),
                      st.integers(5_000, 60_000))
any_text = st.one_of(short_text, short_text, medium_text, control_text, binaryish, huge_text,
                     st.sampled_from(TRICKY))


def form(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """The known fields (all present, or each maybe missing), sometimes a field twice, and
    sometimes fields nobody asked for."""
    known = st.one_of(st.fixed_dictionaries(fields), st.fixed_dictionaries({}, optional=fields))
    extra = st.lists(st.tuples(st.one_of(st.sampled_from(sorted(fields)), short_text), any_text),
                     max_size=3)
    return st.builds(lambda k, e: [*k.items(), *e], known, extra)


FIELD_NAMES = ["display_name", "email", "password", "confirm", "login", "remember", "forum",
               "title", "body", "submit", "preview"]
# How the form travels: None is URL-encoded; a list is multipart/form-data, with the fields it
# names sent as file parts (as a hand-made request can).
TRANSPORT = st.one_of(st.none(), st.just([]),
                      st.lists(st.sampled_from(FIELD_NAMES), min_size=1, max_size=2))
BUTTON = st.one_of(st.sampled_from(["Post topic", "Post reply", "Preview", "", "1"]), short_text)


def first(pairs: list[tuple[str, str]], name: str, transport: list[str] | None = None
          ) -> str | None:
    """The value the form sees for `name`: the first one sent as text, not as a file."""
    return next((value for key, value in pairs
                 if key == name and not (transport and key in transport)), None)


def kept(value: str | None, strip: bool = False) -> str | None:
    """What the form should show again for a typed value, when it is short and printable."""
    if value is None:
        return None
    value = value.replace("\x00", "")
    if strip:
        value = value.strip()
    if not value or len(value) > 200 or not value.isprintable():
        return None
    return value


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

@pytest.fixture
def server_errors(app):
    """Tracebacks the app logged (its 500 handler logs every unexpected exception)."""
    class Tracebacks(list):
        def __repr__(self) -> str:  # keep Hypothesis's report of a failing example short
            return f"<{len(self)} logged tracebacks>"

    found = Tracebacks()

    class Collect(logging.Handler):
        def emit(self, record):
            if record.exc_info:
                found.append("".join(traceback.format_exception(*record.exc_info)))

    handler = Collect(level=logging.ERROR)
    app.logger.addHandler(handler)
    yield found
    app.logger.removeHandler(handler)


def check_status(response, allowed: set[int], what: str, server_errors: list[str]) -> None:
    if response.status_code not in allowed:
        detail = server_errors[-1] if server_errors else response.text[:500]
        raise AssertionError(f"{what}: status {response.status_code}\n{detail}")


def check_local_redirect(response, what: str) -> None:
    """A redirect stays on this site: a path, or (Werkzeug's own slash-merging redirects)
    an absolute URL to the same host."""
    location = response.headers.get("Location", "")
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        assert (parts.scheme, parts.netloc) == ("http", "localhost"), \
            f"{what}: redirects off site to {location!r}"
        location = location[len("http://localhost"):]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), \
        f"{what}: odd redirect {location!r}"
    assert not any(ord(c) < 32 for c in location), f"{what}: control character in {location!r}"


def follow(client, response, what: str, server_errors: list[str],
           allowed: set[int] = frozenset({200})) -> None:
    """Open where a successful form went (this also uses up the flash message)."""
    check_local_redirect(response, what)
    page = client.get(response.headers["Location"])
    check_status(page, allowed, f"{what}, then GET {response.headers['Location']!r}",
                 server_errors)


def assert_fits_columns(row) -> None:
    """Every string fits its declared column (SQLite ignores lengths, PostgreSQL does not)."""
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if isinstance(column.type, String) and column.type.length and isinstance(value, str):
            assert len(value) <= column.type.length, (
                f"{row.__table__.name}.{column.key} is {len(value)} characters, the column "
                f"holds {column.type.length}: {value!r}")


def post(client, url: str, pairs: list[tuple[str, str]], transport: list[str] | None):
    if transport is None:
        return client.post(url, data=MultiDict(pairs),
                           content_type="application/x-www-form-urlencoded")
    values = MultiDict([
        (key, FileStorage(io.BytesIO(value.encode()), filename="notes.txt",
                          content_type="text/plain") if key in transport else value)
        for key, value in pairs])
    # Encoded in memory: the test client spools big multipart bodies to a temporary file it
    # never closes, and the ResourceWarning would fail some later test at random.
    boundary, body = encode_multipart(values)
    # Werkzeug's parser can leave a file part's SpooledTemporaryFile to the garbage collector
    # when it gives up on a body part way (a 413 for a later text part over
    # MAX_FORM_MEMORY_SIZE): collect it here, quietly, rather than fail a later test.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        response = client.post(url, data=body,
                               content_type=f"multipart/form-data; boundary={boundary}")
        if response.status_code == 413:
            gc.collect()
    return response


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------

REGISTER = form({"display_name": any_text, "email": any_text, "password": any_text,
                 "confirm": any_text})


@fuzz(150)
@given(pairs=REGISTER, transport=TRANSPORT, same_password=st.booleans(),
       next_url=st.one_of(st.none(), any_text))
def test_register_form_never_fails(app, server_errors, pairs, transport, same_password,
                                   next_url):
    if same_password and first(pairs, "password") is not None:  # get past "do not match"
        pairs = [(k, v) for k, v in pairs if k != "confirm"] + [
            ("confirm", first(pairs, "password"))]
    client = app.test_client()
    url = "/register" + (f"?next={quote(next_url, safe='')}" if next_url is not None else "")
    response = post(client, url, pairs, transport)
    what = f"POST {url!r} {pairs!r} files={transport!r}"[:2000]
    check_status(response, FORM_STATUSES, what, server_errors)
    if response.status_code in (200, 429):  # the form again, with what was typed
        for name in ("display_name", "email"):
            value = kept(first(pairs, name, transport), strip=True)
            if value is not None:
                assert str(escape(value)) in response.text, f"{name} {value!r} was not kept"
    if response.status_code == 302:
        with app.app_context():
            user = db.session.scalars(select(User).order_by(User.id.desc())).first()
            assert_fits_columns(user)
        # ?next= may name any page of the site, even one that does not exist
        follow(client, response, what, server_errors, URL_STATUSES | {405})


LOGIN = form({"login": any_text, "password": any_text, "remember": any_text})


@fuzz(150)
@given(pairs=LOGIN, transport=TRANSPORT, real=st.sampled_from(["none", "email", "both"]),
       next_url=st.one_of(st.none(), any_text))
def test_login_form_never_fails_and_never_redirects_off_site(
        app, make, server_errors, pairs, transport, real, next_url):
    member = make.user() if real != "none" else None
    if member is not None:
        pairs = [(k, v) for k, v in pairs if k not in ("login", "password")]
        pairs = [("login", member.email),
                 ("password", PASSWORD if real == "both" else "wrong password")] + pairs
    client = app.test_client()
    url = "/login" + (f"?next={quote(next_url, safe='')}" if next_url is not None else "")
    response = post(client, url, pairs, transport)
    what = f"POST {url!r} {pairs!r} files={transport!r}"[:2000]
    check_status(response, FORM_STATUSES, what, server_errors)
    if response.status_code in (200, 429):  # the form again, with what was typed
        value = kept(first(pairs, "login", transport), strip=True)
        if value is not None:
            assert str(escape(value)) in response.text, f"login {value!r} was not kept"
    if response.status_code == 302:
        follow(client, response, what, server_errors, URL_STATUSES | {405})


@fuzz(120)
@given(data=st.data(), transport=TRANSPORT)
def test_new_topic_form_never_fails_and_keeps_the_text(app, client, make, login,
                                                       server_errors, data, transport):
    forum = make.forum(slug=f"fuzz-{next(_forum_numbers)}")
    login(make.user())
    pairs = data.draw(form({
        "forum": st.one_of(st.just(str(forum.id)), st.just(str(forum.id)), any_text),
        "title": any_text, "body": any_text,
        "submit": BUTTON, "preview": BUTTON}), label="fields")
    chosen = data.draw(st.one_of(st.just(forum.slug), st.none(), any_text), label="?forum=")
    url = "/t/new" + (f"?forum={quote(chosen, safe='')}" if chosen is not None else "")
    response = post(client, url, pairs, transport)
    what = f"POST {url!r} {pairs!r} files={transport!r}"[:2000]
    check_status(response, FORM_STATUSES, what, server_errors)
    if response.status_code in (200, 429):  # the form again, with what was typed
        title = kept(first(pairs, "title", transport), strip=True)
        if title is not None:
            assert str(escape(title)) in response.text, f"title {title!r} was not kept"
        body = kept(first(pairs, "body", transport))
        if body is not None:
            assert str(escape(body)) in response.text, f"body {body!r} was not kept"
    if response.status_code == 302:
        with app.app_context():
            topic = db.session.scalars(select(Topic).order_by(Topic.id.desc())).first()
            assert_fits_columns(topic)
        follow(client, response, what, server_errors)


@fuzz(120)
@given(pairs=form({"body": any_text, "submit": BUTTON, "preview": BUTTON}),
       transport=TRANSPORT)
def test_reply_form_never_fails_and_keeps_the_text(app, client, make, login, server_errors,
                                                   pairs, transport):
    author = make.user()
    topic = make.topic(author=author)
    login(author)
    url = f"/t/{topic.id}/reply"
    response = post(client, url, pairs, transport)
    what = f"POST {url!r} {pairs!r} files={transport!r}"[:2000]
    check_status(response, FORM_STATUSES, what, server_errors)
    if response.status_code in (200, 429):  # the form again, with what was typed
        body = kept(first(pairs, "body", transport))
        if body is not None:
            assert str(escape(body)) in response.text, f"body {body!r} was not kept"
    if response.status_code == 302:
        with app.app_context():
            reply = db.session.scalars(select(Post).where(Post.topic_id == topic.id)
                                       .order_by(Post.position.desc())).first()
            assert reply.position == 2 and reply.body_source == clean(  # forum/text.py
                (first(pairs, "body", transport) or "").replace("\x00", ""),
                multiline=True).strip()
        follow(client, response, what, server_errors)


# --------------------------------------------------------------------------------------------
# URLs
# --------------------------------------------------------------------------------------------

segment = st.one_of(
    st.text(CHARS, min_size=1, max_size=80),
    st.sampled_from(TRICKY).filter(bool),
    st.integers(-10, 10**25).map(str),
    st.builds(lambda n, s: f"{n}-{s}", st.integers(0, 10**20), st.text(CHARS, max_size=40)),
)
# Numerals of every script too: "²".isdigit() is True, int("²") is an error.
numerals = st.text(st.one_of(st.sampled_from("0123456789"),
                             st.characters(categories=["Nd", "No", "Nl"], min_codepoint=0x80)),
                   min_size=1, max_size=4)
page_value = st.one_of(st.text(CHARS, max_size=30), st.integers(-10**12, 10**20).map(str),
                       numerals, st.sampled_from(TRICKY))
# Raw query strings, including broken percent escapes and repeated keys.
raw_query = st.text(st.sampled_from("page=&;%+?#/0123456789abcdefxyzABCDEF \\\"'<>"),
                    max_size=60)


@pytest.fixture
def board(make):
    author = make.user("Fuzzy Member")
    forum = make.forum(slug="fuzz")
    topic = make.topic(author=author, forum=forum, replies=3)
    return {"topic": topic, "forum": forum, "author": author}


@fuzz(300)
@given(prefix=st.sampled_from(["/t/", "/p/", "/f/", "/u/"]), name=segment,
       safe=st.sampled_from(["", "/:@!$&'()*+,;=-"]),
       page=st.one_of(st.none(), page_value))
def test_arbitrary_urls_never_fail(client, board, server_errors, prefix, name, safe, page):
    path = prefix + quote(name, safe=safe)
    response = client.get(path, query_string={"page": page} if page is not None else None)
    what = f"GET {path!r} page={page!r}"
    # With "/" left unquoted a path can reach a POST-only route (/p/1/restore): 405 is right.
    check_status(response, URL_STATUSES | {405}, what, server_errors)
    if response.status_code in (301, 302, 308):
        check_local_redirect(response, what)


@fuzz(300)
@given(kind=st.sampled_from(["topic", "topic-bare", "forum", "profile", "post", "index"]),
       slug=st.one_of(st.none(), st.text(CHARS, max_size=40)),
       page=st.one_of(page_value, st.lists(page_value, min_size=2, max_size=3)),
       raw=st.one_of(st.none(), raw_query))
def test_page_numbers_on_real_pages_never_fail(client, board, server_errors, kind, slug, page,
                                               raw):
    topic, forum, author = board["topic"], board["forum"], board["author"]
    path = {
        "topic": f"/t/{topic.id}-{quote(slug if slug is not None else topic.slug, safe='')}",
        "topic-bare": f"/t/{topic.id}",
        "forum": f"/f/{forum.slug}",
        "profile": f"/u/{quote(author.display_name)}",
        "post": f"/p/{topic.last_post_id}",
        "index": "/",
    }[kind]
    query = raw if raw is not None else {"page": page}
    response = client.get(path, query_string=query)
    what = f"GET {path!r} query={query!r}"
    check_status(response, URL_STATUSES, what, server_errors)
    if response.status_code in (301, 302, 308):
        check_local_redirect(response, what)
        followed = client.get(response.headers["Location"])
        check_status(followed, {200}, f"{what}, then {response.headers['Location']!r}",
                     server_errors)


@fuzz(200)
@given(kind=st.sampled_from(["topic", "forum"]), page=st.one_of(numerals, page_value))
def test_page_argument_never_fails(client, board, server_errors, kind, page):
    path = (f"/t/{board['topic'].id}-{board['topic'].slug}" if kind == "topic"
            else f"/f/{board['forum'].slug}")
    response = client.get(path, query_string={"page": page})
    what = f"GET {path!r} page={page!r}"
    check_status(response, {200, 301, 400}, what, server_errors)
    if response.status_code == 301:
        check_local_redirect(response, what)


# --------------------------------------------------------------------------------------------
# Regression tests: inputs fuzzing found
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("page_number", ["²", "³", "¹", "①", "⁵", "٣", "𝟐", "١٢"])
def test_a_page_number_in_other_digits_is_not_a_crash(client, board, server_errors,
                                                     page_number):
    """"²".isdigit() is True but int("²") raises: forum.urls.page_arg must not crash."""
    topic, forum = board["topic"], board["forum"]
    for path in (f"/t/{topic.id}-{topic.slug}", f"/f/{forum.slug}"):
        response = client.get(path, query_string={"page": page_number})
        check_status(response, {200, 301}, f"GET {path}?page={page_number}", server_errors)


@pytest.mark.parametrize("form_name,field", [
    ("register", "display_name"), ("register", "email"), ("register", "password"),
    ("login", "login"), ("login", "password"),
    ("new_topic", "title"), ("new_topic", "body"), ("new_topic", "forum"),
    ("reply", "body"),
])
def test_a_text_field_sent_as_a_file_is_not_a_crash(app, make, login, server_errors,
                                                    form_name, field):
    """A multipart form whose text field arrives as a file part (with a filename): Flask-WTF
    hands the FileStorage to the field, and WTForms' Length validator calls len() on it."""
    author = make.user()
    forum = make.forum(slug="file-parts")
    topic = make.topic(author=author, forum=forum)
    client = app.test_client()
    fields = {
        "register": ("/register", {"display_name": "New Member", "email": "new@example.gov",
                                   "password": PASSWORD, "confirm": PASSWORD}),
        "login": ("/login", {"login": author.email, "password": PASSWORD}),
        "new_topic": ("/t/new", {"forum": str(forum.id), "title": "A fine title",
                                 "body": "Some text.", "submit": "Post topic"}),
        "reply": (f"/t/{topic.id}/reply", {"body": "Some text.", "submit": "Post reply"}),
    }
    url, data = fields[form_name]
    if form_name in ("new_topic", "reply"):
        login(author, client=client)
    data = {**data, field: (io.BytesIO(b"file contents"), "notes.txt")}
    response = client.post(url, data=data, content_type="multipart/form-data")
    check_status(response, FORM_STATUSES, f"POST {url} with {field} as a file part",
                 server_errors)


@pytest.mark.parametrize("display_name", ["ß" * 40, "ﬃ" * 14, "İ" * 21, "Straße " * 5 + "ßß"])
def test_a_display_name_that_grows_when_case_folded_fits_its_column(app, server_errors,
                                                                    display_name):
    """name_key is display_name.casefold(), and casefold can make a name longer ("ß" → "ss",
    "ﬃ" → "ffi"): users.name_key is String(40), so PostgreSQL would refuse the row."""
    client = app.test_client()
    response = client.post("/register", data={
        "display_name": display_name, "email": "grows@example.gov",
        "password": PASSWORD, "confirm": PASSWORD})
    check_status(response, {200, 302}, f"register {display_name!r}", server_errors)
    with app.app_context():
        for user in db.session.scalars(select(User)):
            assert_fits_columns(user)


def test_an_email_that_grows_when_lower_cased_fits_its_column(app, server_errors):
    """"İ".lower() is two characters: a 254-character address can become longer than
    users.email (String(254)) after register() lower-cases it."""
    email = "İ" * 64 + "@" + ".".join(["b" * 60] * 3) + "." + "c" * 2 + ".gov"
    assert len(email) == 254 and len(email.lower()) == 318
    client = app.test_client()
    response = client.post("/register", data={
        "display_name": "Long Address", "email": email,
        "password": PASSWORD, "confirm": PASSWORD})
    check_status(response, {200, 302}, "register with a long address", server_errors)
    with app.app_context():
        for user in db.session.scalars(select(User)):
            assert_fits_columns(user)


@pytest.mark.parametrize("mangled", ["0%2F%2F", "0//", "a//b", "x/", "x/y/z"])
def test_a_mangled_topic_address_is_one_redirect_from_the_topic(client, board, server_errors,
                                                                mangled):
    """Found by the fuzzer above: `/t/1-0//` was redirected to `/t/1-0/` (Werkzeug merging
    the slashes) and only then to the topic."""
    topic = board["topic"]
    response = client.get(f"/t/{topic.id}-{mangled}", query_string={"page": ""})
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/t/{topic.id}-{topic.slug}")
    assert client.get(response.headers["Location"]).status_code == 200

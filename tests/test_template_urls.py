"""Templates' url_for keeps the links every page repeats (forum/urls.template_url_for)."""
from __future__ import annotations

from flask import render_template_string, url_for

from forum.urls import CHROME_LINKS, chrome_links, template_url_for, topic_url


def test_fixed_links_are_built_once_per_script_root_and_others_every_time(app):
    with app.test_request_context("/"):
        first = render_template_string("{{ url_for('board.latest') }}")
        assert first == url_for("board.latest")
        kept = app.extensions["forum.fixed_urls"]
        assert ("", "board.latest", None) in kept
        names = render_template_string(
            "{{ url_for('accounts.profile', name='Ann') }} {{ url_for('accounts.profile', "
            "name='Bo Li') }}")
        assert names == f"{url_for('accounts.profile', name='Ann')} " \
                        f"{url_for('accounts.profile', name='Bo Li')}"
        assert not any(key[1] == "accounts.profile" for key in kept)
    with app.test_request_context("/", base_url="http://localhost/forum/"):
        assert render_template_string("{{ url_for('board.latest') }}") == "/forum/latest"


def test_static_links_carry_the_files_fingerprint(app):
    with app.test_request_context("/"):
        link = render_template_string("{{ url_for('static', filename='css/forum.css') }}")
        assert link == url_for("static", filename="css/forum.css") and "?v=" in link
        assert render_template_string(
            "{{ url_for('static', filename='css/forum.css', _anchor='x') }}").endswith("#x")


def test_the_frames_links_are_url_fors_kept_per_script_root(app, client):
    """base.html reads its header's, footer's and head's links from chrome_links(): each
    what url_for builds, under any script root (a forum served below /forum)."""
    for base_url, prefix in (("http://localhost/", ""), ("http://localhost/forum/", "/forum")):
        with app.test_request_context("/", base_url=base_url):
            links = chrome_links()
            for name, (endpoint, filename) in CHROME_LINKS.items():
                expected = url_for(endpoint, filename=filename) if filename else \
                    url_for(endpoint)
                assert getattr(links, name) == expected and expected.startswith(prefix + "/")
            assert chrome_links() is links  # kept
    page = client.get("/", base_url="http://localhost/forum/").text
    for name in ("forums", "articles", "library", "search", "register", "groups", "members",
                 "feed", "forum_css", "menu_js"):
        with app.test_request_context("/", base_url="http://localhost/forum/"):
            assert f'href="{getattr(chrome_links(), name)}"' in page or \
                f'src="{getattr(chrome_links(), name)}"' in page or \
                f'action="{getattr(chrome_links(), name)}"' in page, name


ODD = ["Terry Smith 5634", "O'Brien/é?#", "x", "%41 & <b>", "日本語", "a+b=c;d"]


def test_filled_in_paths_are_what_url_for_builds(app):
    """topic_url and templates' url_for fill a rule's path in without the URL map: for
    any name or slug the result is url_for's, query arguments and anchors included."""
    class Topic:
        id = 5

    with app.test_request_context("/"):
        for odd in ODD:
            Topic.slug = odd
            assert template_url_for("accounts.profile", name=odd) == url_for(
                "accounts.profile", name=odd)
            for page, anchor in ((1, None), (3, None), (1, "post-9"), (2, "poll")):
                assert topic_url(Topic, page=page, anchor=anchor) == url_for(
                    "board.topic", topic_id=5, slug=odd, page=page if page > 1 else None,
                    _anchor=anchor)
            assert topic_url(Topic, sort="helpful") == url_for(
                "board.topic", topic_id=5, slug=odd, sort="helpful")


OLD_PAGINATION = """{% macro page_url(endpoint, args, n) -%}
{{ url_for(endpoint, page=n if n > 1 else None, **args) }}
{%- endmacro %}
{%- set shown = ([1, pages] + range(page - 2, page + 3)|list)|select('>=', 1)
    |select('<=', pages)|unique|sort %}{% set ns = namespace(last=0) -%}
{% if page > 1 %}prev {{ page_url(endpoint, args, page - 1) }}
{% endif %}{% for n in shown %}{% if n > ns.last + 1 %}gap
{% endif %}{% set ns.last = n %}{{ n }} {{ page_url(endpoint, args, n) }}
{% endfor %}{% if page < pages %}next {{ page_url(endpoint, args, page + 1) }}
{% endif %}"""

NEW_PAGINATION = """{% set links = page_links(page, pages, endpoint, args) -%}
{% if links.previous %}prev {{ links.previous }}
{% endif %}{% for link in links.numbers %}{% if link.gap %}gap
{% endif %}{{ link.number }} {{ link.url }}
{% endfor %}{% if links.next %}next {{ links.next }}
{% endif %}"""


def test_page_links_are_the_links_the_pagination_macro_built_one_by_one(app):
    """page_links builds a pagination's links with two url_for calls; they are the same as
    one url_for per link (page 1 without ?page; arguments quoted, None left out; an
    argument that holds the page stamp)."""
    cases = [("board.forum", {"slug": "a-forum"}), ("search.search", {"q": "café & ü/x"}),
             ("search.search", {"q": "987654321", "sort": None}),
             ("accounts.members", {"q": None, "sort": "joined"})]
    with app.test_request_context("/"):
        for endpoint, args in cases:
            for pages in (1, 2, 3, 7, 801):
                for page in sorted({1, 2, 3, 4, pages // 2 or 1, pages - 1 or 1, pages}):
                    values = {"page": page, "pages": pages, "endpoint": endpoint, "args": args}
                    old = render_template_string(OLD_PAGINATION, **values)
                    assert render_template_string(NEW_PAGINATION, **values) == old, values


def test_a_pagination_costs_two_url_for_calls(app, monkeypatch):
    import forum.urls as urls
    calls = []
    real = urls.url_for
    monkeypatch.setattr(urls, "url_for", lambda *a, **k: calls.append(a) or real(*a, **k))
    with app.test_request_context("/"):
        html = render_template_string(
            "{% from 'macros/pagination.html' import pagination %}"
            "{{ pagination(400, 801, 'board.forum', {'slug': 'big'}) }}")
    assert html.count("<li>") == 9 and 'aria-current="page"' in html
    assert len(calls) == 2, calls


def test_a_pagination_is_made_once_per_list_page_and_label(app, monkeypatch):
    """Templates' `pagination` (forum/templating.py) keeps what the macro made for the same
    list, page, number of pages and label, per script root: a topic page made its two on
    every request."""
    import forum.urls as urls
    calls = []
    real = urls.url_for
    monkeypatch.setattr(urls, "url_for", lambda *a, **k: calls.append(a) or real(*a, **k))
    page = "{{ pagination(4, 9, 'board.forum', {'slug': 'big'}, 'Topic pages') }}"
    with app.test_request_context("/"):
        first = render_template_string(page)
        made = len(calls)
        assert made >= 2 and first.count("<li>") == 9
        assert render_template_string(page) == first and len(calls) == made
        other = render_template_string(page.replace("4, 9", "5, 9"))
        assert 'aria-current="page"><span class="visually-hidden">Page </span>5' in other
        assert len(calls) > made
        assert render_template_string(page.replace("Topic pages", "Again")) != first
        assert render_template_string("{{ pagination(1, 1, 'board.forum', {'slug': 'x'}) }}") \
            == ""
    with app.test_request_context("/", base_url="http://localhost/forum/"):
        assert 'href="/forum/f/big?page=3"' in render_template_string(page)


def test_a_topic_page_makes_its_paginations_once(app, client, make, monkeypatch):
    import forum.urls as urls
    monkeypatch.setitem(app.config, "POSTS_PER_PAGE", 5)
    topic = make.topic(replies=12)
    url = f"/t/{topic.id}-{topic.slug}?page=2"
    assert client.get(url).status_code == 200
    built = []
    real = urls.template_url_for
    monkeypatch.setattr(urls, "template_url_for",
                        lambda endpoint, **v: built.append(endpoint) or real(endpoint, **v))
    page = client.get(url).text
    assert page.count('class="pagination"') == 2 and "board.topic" not in built, built


def test_imports_serve_the_kept_module_unless_the_page_has_globals_it_lacks():
    """forum.templating.Template: an import whose page has no global the macros' module
    lacks takes the module Jinja keeps, without Jinja's key-by-key subtraction; a page with
    a global of its own gets a module that sees it, as Jinja gives."""
    from collections import ChainMap

    import jinja2

    from forum.templating import Template

    env = jinja2.Environment(loader=jinja2.DictLoader({
        "m.html": "{% macro show() %}[{{ extra }}|{{ shared }}]{% endmacro %}",
        "page.html": '{% from "m.html" import show %}{{ show() }}'}))
    env.template_class = Template
    env.globals["shared"] = "everyone"
    page = env.get_template("page.html")
    assert page.render() == "[|everyone]"

    class NoSubtraction(ChainMap):
        def keys(self):
            raise AssertionError("the page's globals were subtracted key by key")
    module = env.get_template("m.html")
    module.globals = NoSubtraction(*module.globals.maps)
    assert page.render() == "[|everyone]"
    env.globals["added_later"] = 1  # a global the module's first import did not know
    module.globals = ChainMap(*module.globals.maps)
    assert env.get_template("page.html").render() == "[|everyone]"
    own = env.from_string('{% from "m.html" import show %}{{ show() }}',
                          globals={"extra": "mine"})
    assert own.render() == "[mine|everyone]"

"""Templates' url_for keeps the links every page repeats (forum/urls.template_url_for)."""
from __future__ import annotations

from flask import render_template_string, url_for

from forum.urls import template_url_for, topic_url


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

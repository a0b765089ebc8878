"""A render's context gets the template's globals from one dict of what their ChainMap holds
(forum/templating.py, Template.new_context): Jinja read the ChainMap key by key in Python,
~25 us of every render (issue 15). The same names and values, as the ChainMap gives them at
that moment: the environment's, with the template's own over them."""
from __future__ import annotations

import collections

from flask import render_template_string


def test_a_page_renders_without_reading_a_chainmap_key_by_key(app, make, login, client,
                                                              monkeypatch):
    topic = make.topic(replies=30)
    login(make.user())
    url = f"/t/{topic.id}-{topic.slug}"
    client.get(url)
    reads = []
    real = collections.ChainMap.__getitem__
    monkeypatch.setattr(collections.ChainMap, "__getitem__",
                        lambda self, key: (reads.append(key), real(self, key))[1])
    assert client.get(url).status_code == 200
    assert reads == []


def test_templates_see_globals_as_the_chainmap_holds_them_now(app):
    env = app.jinja_env
    template = env.from_string("{{ site_name() }} {{ shade }}", globals={"shade": "own"})
    loaded_before = env.from_string("{{ later }}")
    with app.test_request_context("/"):
        assert loaded_before.render() == ""
        env.globals["shade"] = "environment's"  # the template's own stays over it
        assert template.render() == f"{app.config['SITE_NAME']} own"
        env.globals["later"] = "added after loading"
        assert loaded_before.render() == "added after loading"
        assert render_template_string("{{ later }}") == "added after loading"
        assert template.render(shade="given") == f"{app.config['SITE_NAME']} given"
    del env.globals["shade"], env.globals["later"]

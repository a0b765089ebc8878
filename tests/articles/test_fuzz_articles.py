"""Arbitrary input to the article and page forms and URLs: never a 500, never a script."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.accounts.models import Role

TEXT = st.text(max_size=300)
SETTINGS = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@SETTINGS
@given(title=TEXT, body=TEXT, excerpt=TEXT, question=TEXT, tags=TEXT, series=TEXT,
       part=st.one_of(st.just(""), st.integers(-5, 5000).map(str), TEXT),
       status=st.sampled_from(["draft", "publish", "schedule", "", "x"]),
       when=st.one_of(st.just(""), TEXT, st.just("2999-01-01T09:00")))
def test_article_form_never_fails(client_as_staff, title, body, excerpt, question, tags,
                                  series, part, status, when):
    response = client_as_staff.post("/articles/new", data={
        "title": title, "body": body, "excerpt": excerpt, "question": question,
        "tags": tags, "series": series, "series_part": part, "status": status,
        "publish_at": when, "submit": "Save article"})
    assert response.status_code in (200, 302, 400, 429), response.status_code
    if response.status_code == 302:
        page = client_as_staff.get(response.headers["Location"])
        assert page.status_code == 200
        # The only script elements are the site's own static files (no inline script).
        scripts = re.findall(r"<script[^>]*>", page.text.lower())
        assert all(re.fullmatch(r'<script src="/static/js/[a-z]+\.js(\?v=[0-9a-f]+)?" defer>', s)
                   for s in scripts), scripts


@SETTINGS
@given(slug=st.text(min_size=1, max_size=100))
def test_odd_tag_series_and_page_urls_are_never_500(client, slug):
    for prefix in ("/tags/", "/series/", "/pages/"):
        response = client.get(prefix + quote(slug, safe=""))
        assert response.status_code in (200, 301, 308, 400, 404), (prefix, slug)


@pytest.fixture
def client_as_staff(client, make, login):
    login(make.user(role=Role.STAFF))
    return client

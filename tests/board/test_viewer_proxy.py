"""A topic page asks Flask-Login's current_user proxy for its member a bounded number of
times: each attribute read through the proxy costs ~2 us (a context look-up and two of
flask.g), and the page and the rules it asks read many; so the view, its helpers and the
templates' can() use the member object itself (issue 15: 25 reads a page, now 9)."""
from __future__ import annotations

import flask_login.utils

PROXY_READS = 10


def test_a_members_topic_page_reads_the_proxy_a_bounded_number_of_times(app, make, login,
                                                                        client, monkeypatch):
    topic = make.topic(replies=30)
    login(make.user())
    url = f"/t/{topic.id}-{topic.slug}"
    client.get(url)
    reads = []
    real = flask_login.utils._get_user
    monkeypatch.setattr(flask_login.utils, "_get_user", lambda: (reads.append(1), real())[1])
    assert client.get(url).status_code == 200
    assert 0 < len(reads) <= PROXY_READS, len(reads)

"""What a worker keeps between requests (forum/recent.py) is made once per app: a page read
again makes no new Recent. `extensions.setdefault(name, Recent(n))` made one (an
OrderedDict and a lock) on every call only to drop it, nine times on a member's topic page
(issue 15)."""
from __future__ import annotations

from forum import recent
from forum.recent import Recent, app_recent


def test_a_page_read_again_makes_no_new_recent(app, make, login, client, monkeypatch):
    topic = make.topic(replies=30)
    login(make.user())
    url = f"/t/{topic.id}-{topic.slug}"
    for _ in range(2):  # (what the app keeps is made the first time it is needed)
        client.get(url), client.get("/")
    made = []
    real = Recent.__init__
    monkeypatch.setattr(Recent, "__init__", lambda self, limit: (made.append(limit),
                                                                   real(self, limit))[1])
    assert client.get(url).status_code == 200
    assert client.get("/").status_code == 200
    assert made == []


def test_app_recent_is_made_once_and_then_found(app):
    first = app_recent(app, "forum.test_recent", 3)
    assert isinstance(first, Recent) and first.limit == 3
    assert app_recent(app, "forum.test_recent", 3) is first
    assert recent.app_recent(app, "forum.test_recent", 99) is first  # (the first size holds)
    app.extensions.pop("forum.test_recent")

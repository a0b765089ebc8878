"""Article pages cost a fixed number of SQL queries (at most 7), however many entries."""
from __future__ import annotations

import pytest

from forum import pagecache, urls
from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Topic
from forum.extensions import db
from tests.articles.helpers import path, write
from tests.conftest import _clean

BUDGET = 7  # the most a page here runs; was 12


# A kept fragment's 30-second window turning between two counts would add the statements of
# a render to one of them: the clock stands still (conftest.still_clock).
pytestmark = pytest.mark.usefixtures("still_clock")


def _build(app, make, entries: int) -> dict[str, str]:
    staff = make.user(role=Role.STAFF)
    reader = make.user()
    first = write(app, staff, title="Part one", series="Budget series", series_part=1,
                  tags="budget", question="What would you do?")
    for n in range(entries):
        write(app, staff, title=f"Part {n + 2}", series="Budget series", series_part=n + 2,
              tags="budget, other", body=f"Back to [part one]({path(first)}).")
        make.topic(title=f"Tagged discussion {n}", body=f"See [part one]({path(first)}).")
    with app.app_context():
        topic = db.session.get(Topic, first.id)
        board.set_tags(topic, ["budget"])
        for n in range(entries):
            board.post_reply(db.session.get(User, reader.id), topic, f"Comment {n}")
        db.session.commit()
    return {"articles": "/articles", "tag": "/tags/budget", "series": "/series/budget-series",
            "article": path(first)}


def _cost(client, count_queries, url) -> int:
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


@pytest.mark.parametrize("role", [None, Role.MEMBER, Role.STAFF])
def test_article_pages_cost_the_same_with_1_and_30_entries(client, make, login, app,
                                                          count_queries, role):
    costs = {}
    for entries in (1, 30):
        urls = _build(app, make, entries)
        if role is not None:
            login(make.user(role=role))
        costs[entries] = {name: _cost(client, count_queries, url)
                          for name, url in urls.items()}
        client.post("/logout")
        _clean(app)
    assert costs[1] == costs[30], costs
    assert max(costs[30].values()) <= BUDGET, costs


def test_a_kept_articles_page_costs_nothing_and_a_new_article_shows_at_once(
        app, client, make, count_queries):
    """The list's count (for its pages) is kept with the list (pagecache.kept_listing): it
    was 4 ms of the database on every request at 2,000 articles."""
    staff = make.user(role=Role.STAFF)
    for n in range(10):
        write(app, staff, title=f"Article number {n}")
    client.get("/articles")
    assert _cost(client, count_queries, "/articles") == 0
    assert "page=2" not in client.get("/articles").text
    write(app, staff, title="Article eleven")
    page = client.get("/articles").text
    assert "Article eleven" in page and "/articles?page=2" in page


def test_the_count_and_the_page_come_in_one_look_up(app, client, make, monkeypatch):
    """A kept articles or library page asks the page cache's store once (one MGET with
    Redis) for its count and its page; before, once for each. A page asked for beyond the
    last is the last page, looked up again."""
    looked_up = []
    real = pagecache.MemoryStore.fetch_many

    def fetch_many(store, wanted, along=None):
        looked_up.append(len(wanted))
        return real(store, wanted, along)
    monkeypatch.setattr(pagecache.MemoryStore, "fetch_many", fetch_many)
    staff = make.user(role=Role.STAFF)
    for n in range(11):
        write(app, staff, title=f"Paged article {n}")
    for url in ("/articles", "/articles?page=2", "/library"):
        client.get(url)
        looked_up.clear()
        assert client.get(url).status_code == 200
        assert looked_up == [2], url
    looked_up.clear()
    beyond = client.get("/articles?page=9").text
    assert looked_up == [2, 1] and "Paged article 0" in beyond  # the oldest: the last page


def test_a_kept_articles_page_keeps_its_links_to_the_other_pages(app, client, make,
                                                                 monkeypatch):
    """The links to the other pages are kept with the page they are under (its page and
    the number of pages are in its key): a kept page builds no pagination."""
    staff = make.user(role=Role.STAFF)
    for n in range(11):
        write(app, staff, title=f"Linked article {n}")
    for url, current in (("/articles", "1"), ("/articles?page=2", "2")):
        client.get(url)
        built = []
        real = urls.template_url_for

        def template_url_for(endpoint, **values):
            built.append(endpoint)
            return real(endpoint, **values)
        monkeypatch.setattr(urls, "template_url_for", template_url_for)
        again = client.get(url).text
        monkeypatch.undo()
        assert "articles.index" not in built, url  # page_links builds its links with it
        assert f'aria-current="page"><span class="visually-hidden">Page </span>{current}' \
            in again, url

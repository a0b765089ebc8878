"""Latest and Top list the same topics to every viewer of one scope: their rows are kept as a
fragment (board.views._listing), looked up before the topics are loaded, with each member's
"Unread" badges filled in; a reply shows at once; Unread stays each member's own; no viewer
gets another scope's rows."""
from __future__ import annotations

import pytest

from tests.board.test_index_fragment import _back_room


@pytest.mark.parametrize("path", ["/latest", "/top?period=week"])
def test_members_share_the_rows_with_their_own_unread_badges(app, make, login, rendered,
                                                              count_queries, path):
    reader, other = make.user(), make.user()
    read = make.topic(title="Where are the forms kept?", replies=1)
    unread = make.topic(title="Who signs off travel?", replies=2)
    first = login(reader, client=app.test_client())
    second = login(other, client=app.test_client())
    first.get(f"/t/{read.id}-{read.slug}")
    mine = first.get(path).text
    with count_queries() as counter:
        theirs = second.get(path).text
    assert rendered.count("board/_listing_topics.html") == 1, "rendered again for the second"
    for page in (mine, theirs):
        assert "Where are the forms kept?" in page and "Who signs off travel?" in page
        assert "<!--unread:" not in page and "<!--more-->" not in page
    assert mine.count("unread-badge") == 1 and theirs.count("unread-badge") == 2
    # The member with their session's facts, and their read marks: no topic rows.
    assert not any(s.startswith("SELECT topics.id, topics.forum_id")
                   for s in counter.statements), counter.statements
    assert counter.count <= 2, [s[:80] for s in counter.statements]
    assert unread.title in theirs


def test_a_new_topic_or_reply_shows_in_latest_at_once(app, client, make, login, rendered):
    make.topic(title="Budget codes")
    member = login(make.user(), client=app.test_client())
    member.get("/latest")
    member.get("/latest")
    assert rendered.count("board/_listing_topics.html") == 1
    later = make.topic(title="Leave calendar")
    replier = login(make.user(), client=app.test_client())
    assert replier.post(f"/t/{later.id}/reply", data={
        "body": "Ask the team lead."}).status_code == 302
    page = member.get("/latest").text
    assert page.index("Leave calendar") < page.index("Budget codes")
    assert "1 reply" in page


def test_next_page_link_and_unread_tab_are_each_members(app, make, login, rendered,
                                                      monkeypatch):
    monkeypatch.setitem(app.config, "TOPICS_PER_PAGE", 2)
    for n in range(3):
        make.topic(title=f"Topic number {n}")
    member = login(make.user(), client=app.test_client())
    page = member.get("/latest").text
    assert 'rel="next"' in page and "<!--more-->" not in page
    assert 'rel="next"' not in member.get("/latest?page=2").text
    member.get("/unread")
    member.get("/unread")
    assert rendered.count("board/_listing_topics.html") == 4  # Unread: every time


def test_a_private_forums_topics_are_listed_only_for_its_readers(app, make, login):
    insider, outsider = make.user("Inside Member"), make.user("Outside Member")
    _back_room(app, make, insider)
    make.topic(title="Open to all")
    inside = login(insider, client=app.test_client())
    outside = login(outsider, client=app.test_client())
    visitor = app.test_client()
    for path in ("/latest", "/top?period=week"):
        assert "Reorganisation plans" not in visitor.get(path).text
        assert "Reorganisation plans" in inside.get(path).text
        assert "Reorganisation plans" not in outside.get(path).text
        assert "Open to all" in outside.get(path).text

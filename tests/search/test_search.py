"""Full-text search: the same answers on SQLite (FTS5) and PostgreSQL (tsvector), an index
kept in the write's own transaction, visibility decided when searching, safe snippets,
and no input that can break it."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, select, update

from forum import clock, demo
from forum.accounts.models import Role, User
from forum.board import services as board
from forum.board.models import Forum, Post, Topic, TopicKind, TopicStatus
from forum.extensions import db
from forum.moderation import services as moderation
from forum.search import queries
from forum.search.models import SearchDocument, TopicWords
from tests.factories import PASSWORD

# query -> the topic that must come first (titles weigh more than bodies), and topics that
# must (or must not) be among the results. Facts from forum/demo/content.py.
DEMO_QUERIES = [
    ("interpreters", "Offering interpreters on phone calls: how do you arrange it?", [], []),
    ("consultation", "How long should a public consultation stay open?", [], []),
    ("handbook", "Is a team handbook worth the effort?", [], []),
    ('"compressed working week"', "Has anyone trialled a compressed working week?", [], []),
    ("podcasts", "Books and podcasts for new public sector managers", [], []),
    ("open data", "Publishing open data that people actually use", [], []),
    ("satisfaction survey", "Measuring satisfaction without survey fatigue", [], []),
    ("regulations plain language", "Writing regulations in plain language: where do you start?",
     [], []),
    ("modular contracts", "Buying in smaller pieces: modular contracts for digital work", [],
     []),
    ("phone scripts", "Phone scripts: a help or a hindrance?", [], []),
    ("angry caller", "When the caller is angry before you have said hello", [], []),
    ("digest", "Request: a weekly email digest", [], []),
    ("offline OR paper", "Should every online service keep an offline route?",
     ["Lessons from replacing a paper form with an online service"], []),
    ("accessibility -budget", None, ["Lessons from replacing a paper form with an online service"],
     ["Accessibility testing on a small budget"]),
    ("accessibility", None, ["Accessibility testing on a small budget"], []),
]


def titles(response) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", found)) for found in
            re.findall(r'<h3 class="result-title">(.*?)</h3>', response.text, re.S)]


def found(client, q, **filters) -> list[str]:
    response = client.get("/search", query_string={"q": q, **filters})
    assert response.status_code == 200, response.text
    return titles(response)


def test_demo_content_queries_find_the_expected_topics(app, client):
    with app.app_context():
        assert demo.load()
        db.session.commit()
    for q, first, present, absent in DEMO_QUERIES:
        results = found(client, q)
        assert results, q
        if first:
            assert results[0] == first, (q, results)
        assert set(present) <= set(results), (q, results)
        assert not set(absent) & set(results), (q, results)
    # Stemming, on both engines: "services" finds "service".
    assert found(client, "services") and found(client, "service")
    # A common word: counted, paginated, the first page full.
    page = client.get("/search", query_string={"q": "customer service"})
    assert re.search(r"\d+ results</h2>", page.text)
    assert page.text.count('class="result"') == queries.PER_PAGE


def test_titles_weigh_more_than_bodies(make, client):
    forum = make.forum(slug="weights")
    make.topic(forum=forum, title="Notes from the week", body="We talked about the budget.")
    make.topic(forum=forum, title="Budget planning for next year", body="Start early.")
    assert found(client, "budget") == ["Budget planning for next year", "Notes from the week"]



def test_a_word_both_wanted_and_excluded_finds_nothing(make, client):
    """"budget -budget" asks for topics that hold the word and do not: none, not an error
    (hypothesis found "-0- 0-" gave a 500)."""
    forum = make.forum(slug="both-ways")
    make.topic(forum=forum, title="Budget planning", body="Start early.")
    make.topic(forum=forum, title="Rotas", body="Weekly rotas.")
    assert found(client, "budget") == ["Budget planning"]
    assert found(client, "budget -budget") == []
    assert found(client, "rotas OR budget -budget") == ["Rotas"]
    assert client.get("/search", query_string={"q": "-0- 0-"}).status_code == 200


def _ctx_user(user):
    return db.session.get(User, user.id)


def test_index_follows_create_edit_rename_hide_and_move(app, make, client, login):
    author, mod = make.user(), make.user(role=Role.MODERATOR)
    first, second = make.forum(slug="first"), make.forum(slug="second")
    topic = make.topic(author=author, forum=first, title="Rota planning",
                       body="We use a spreadsheet.")
    assert found(client, "spreadsheet") == ["Rota planning"]
    with app.app_context():
        t = db.session.get(Topic, topic.id)
        reply = board.post_reply(_ctx_user(author), t, "A kanban board works for us.")
        db.session.commit()
        reply_id = reply.id
    assert found(client, "kanban") == ["Rota planning"]
    with app.app_context():  # edit: the old words go, the new ones come
        post = db.session.get(Post, reply_id)
        board.edit_post(_ctx_user(author), post, "A whiteboard works for us.")
        db.session.commit()
    assert found(client, "kanban") == [] and found(client, "whiteboard") == ["Rota planning"]
    # Words found together come from the topic's word set, which keeps an edit's old words:
    # the posts still decide.
    assert found(client, "whiteboard spreadsheet") == ["Rota planning"]
    assert found(client, "kanban spreadsheet") == []
    with app.app_context():  # rename: found by its new title only
        moderation.rename_topic(_ctx_user(mod), db.session.get(Topic, topic.id),
                                "Shift patterns")
        db.session.commit()
    assert found(client, "shift patterns") == ["Shift patterns"]
    assert found(client, "rota") == []
    with app.app_context():  # move: the forum filter follows
        moderation.move_topic(_ctx_user(mod), db.session.get(Topic, topic.id),
                              db.session.get(Forum, second.id))
        db.session.commit()
    assert found(client, "whiteboard", forum="second") == ["Shift patterns"]
    assert found(client, "whiteboard", forum="first") == []
    with app.app_context():  # hide: gone for members at once, kept for moderators
        board.hide_post(_ctx_user(author), db.session.get(Post, reply_id), "mine")
        db.session.commit()
    assert found(client, "whiteboard") == []
    login(mod)
    assert found(client, "whiteboard") == ["Shift patterns"]
    assert "Hidden" in client.get("/search?q=whiteboard").text


def test_the_index_is_written_in_the_same_transaction(app, make):
    author = make.user()
    forum = make.forum(slug="atomic")
    with app.app_context():
        board.create_topic(_ctx_user(author), db.session.get(Forum, forum.id),
                           "Rolled back", "Never saved")
        db.session.rollback()
        assert db.session.scalar(select(SearchDocument.post_id)) is None


@pytest.fixture
def private_world(app, make):
    """Public, hidden-post, hidden-topic, draft and not-yet-due scheduled content, all with
    the word 'zeppelin'."""
    author, mod = make.user(), make.user(role=Role.MODERATOR)
    forum = make.forum(slug="private")
    public = make.topic(author=author, forum=forum, title="Public zeppelin", body="Seen.")
    hidden_topic = make.topic(author=author, forum=forum, title="Hidden topic zeppelin")
    draft = make.topic(author=author, forum=forum, title="Draft zeppelin")
    scheduled = make.topic(author=author, forum=forum, title="Scheduled zeppelin")
    with app.app_context():
        t = db.session.get(Topic, public.id)
        hidden = board.post_reply(_ctx_user(make.user()), t, "Hidden reply zeppelin")
        board.hide_post(_ctx_user(mod), hidden, "spam")
        moderation.hide_topic(_ctx_user(mod), db.session.get(Topic, hidden_topic.id), "x")
        db.session.execute(update(Topic).where(Topic.id == draft.id)
                           .values(status=TopicStatus.DRAFT, kind=TopicKind.ARTICLE))
        db.session.execute(update(Topic).where(Topic.id == scheduled.id).values(
            status=TopicStatus.SCHEDULED, publish_at=clock.now() + timedelta(days=2)))
        db.session.commit()
    return {"author": author, "moderator": mod}


def test_hidden_and_draft_content_is_found_only_by_those_allowed(app, make, client, login,
                                                                 private_world):
    everything = {"Public zeppelin", "Hidden topic zeppelin", "Draft zeppelin",
                  "Scheduled zeppelin"}
    assert set(found(client, "zeppelin")) == {"Public zeppelin"}
    assert "Hidden reply" not in client.get("/search?q=zeppelin").text
    for role, expected in [(Role.MEMBER, {"Public zeppelin"}),
                           (Role.STAFF, {"Public zeppelin", "Draft zeppelin",
                                         "Scheduled zeppelin"})]:
        person = app.test_client()
        login(make.user(role=role), client=person)
        assert set(found(person, "zeppelin")) == expected, role
        assert "Hidden reply" not in person.get("/search?q=zeppelin").text
    # The author of hidden content does not find it either (they see it on its page).
    author = app.test_client()
    login(private_world["author"], client=author)
    assert set(found(author, "zeppelin")) == {"Public zeppelin"}
    moderator = app.test_client()
    login(private_world["moderator"], client=moderator)
    assert set(found(moderator, "zeppelin")) == everything
    # A topic's word set holds its hidden reply's words; only moderators find them.
    assert found(client, "hidden public") == [] and found(author, "hidden public") == []
    assert found(moderator, "hidden public") == ["Public zeppelin"]
    # One result per topic: the post shown is the one holding most of the words.
    assert "Hidden <mark>reply</mark>" in moderator.get("/search?q=zeppelin+reply").text
    # A scheduled topic is found by everyone once its time comes, with no job run.
    clock.advance(timedelta(days=3))
    assert set(found(client, "zeppelin")) == {"Public zeppelin", "Scheduled zeppelin"}


def test_filters_and_sorting(app, make, client):
    asker, other = make.user("Asker"), make.user("Other")
    forum, elsewhere = make.forum(slug="filters"), make.forum(slug="elsewhere")
    clock.advance(timedelta(days=-30))
    old = make.topic(author=asker, forum=forum, title="Old question about rotas",
                     body="Rotas?")
    clock.reset()
    new = make.topic(author=other, forum=elsewhere, title="New thoughts on rotas",
                     body="Rotas again and again, rotas.")
    with app.app_context():
        db.session.execute(update(Topic).where(Topic.id == old.id)
                           .values(kind=TopicKind.QUESTION))
        db.session.commit()
    assert found(client, "rotas", sort="date") == ["New thoughts on rotas",
                                                   "Old question about rotas"]
    assert found(client, "rotas", forum="filters") == ["Old question about rotas"]
    assert found(client, "rotas", author="asker") == ["Old question about rotas"]
    assert found(client, "rotas", kind="question") == ["Old question about rotas"]
    assert found(client, "rotas", kind="article") == []
    assert found(client, "rotas", answered="no") == ["Old question about rotas"]
    assert found(client, "rotas", answered="yes") == []
    today = clock.now().date()
    assert found(client, "rotas", since=(today - timedelta(days=1)).isoformat()) == [
        "New thoughts on rotas"]
    assert found(client, "rotas", until=(today - timedelta(days=1)).isoformat()) == [
        "Old question about rotas"]
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.topic_id == old.id))
        reply = board.post_reply(_ctx_user(other), db.session.get(Topic, old.id), "An answer")
        from forum.polls import services as polls
        polls.accept_answer(_ctx_user(asker), reply)
        db.session.commit()
        assert post.id
    assert found(client, "rotas", answered="yes") == ["Old question about rotas"]
    page = client.get("/search", query_string={"q": "rotas", "kind": "question"})
    assert "<details class=\"search-filters\" open>" in page.text  # filters shown when used


@pytest.mark.parametrize("args, message", [
    ({"q": "x", "since": "2015-13-45"}, "Enter a real date"),
    ({"q": "x", "since": "2015-02-01", "until": "2015-01-01"}, "on or after the start"),
    ({"q": "x", "forum": "no-such-forum"}, "Choose one of the listed"),
    ({"q": "x", "kind": "poem"}, "Choose one of the listed"),
    ({"q": "x", "sort": "random"}, "Choose one of the listed"),
    ({"q": "x", "author": "Nobody At All"}, "No member is called"),
    ({"q": "a" * 201}, "at most 200 characters"),
    ({"q": "-only -minus"}, "Enter a word to look for"),
    ({"q": "*** ((( :::"}, "Enter a word to look for"),
])
def test_bad_search_input_is_explained_next_to_the_field(client, args, message):
    response = client.get("/search", query_string=args)
    assert response.status_code == 400
    assert message in response.text
    assert "<title>Error: " in response.text
    assert 'aria-invalid="true"' in response.text
    if "since" in args:
        assert f'value="{args["since"]}"' in response.text  # what was typed stays


def test_the_search_page_without_a_query_shows_the_form(client):
    response = client.get("/search")
    assert response.status_code == 200
    assert 'name="q"' in response.text and "result" not in titles(response)


def test_snippets_are_escaped_except_for_the_highlight(make, client):
    make.topic(title="<script>alert(1)</script> Escaping & marking",
               body="Typed text: 1 < 2 & <b>bold</b> \x02fake\x03 \u0002 marker zebra "
                    "<i>zebra</i>")
    page = client.get("/search?q=zebra").text
    item = re.search(r'<li class="result">.*?</li>', page, re.S).group(0)
    assert "<script" not in item and "&lt;script&gt;" in item
    assert set(re.findall(r"</?([a-z0-9]+)", item)) <= {"li", "h3", "a", "mark", "p", "span",
                                                        "time"}
    assert "<mark>zebra</mark>" in item
    assert "<mark>fake</mark>" not in item
    assert "1 &lt; 2 &amp;" in item


@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(q=st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(
        st.sampled_from(['"', "-", "'", "(", ")", ":", "*", "^", "+", "AND", "OR", "NOT",
                         "NEAR", "NEAR(", "title:", "body:", "{", "}", "<->", "!", "&", "|",
                         "\\", "--", '"-', "-\"", "…", "é", "ß", "日本", "\u200b", "\ufeff",
                         "%", "_", "''", "\t"]),
        st.text(min_size=1, max_size=8)), max_size=12).map(" ".join),
    st.lists(st.sampled_from(['"', "-", "(", ")", ":", "*", "x", " "]), max_size=20)
    .map("".join)),
    sort=st.sampled_from(["relevance", "date"]))
def test_no_query_breaks_search(app, client, q, sort):
    with app.app_context():
        if db.session.scalar(select(SearchDocument.post_id).limit(1)) is None:
            _one_topic(app)
    q = q.replace("\x00", "")
    response = client.get("/search", query_string={"q": q, "sort": sort})
    assert response.status_code in (200, 400), (q, response.status_code)


def _one_topic(app):
    author = db.session.scalar(select(User).limit(1))
    if author is None:
        from forum.accounts import services as accounts
        author = accounts.register("Fuzz author", "fuzz@example.gov", "long enough pass")
    from forum.board.models import Category
    category = Category(title="Fuzz")
    db.session.add(category)
    db.session.flush()
    forum = board.create_forum(category, "Fuzz forum", slug="fuzz-forum")
    board.create_topic(author, forum, "Fuzz NEAR AND OR not", 'Body with "quotes" and -minus')
    db.session.commit()


def test_fts_query_quotes_every_term():
    assert queries.fts_query('budget "plain language" -survey') == \
        '(("budget" AND "plain language")) NOT "survey"'
    assert queries.fts_query("tea OR coffee") == '("tea") OR ("coffee")'
    assert queries.fts_query('title:x NEAR(a b) c*') == '("title:x" AND "NEAR(a" AND "b)" ' \
        'AND "c*")'
    assert queries.fts_query('say "it""s') == '("say" AND "it" AND "s")'
    assert queries.fts_query('-"whole phrase" word') == '(("word")) NOT "whole phrase"'
    assert queries.fts_query("-alone") is None
    assert queries.fts_query('*** "" - OR') is None


def test_reindex_rebuilds_the_index(app, make, client):
    make.topic(title="Reindex me", body="Carefully")
    with app.app_context():
        db.session.execute(delete(SearchDocument))
        db.session.execute(delete(TopicWords))
        db.session.commit()
    assert found(client, "reindex") == []
    result = app.test_cli_runner().invoke(args=["forum", "reindex"])
    assert "1 posts indexed." in result.output, result.output
    assert found(client, "reindex") == ["Reindex me"]
    assert found(client, "carefully") == ["Reindex me"]


def test_a_common_word_is_capped_and_counted_cheaply(app, make, client, monkeypatch):
    monkeypatch.setattr(queries, "CAP", 30)
    topic = make.topic(title="Common words", body="common", replies=0)
    with app.app_context():
        t = db.session.get(Topic, topic.id)
        author = db.session.get(User, t.author_id)
        for i in range(35):
            board.create_topic(author, t.forum, f"Topic {i}", f"common words {i}")
        db.session.commit()
    page = client.get("/search?q=common")
    assert "More than 30 results" in page.text
    assert "page=2" in page.text and "page=3" not in page.text  # 30 results, 20 a page
    # Past the last page: the first page, not an error.
    assert client.get("/search?q=common&page=99").status_code == 200


def test_two_common_words_find_every_topic_that_holds_both(app, make, client, monkeypatch):
    """Each word looks only at its newest TERM_CAP posts, but only in the topics whose words
    hold the whole query: an old topic with "customer" in its title and "service" in a reply
    is found however many newer posts say "service" (before, it was crowded out)."""
    monkeypatch.setattr(queries, "TERM_CAP", 3)
    forum = make.forum(slug="recall")
    clock.advance(timedelta(days=-10))
    old = make.topic(forum=forum, title="Customer complaints", body="How do we log them?",
                     replies=0)
    with app.app_context():
        topic = db.session.get(Topic, old.id)
        board.post_reply(db.session.get(User, topic.author_id), topic,
                         "The service desk keeps a register.")
        db.session.commit()
    clock.reset()
    for i in range(5):
        make.topic(forum=forum, title=f"Rota {i}", body=f"The service rota, week {i}.")
    assert found(client, "customer service") == ["Customer complaints"]
    assert found(client, "service complaints") == ["Customer complaints"]
    assert len(found(client, "service")) == 3  # one word: still its newest posts only


def test_a_word_cut_short_at_its_cap_says_at_least(app, make, client, monkeypatch):
    """A word found in more posts than are looked at (TERM_CAP) gives a count that is a
    lower bound: the page says "At least", and how to find older topics."""
    monkeypatch.setattr(queries, "TERM_CAP", 3)
    forum = make.forum(slug="capped")
    for i in range(5):
        make.topic(forum=forum, title=f"Rota {i}", body=f"The service rota, week {i}.")
    make.topic(forum=forum, title="Rare", body="A quillwort survey, and the service.")
    common = client.get("/search?q=service").text
    assert "At least 3 results" in common and "newest 3 posts only" in common
    rare = client.get("/search?q=quillwort").text
    assert "1 result" in rare and "At least" not in rare and "posts only" not in rare
    both = client.get("/search?q=quillwort+service").text  # narrowed to the one topic
    assert "1 result" in both and "At least" not in both


def _results_page(client, count_queries, url):
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count, response


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "member"])
def test_results_page_costs_the_same_with_few_and_many_results(app, make, client, login,
                                                               count_queries, logged_in):
    from tests.conftest import _clean
    costs = {}
    for size in (1, 120):
        user = make.user("Poster")
        if logged_in:
            login(make.user())
        forum = make.forum(slug="budget")
        topic = make.topic(author=user, forum=forum, title="Budget topic", body="tally")
        with app.app_context():
            t = db.session.get(Topic, topic.id)
            for i in range(size - 1):
                board.post_reply(db.session.get(User, user.id), t, f"tally {i}")
            db.session.commit()
        urls = {"results": "/search?q=tally",
                "filtered": "/search?q=tally&forum=budget&author=Poster&kind=discussion",
                "none": "/search?q=nothingmatches",
                "empty": "/search"}
        costs[size] = {name: _results_page(client, count_queries, url)[0]
                       for name, url in urls.items()}
        _clean(app)
        client.post("/logout")
    assert costs[1] == costs[120], costs
    assert max(costs[120].values()) <= 12, costs


def test_results_are_kept_for_everyone_of_one_scope_and_role(app, make, login, rendered):
    """Two members searching alike share one rendered copy of the results (kept,
    pagecache.kept_fragment); a new matching topic shows at once."""
    make.topic(title="Kept zeppelin", body="Airships.")
    first = login(make.user(), client=app.test_client())
    second = login(make.user(), client=app.test_client())
    assert found(first, "zeppelin") == found(second, "zeppelin") == ["Kept zeppelin"]
    assert rendered.count("search/_results.html") == 1
    make.topic(title="Another zeppelin", body="More airships.")
    assert set(found(second, "zeppelin")) == {"Kept zeppelin", "Another zeppelin"}


def test_the_forum_filter_lists_the_readable_forums_without_making_forum_objects(
        app, make, client):
    """The filter's choices are rows (board.queries.forum_choices): making a Forum for each
    of 50 forums was a seventh of a visitor's search page."""
    make.user("Insider", email="insider@example.gov")
    make.forum(title="Open forum", slug="open-forum")
    make.forum(title="Team forum", slug="team-forum")
    runner = app.test_cli_runner()
    for args in (["groups", "create", "Team"],
                 ["groups", "add-member", "Team", "insider@example.gov"],
                 ["forums", "restrict", "team-forum", "--group", "Team", "--can", "read"]):
        assert runner.invoke(args=["forum", *args]).exit_code == 0
    made = []

    def loaded(forum, context):
        made.append(forum.slug)
    event.listen(Forum, "load", loaded)
    try:
        visitor = client.get("/search", query_string={"q": "rotas", "forum": "open-forum"})
    finally:
        event.remove(Forum, "load", loaded)
    options = re.findall(r'<option( selected)? value="([^"]*)"', visitor.text)
    assert ("", "open-forum") not in options and (" selected", "open-forum") in options
    assert "team-forum" not in visitor.text
    assert made == []
    member = app.test_client()
    assert member.post("/login", data={"login": "insider@example.gov",
                                       "password": PASSWORD}).status_code == 302
    assert 'value="team-forum">Team forum</option>' in member.get("/search").text

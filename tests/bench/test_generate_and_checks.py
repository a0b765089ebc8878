"""The benchmark's data generator and checkers, at a tiny scale.

PostgreSQL only: the generator loads with COPY ... FREEZE and the checkers are PostgreSQL SQL,
so these run in the PostgreSQL pass of the suite (FORUM_TEST_DB=postgres) and are skipped in
the SQLite pass. They use their own schema (bench_test) in the test database, so the
migrated public schema the other tests use is untouched.
"""
from __future__ import annotations

import os

import psycopg
import pytest

from bench.checks import counter_mismatches, missing_writes
from bench.generate import BIG_TOPIC_TITLE, RARE_POSTS, RARE_WORD, Sizes, generate
from bench.mixed import check
from forum import markup

pytestmark = pytest.mark.skipif(
    os.environ.get("FORUM_TEST_DB") != "postgres",
    reason="PostgreSQL only (COPY FREEZE, PostgreSQL SQL checks): runs in the PostgreSQL "
           "pass with FORUM_TEST_DB=postgres and TEST_DATABASE_URL")

SCHEMA = "bench_test"
SCALE = 0.003


@pytest.fixture(scope="module")
def loaded(database):
    result = generate(database, scale=SCALE, seed=3, schema=SCHEMA, quiet=True)
    yield result
    with psycopg.connect(_conninfo(database), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {SCHEMA} CASCADE")


def _conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture
def conn(database, loaded):
    with psycopg.connect(_conninfo(database), options=f"-csearch_path={SCHEMA}") as conn:
        yield conn
        conn.rollback()


def test_generator_loads_the_sizes_asked_for(loaded, conn):
    sizes = Sizes.at(SCALE)
    assert loaded.counts["users"] == sizes.users
    assert conn.execute("SELECT count(*) FROM posts").fetchone()[0] == sizes.posts
    assert conn.execute("SELECT count(*) FROM topics").fetchone()[0] == sizes.topics
    assert conn.execute("SELECT count(*) FROM poll_votes").fetchone()[0] == sizes.poll_votes
    assert conn.execute("SELECT count(*) FROM polls").fetchone()[0] == sizes.polls
    # One revision per post, as the services write them.
    assert conn.execute("SELECT count(*) FROM post_revisions").fetchone()[0] == sizes.posts
    # The big topic is the longest by far, and the rare word is rare.
    title, replies = conn.execute("SELECT title, post_count - 1 FROM topics "
                                  "ORDER BY post_count DESC LIMIT 1").fetchone()
    assert (title, replies) == (BIG_TOPIC_TITLE, sizes.big_replies)
    assert conn.execute("SELECT count(*) FROM posts WHERE body_source LIKE %s",
                        (f"%{RARE_WORD}%",)).fetchone()[0] == RARE_POSTS
    kinds = dict(conn.execute("SELECT kind, count(*) FROM topics GROUP BY kind").fetchall())
    assert kinds["article"] and kinds["link"] and kinds["question"]
    # The search's topic-level word index holds every topic, with its title's words.
    assert conn.execute("SELECT count(*) FROM topic_words").fetchone()[0] == \
        conn.execute("SELECT count(*) FROM topics").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM topic_words w JOIN topics t ON t.id = w.topic_id "
                        "WHERE w.tsv @@ plainto_tsquery('english', %s)",
                        (BIG_TOPIC_TITLE,)).fetchone()[0] >= 1


def test_generated_counters_equal_recounts(conn):
    assert counter_mismatches(conn) == []
    # Sequences continue after the loaded ids, so the app can write next.
    assert conn.execute("SELECT nextval('posts_id_seq') > max(id) FROM posts").fetchone()[0]


def test_body_html_is_what_markup_renders(conn):
    rows = conn.execute("SELECT DISTINCT body_source, body_html FROM posts LIMIT 50").fetchall()
    assert rows
    for source, html in rows:
        assert html == markup.render(source)


def test_checker_finds_a_counter_that_drifted(conn):
    conn.execute("UPDATE topics SET reply_count = reply_count + 1 WHERE id = 1")
    conn.execute("UPDATE forums SET post_count = post_count - 1 WHERE id = 2")
    found = counter_mismatches(conn)  # commits the changes before taking its snapshot
    try:
        assert any(line.startswith("topic counters") for line in found)
        assert any(line.startswith("forum counters") for line in found)
    finally:
        conn.execute("UPDATE topics SET reply_count = reply_count - 1 WHERE id = 1")
        conn.execute("UPDATE forums SET post_count = post_count + 1 WHERE id = 2")
        conn.commit()
    assert counter_mismatches(conn) == []


def test_checker_finds_a_lost_acknowledged_write(conn):
    reply_id, author = conn.execute("SELECT id, author_id FROM posts WHERE position > 1 "
                                    "ORDER BY id LIMIT 1").fetchone()
    topic_id = conn.execute("SELECT max(id) FROM topics").fetchone()[0]
    vote_post, voter = conn.execute("SELECT post_id, user_id FROM post_votes LIMIT 1").fetchone()
    kept = [{"kind": "reply", "id": reply_id, "user": author},
            {"kind": "topic", "id": topic_id, "user": 1},
            {"kind": "vote", "id": vote_post, "user": voter}]
    assert missing_writes(conn, kept) == []
    # A reply acknowledged but never stored, and a vote whose row is gone.
    lost_reply = {"kind": "reply", "id": reply_id + 10**6, "user": author}
    assert missing_writes(conn, kept + [lost_reply]) == [lost_reply]
    conn.execute("DELETE FROM post_votes WHERE post_id = %s AND user_id = %s",
                 (vote_post, voter))
    assert missing_writes(conn, kept) == [kept[2]]
    conn.rollback()


def test_mixed_load_check_fails_on_a_lost_write(database, conn):
    """mixed.py's verdict: a write acknowledged by a redirect but absent is reported lost."""
    reply_id, author = conn.execute("SELECT id, author_id FROM posts WHERE position > 1 "
                                    "ORDER BY id DESC LIMIT 1").fetchone()
    good = {"kind": "reply", "id": reply_id, "user": author}
    lost = {"kind": "topic", "id": 10**7, "user": author}
    verdict = check(database, [good, lost], schema=SCHEMA)
    assert verdict["lost"] == [lost]
    assert verdict["counter_mismatches"] == []
    assert check(database, [good], schema=SCHEMA)["lost"] == []

"""Consistency checks shared by the generator's tests, mixed.py and faults.py.

counter_mismatches() recounts every counter from the rows in set-based SQL (the same rules
as forum.board.services.recount_topic / recount_forum / recount_user and
forum.polls.services.recount_votes, but one statement per table instead of one per row, so it
runs on a million posts in seconds) and returns a description of each difference.
missing_writes() says which acknowledged writes are not in the database.
"""
from __future__ import annotations

import psycopg

PUBLIC = ("(t.status = 'published' OR (t.status = 'scheduled' "
          "AND t.publish_at <= (now() AT TIME ZONE 'utc')))")

CHECKS = {
    "topic counters": f"""
        WITH counted AS (
            SELECT p.topic_id,
                   count(*) AS posts, max(p.position) AS max_position,
                   count(*) FILTER (WHERE p.position > 1 AND p.hidden_at IS NULL) AS replies,
                   count(DISTINCT p.author_id) FILTER (WHERE p.hidden_at IS NULL) AS voices,
                   min(p.id) FILTER (WHERE p.position = 1) AS first_id,
                   coalesce((array_agg(p.id ORDER BY p.position DESC)
                             FILTER (WHERE p.hidden_at IS NULL))[1],
                            min(p.id) FILTER (WHERE p.position = 1)) AS last_id
            FROM posts p GROUP BY p.topic_id)
        SELECT t.id, t.post_count, c.posts, c.max_position, t.reply_count, c.replies,
               t.voice_count, c.voices, t.first_post_id, c.first_id, t.last_post_id, c.last_id
        FROM topics t LEFT JOIN counted c ON c.topic_id = t.id
        WHERE c.topic_id IS NULL OR t.post_count <> c.posts OR c.posts <> c.max_position
           OR t.reply_count <> c.replies OR t.voice_count <> c.voices
           OR t.first_post_id IS DISTINCT FROM c.first_id
           OR t.last_post_id IS DISTINCT FROM c.last_id""",
    "topic last_post_at": """
        SELECT t.id, t.last_post_at, p.created_at FROM topics t JOIN posts p
        ON p.id = t.last_post_id WHERE t.last_post_at IS DISTINCT FROM p.created_at""",
    # The forum's last post is the last post of its most recently active listed topic.
    # Two topics active in the same second are a tie either may win (recount_forum breaks it
    # by topic id, concurrent replies by commit order), so any topic with the latest
    # last_post_at is accepted.
    "forum counters": f"""
        WITH counted AS (
            SELECT t.forum_id, count(*) AS topics, count(*) + sum(t.reply_count) AS posts,
                   max(t.last_post_at) AS latest
            FROM topics t WHERE {PUBLIC} GROUP BY t.forum_id)
        SELECT f.id, f.topic_count, coalesce(c.topics, 0), f.post_count, coalesce(c.posts, 0),
               f.last_post_id, c.latest, lt.last_post_at
        FROM forums f LEFT JOIN counted c ON c.forum_id = f.id
        LEFT JOIN topics lt ON lt.last_post_id = f.last_post_id AND lt.forum_id = f.id
                           AND {PUBLIC.replace("t.", "lt.")}
        WHERE f.topic_count <> coalesce(c.topics, 0) OR f.post_count <> coalesce(c.posts, 0)
           OR lt.last_post_at IS DISTINCT FROM c.latest""",
    "member counters": f"""
        WITH topics_by AS (SELECT t.author_id, count(*) AS n FROM topics t WHERE {PUBLIC}
                           GROUP BY t.author_id),
             replies_by AS (SELECT author_id, count(*) AS n FROM posts
                            WHERE position > 1 AND hidden_at IS NULL GROUP BY author_id)
        SELECT u.id, u.topic_count, coalesce(t.n, 0), u.reply_count, coalesce(r.n, 0)
        FROM users u LEFT JOIN topics_by t ON t.author_id = u.id
        LEFT JOIN replies_by r ON r.author_id = u.id
        WHERE u.topic_count <> coalesce(t.n, 0) OR u.reply_count <> coalesce(r.n, 0)""",
    "helpful votes": """
        WITH counted AS (SELECT post_id, count(*) AS n FROM post_votes GROUP BY post_id)
        SELECT p.id, p.vote_count, coalesce(c.n, 0) FROM posts p
        LEFT JOIN counted c ON c.post_id = p.id
        WHERE p.vote_count <> coalesce(c.n, 0)""",
    "poll option votes": """
        WITH counted AS (SELECT option_id, count(*) AS n FROM poll_votes GROUP BY option_id)
        SELECT o.id, o.vote_count, coalesce(c.n, 0) FROM poll_options o
        LEFT JOIN counted c ON c.option_id = o.id WHERE o.vote_count <> coalesce(c.n, 0)""",
    "poll voters": """
        WITH counted AS (SELECT poll_id, count(*) AS n FROM poll_ballots GROUP BY poll_id)
        SELECT p.id, p.voter_count, coalesce(c.n, 0) FROM polls p
        LEFT JOIN counted c ON c.poll_id = p.id WHERE p.voter_count <> coalesce(c.n, 0)""",
}


def counter_mismatches(conn: psycopg.Connection, limit: int = 5) -> list[str]:
    """Every stored counter that differs from a recount, as readable lines (empty = all good).
    Runs in one REPEATABLE READ snapshot so concurrent writers cannot make it disagree."""
    problems = []
    if not conn.autocommit:
        conn.commit()
    previous, conn.isolation_level = conn.isolation_level, psycopg.IsolationLevel.REPEATABLE_READ
    try:
        with conn.transaction():
            for name, query in CHECKS.items():
                rows = conn.execute(query).fetchall()
                if rows:
                    problems.append(f"{name}: {len(rows)} rows differ, e.g. {rows[:limit]}")
    finally:
        conn.isolation_level = previous
    return problems


# Posts and topics are found by id; votes and reports as (post or poll, member) pairs.
BY_ID = {"reply": "SELECT id FROM posts WHERE id = ANY(%s) AND position > 1",
         "topic": "SELECT id FROM topics WHERE id = ANY(%s)"}
BY_PAIR = {"vote": "SELECT post_id, user_id FROM post_votes WHERE post_id = ANY(%s)",
           "report": "SELECT post_id, reporter_id FROM reports WHERE post_id = ANY(%s)",
           "poll_vote": "SELECT poll_id, user_id FROM poll_ballots WHERE poll_id = ANY(%s)"}


def missing_writes(conn: psycopg.Connection, writes: list[dict]) -> list[dict]:
    """The acknowledged writes ({"kind", "id", "user"}) that are not in the database.

    Votes and reports are checked as (post, member) pairs, posts and topics by id."""
    missing = []
    by_kind: dict[str, list[dict]] = {}
    for write in writes:
        by_kind.setdefault(write["kind"], []).append(write)
    for kind, items in by_kind.items():
        ids = [w["id"] for w in items]
        if kind in BY_PAIR:
            found = set(conn.execute(BY_PAIR[kind], (ids,)).fetchall())
            missing += [w for w in items if (w["id"], w["user"]) not in found]
        else:
            found = {row[0] for row in conn.execute(BY_ID[kind], (ids,))}
            missing += [w for w in items if w["id"] not in found]
    return missing

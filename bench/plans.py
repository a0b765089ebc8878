"""Would PostgreSQL's generic plans be safe? Each page of the load run (bench/run.py), as a
visitor and as a member, and the other pages that read much (home tabs, feeds, the member
directory, moderation and admin pages, as a moderator and an admin too), is fetched
in-process twice and every SELECT the two requests send is kept with its values (the first
request renders what the second may take from a kept fragment, like search's ranking).
Each is then run on two connections, prepared, without JIT or parallel workers (as the
forum's connections, forum/extensions.py), once with `plan_cache_mode =
force_custom_plan` (planned for its values) and once with `force_generic_plan` (one plan
for any values: what PostgreSQL may switch to by itself after five runs of a prepared
statement, and what the forum allows). The statements whose generic plan is slower are
listed; statements marked PLAN_FOR_VALUES
(forum/extensions.py), which the forum never prepares, are left out.

    python bench/plans.py [--repeat 5] [--slower 2.0] [--at-least-ms 0.5]

Uses $BENCH_DATABASE_URL (the forum_bench database). The load run's pages hold the skewed
values that matter: the 20,000-reply topic, the member with the most replies, the forum
with the most topics. Exits 1 when a statement is slower with a generic plan (by
--slower times and --at-least-ms).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from urllib.parse import quote

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FORUM_INSTANCE_PATH", tempfile.mkdtemp(prefix="forum-bench-"))


def captured_statements(app, client, path: str) -> list[tuple[str, dict]]:
    """The SELECT statements two requests for `path` send, with their values, but those
    marked to be planned for their values."""
    from sqlalchemy import event

    from forum.extensions import db
    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, dict]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if context is not None and context.execution_options.get("plan_for_values"):
            return  # never prepared: planned for its values each time (PLAN_FOR_VALUES)
        if statement.startswith("SELECT ") and isinstance(parameters, dict):
            seen.append((statement, dict(parameters)))
    event.listen(engine, "before_cursor_execute", keep)
    try:
        client.get(path)  # renders what the second request may take from a kept fragment
        client.get(path)  # after kept fragments and read marks settle
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    unique = {}
    for statement, values in seen:
        unique.setdefault((statement, repr(sorted(values.items()))), (statement, values))
    return list(unique.values())


def more_pages(database_url: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(name, path, viewers) of the pages outside the load run that read much."""
    from bench.run import conninfo
    with psycopg.connect(conninfo(database_url)) as conn:
        big_id, big_posts = conn.execute(
            "SELECT id, post_count FROM topics ORDER BY post_count DESC LIMIT 1").fetchone()
        forum_slug = conn.execute(
            "SELECT slug FROM forums ORDER BY topic_count DESC LIMIT 1").fetchone()[0]
        deep_post = conn.execute(
            "SELECT id FROM posts WHERE topic_id = %s ORDER BY position DESC LIMIT 1",
            (big_id,)).fetchone()[0]
        member = conn.execute(
            "SELECT display_name FROM users ORDER BY reply_count DESC LIMIT 1").fetchone()[0]
    everyone, members, staff = ("visitor", "member", "moderator"), ("member",), \
        ("moderator", "admin")
    return [
        ("latest", "/latest", everyone), ("latest page 40", "/latest?page=40", everyone),
        ("top year", "/top?period=year", everyone), ("top all", "/top?period=all", everyone),
        ("forums", "/forums", everyone), ("unread", "/unread", members),
        ("members", "/members", everyone), ("members by posts", "/members?sort=posts",
                                            everyone),
        ("members joined", "/members?sort=joined&page=20", everyone),
        ("members search", "/members?q=smith", everyone),
        ("profile (mod)", f"/u/{quote(member)}", staff),
        ("post link (deep)", f"/p/{deep_post}", everyone),
        ("post history", f"/p/{deep_post}/history", everyone),
        ("latest feed", "/feeds/latest.atom", ("visitor",)),
        ("forum feed", f"/feeds/f/{forum_slug}.atom", ("visitor",)),
        ("topic feed", f"/feeds/t/{big_id}.atom", ("visitor",)),
        ("articles feed", "/feeds/articles.atom", ("visitor",)),
        ("search (mod)", "/search?q=service", staff),
        ("search page 5", "/search?q=service&page=5", everyone),
        ("topic deep page (mod)", f"/t/{big_id}?page={big_posts // 25}", staff),
        ("groups", "/groups", everyone), ("messages", "/messages", members),
        ("report queue", "/moderation/queue", staff),
        ("approval queue", "/moderation/approval", staff),
        ("moderation log", "/moderation/log", staff),
        ("warnings", "/moderation/warnings", staff),
        ("admin", "/admin", ("admin",)), ("admin forums", "/admin/forums", ("admin",)),
        ("security log", "/admin/security-log", ("admin",)),
        ("outbox", "/admin/outbox", ("admin",)),
    ]


def timed(conn: psycopg.Connection, statement: str, values: dict, repeat: int) -> float:
    """Median ms of `repeat` prepared runs (after one that prepares it)."""
    conn.execute(statement, values, prepare=True).fetchall()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        conn.execute(statement, values, prepare=True).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--slower", type=float, default=2.0)
    parser.add_argument("--at-least-ms", type=float, default=0.5)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/forum_bench"))
    args = parser.parse_args()
    from bench.run import bench_app, bench_members, conninfo, member_client, pages
    from forum.config import normalise_database_url
    database_url = normalise_database_url(args.database_url)
    app = bench_app(database_url)
    with psycopg.connect(conninfo(database_url)) as conn:
        staff = dict(conn.execute(
            "SELECT DISTINCT ON (role) role, email FROM users WHERE role IN "
            "('moderator', 'admin') ORDER BY role, id").fetchall())
    viewers = {"visitor": app.test_client(),
               "member": member_client(app, bench_members(database_url, 1)[0][1]),
               "moderator": member_client(app, staff["moderator"]),
               "admin": member_client(app, staff["admin"])}
    connections = {}
    for mode in ("force_custom_plan", "force_generic_plan"):
        conn = psycopg.connect(conninfo(database_url), autocommit=True)
        conn.execute(f"SET plan_cache_mode = {mode}")
        conn.execute("SET max_parallel_workers_per_gather = 0")
        conn.execute("SET jit = off")
        connections[mode] = conn
    slower, checked = [], 0
    listed = [(name, path, ("member",) if members_only else ("visitor", "member"))
              for name, path, members_only in pages(database_url)]
    for name, path, who in listed + more_pages(database_url):
        for viewer in who:
            client = viewers[viewer]
            for statement, values in captured_statements(app, client, path):
                custom = timed(connections["force_custom_plan"], statement, values,
                               args.repeat)
                generic = timed(connections["force_generic_plan"], statement, values,
                                args.repeat)
                checked += 1
                flag = generic > custom * args.slower and generic - custom > args.at_least_ms
                if flag:
                    slower.append((name, viewer, statement, custom, generic))
                print(f"{'SLOWER ' if flag else '       '}{name[:24]:<24} {viewer:<9} "
                      f"custom {custom:7.2f} ms  generic {generic:7.2f} ms  "
                      f"{' '.join(statement.split())[:70]}", flush=True)
    print(f"\n{checked} statements, {len(slower)} slower with a generic plan "
          f"(> {args.slower}x and > {args.at_least_ms} ms)")
    for name, viewer, statement, custom, generic in slower:
        print(f"- {name} ({viewer}): {custom:.2f} -> {generic:.2f} ms: "
              f"{' '.join(statement.split())[:160]}")
    return 1 if slower else 0


if __name__ == "__main__":
    sys.exit(main())

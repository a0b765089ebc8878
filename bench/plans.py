"""Would PostgreSQL's generic plans be safe? Each page of the load run (bench/run.py), as a
visitor and as a member, is fetched in-process and every SELECT it sends is kept with its
values. Each is then run on two connections, prepared, once with `plan_cache_mode =
force_custom_plan` (planned for its values: what the forum's connections do,
forum/extensions.py) and once with `force_generic_plan` (one plan for any values: what
PostgreSQL switches to by itself after five runs of a prepared statement). The statements
whose generic plan is slower are listed.

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

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FORUM_INSTANCE_PATH", tempfile.mkdtemp(prefix="forum-bench-"))


def captured_statements(app, client, path: str) -> list[tuple[str, dict]]:
    """The SELECT statements one request for `path` sends, with their values."""
    from sqlalchemy import event

    from forum.extensions import db
    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, dict]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("SELECT ") and isinstance(parameters, dict):
            seen.append((statement, dict(parameters)))
    client.get(path)  # kept fragments and read marks settle first
    event.listen(engine, "before_cursor_execute", keep)
    try:
        client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return seen


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
    viewers = {"visitor": app.test_client(),
               "member": member_client(app, bench_members(database_url, 1)[0][1])}
    connections = {}
    for mode in ("force_custom_plan", "force_generic_plan"):
        conn = psycopg.connect(conninfo(database_url), autocommit=True)
        conn.execute(f"SET plan_cache_mode = {mode}")
        conn.execute("SET max_parallel_workers_per_gather = 0")
        connections[mode] = conn
    slower, checked = [], 0
    for name, path, members_only in pages(database_url):
        for viewer, client in viewers.items():
            if members_only and viewer == "visitor":
                continue
            for statement, values in captured_statements(app, client, path):
                custom = timed(connections["force_custom_plan"], statement, values,
                               args.repeat)
                generic = timed(connections["force_generic_plan"], statement, values,
                                args.repeat)
                checked += 1
                flag = generic > custom * args.slower and generic - custom > args.at_least_ms
                if flag:
                    slower.append((name, viewer, statement, custom, generic))
                print(f"{'SLOWER ' if flag else '       '}{name[:24]:<24} {viewer:<7} "
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

"""One page in-process: time it, list its SQL with timings, or profile it (cProfile).

    python bench/pageprof.py /f/some-forum [--repeat 20] [--sql] [--profile [--dump FILE]]
                                           [--member]

Uses $BENCH_DATABASE_URL (default: the forum_bench database) and the Flask test client, so
what it shows is the application's own cost, without gunicorn or the network. The page cache
is off (every request renders, as for the first visitor after a write); --member measures
the page for a member logged in through the form (the first ordinary member, or the one
whose e-mail follows). --profile prints own time per package first (psycopg's includes
waiting for the database).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FORUM_INSTANCE_PATH", tempfile.mkdtemp(prefix="forum-bench-"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sql", action="store_true", help="list each statement and its time")
    parser.add_argument("--profile", action="store_true", help="cProfile, top 30 by own time")
    parser.add_argument("--dump", metavar="FILE",
                        help="with --profile: also write the stats to FILE (pstats), to read "
                             "callers and callees")
    parser.add_argument("--member", nargs="?", const="auto", metavar="EMAIL",
                        help="as a logged-in member (default: the first ordinary member)")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/forum_bench"))
    args = parser.parse_args()
    from sqlalchemy import event

    from bench.run import bench_app, bench_members, member_client
    from forum.config import normalise_database_url
    from forum.extensions import db
    database_url = normalise_database_url(args.database_url)
    app = bench_app(database_url)
    with app.app_context():
        engine = db.engine
    client = app.test_client()
    if args.member:
        email = bench_members(database_url, 1)[0][1] if args.member == "auto" else args.member
        client = member_client(app, email)
        if client is None:
            parser.error(f"{email} could not log in")
    status = client.get(args.path).status_code
    statements: list[tuple[float, str]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        context._bench_start = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append(((time.perf_counter() - context._bench_start) * 1000, statement))
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    client.get(args.path)
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    profiler = cProfile.Profile() if args.profile else None
    times, cpu = [], []
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        client.get(args.path)
        if profiler:
            profiler.disable()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    # CPU time of this process: the application's own work, which waiting for the database
    # or for a core on a busy machine does not inflate the way it does the wall time.
    print(f"{args.path}: status {status}, {len(statements)} queries "
          f"({sum(ms for ms, _ in statements):.1f} ms of SQL), median "
          f"{statistics.median(times):.1f} ms (CPU {statistics.median(cpu):.1f} ms), "
          f"max {max(times):.1f} ms over {args.repeat}")
    if args.sql:
        for ms, statement in statements:
            print(f"  {ms:7.2f} ms  {' '.join(statement.split())[:200]}")
    if profiler:
        stats = pstats.Stats(profiler)
        if args.dump:
            stats.dump_stats(args.dump)
        print_by_package(stats, args.repeat)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)


def package_of(filename: str) -> str:
    """Where a profiled function lives: a site-package's name, the forum's module folder,
    'templates' for compiled Jinja templates, or 'python' for the standard library."""
    path = Path(filename)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
    if ROOT in path.parents:
        relative = path.relative_to(ROOT).parts
        return "/".join(relative[:2]) if relative[0] == "forum" and len(relative) > 2 \
            else relative[0]
    if filename == "~":
        return "builtins"
    return "python" if filename.startswith("/") else filename.strip("<>")


def print_by_package(stats: pstats.Stats, requests: int) -> None:
    """Own time per package, per request: where the CPU goes, before the function list."""
    totals: dict[str, float] = {}
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():
        package = package_of(filename)
        totals[package] = totals.get(package, 0.0) + own
    everything = sum(totals.values())
    print(f"own time per request by package (profiled, {everything / requests * 1000:.2f} ms):")
    for package, own in sorted(totals.items(), key=lambda item: -item[1])[:20]:
        print(f"  {own / requests * 1000:6.3f} ms  {own / everything:5.1%}  {package}")


if __name__ == "__main__":
    main()

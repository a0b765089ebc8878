"""How long a migration keeps pages waiting, measured on a copy of a populated database.

    createdb -T forum_bench forum_migr_copy      # never the bench database itself
    .venv/bin/python bench/migration_locks.py \
        postgresql+psycopg://postgres@127.0.0.1:5432/forum_migr_copy --down b3e1c0d2a9f4
    dropdb forum_migr_copy

It downgrades the copy to `--down` (not measured), then runs `flask db upgrade` to head as
production would (migrations/env.py, MIGRATION_LOCK_TIMEOUT) while:
- a sampler reads pg_locks every 20 ms and notes, for each table that existed before the
  upgrade, how long the migration's connection held a lock that blocks writes (Share and
  stronger) or reads too (AccessExclusive);
- probes stand for pages: every 50 ms, one connection per table reads a row and another
  updates one (rolled back); the longest a probe waited is what a page would have waited.
It prints each migration's time and the two tables, and exits 1 if anything waited or was
locked longer than --limit seconds (default 1).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "forum-migration"
WRITE_BLOCKING = ("ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock")
PROBED = ("posts", "topics", "users", "forums", "notifications", "search_documents")
_RUNNING = re.compile(r"Running upgrade (\S*) -> (\S+), (.*)")


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _flask(url: str, *args: str, lines=None) -> float:
    env = dict(os.environ, DATABASE_URL=url, FLASK_APP="wsgi", PGAPPNAME=APP_NAME,
               FORUM_ENV="production", SECRET_KEY=os.environ.get("SECRET_KEY", "bench"))
    started = time.monotonic()
    proc = subprocess.Popen([str(ROOT / ".venv/bin/flask"), "db", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        if lines is not None:
            lines.append((time.monotonic(), line.rstrip()))
    if proc.wait():
        sys.exit(f"flask db {' '.join(args)} failed:\n" + "\n".join(l for _, l in lines or []))
    return time.monotonic() - started


class Sampler(threading.Thread):
    """Spans of locks the migration's connection holds on existing tables."""

    def __init__(self, url: str, tables: set[str]):
        super().__init__(daemon=True)
        self.url, self.tables, self.stop = url, tables, threading.Event()
        self.held: dict[tuple[str, str], list[float]] = {}  # (table, mode) -> [first, last]
        self.longest: dict[tuple[str, str], float] = {}

    def run(self):
        with psycopg.connect(_libpq(self.url), autocommit=True) as conn:
            while not self.stop.is_set():
                now = time.monotonic()
                rows = conn.execute(
                    "SELECT c.relname, l.mode FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid "
                    "JOIN pg_class c ON c.oid = l.relation "
                    "WHERE a.application_name = %s AND l.granted AND l.locktype = 'relation' "
                    "AND c.relkind IN ('r', 'p')", (APP_NAME,)).fetchall()
                seen = {(t, m) for t, m in rows if t in self.tables and m in WRITE_BLOCKING}
                for key in seen:
                    self.held.setdefault(key, [now, now])[1] = now
                for key in list(self.held):
                    if key not in seen:
                        first, last = self.held.pop(key)
                        self.longest[key] = max(self.longest.get(key, 0), last - first)
                time.sleep(0.02)
        for key, (first, last) in self.held.items():
            self.longest[key] = max(self.longest.get(key, 0), last - first)


class Probe(threading.Thread):
    """A page touching `table` every 50 ms: the longest it had to wait."""

    def __init__(self, url: str, table: str, write: bool):
        super().__init__(daemon=True)
        self.url, self.table, self.write, self.stop = url, table, write, threading.Event()
        self.worst, self.count, self.errors = 0.0, 0, 0

    def run(self):
        with psycopg.connect(_libpq(self.url), autocommit=True) as conn:
            conn.execute("SET statement_timeout = '60s'")
            key = conn.execute(f"SELECT min(id) FROM {self.table}").fetchone()[0] \
                if self.table != "search_documents" else None
            while not self.stop.is_set():
                started = time.monotonic()
                try:
                    with conn.transaction(force_rollback=True):
                        if self.write and key is not None:
                            conn.execute(f"UPDATE {self.table} SET id = id WHERE id = %s",
                                         (key,))
                        else:
                            conn.execute(f"SELECT 1 FROM {self.table} LIMIT 1").fetchone()
                except psycopg.Error:
                    self.errors += 1
                self.worst = max(self.worst, time.monotonic() - started)
                self.count += 1
                time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="a COPY of a populated database (it is migrated)")
    parser.add_argument("--down", required=True, help="revision to start the upgrade from")
    parser.add_argument("--limit", type=float, default=1.0)
    args = parser.parse_args()
    if args.url.rsplit("/", 1)[-1].split("?")[0] == "forum_bench":
        sys.exit("Refusing to migrate the bench database itself: copy it (createdb -T).")
    print(f"downgrade to {args.down}: {_flask(args.url, 'downgrade', args.down):.1f} s")
    with psycopg.connect(_libpq(args.url)) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        sizes = dict(conn.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'").fetchall())
    sampler = Sampler(args.url, tables)
    probes = [Probe(args.url, t, w) for t in PROBED if t in tables for w in (False, True)]
    for thread in (sampler, *probes):
        thread.start()
    time.sleep(0.5)
    lines: list[tuple[float, str]] = []
    total = _flask(args.url, "upgrade", lines=lines)
    time.sleep(0.2)
    for thread in (sampler, *probes):
        thread.stop.set()
    for thread in (sampler, *probes):
        thread.join()

    print(f"\nupgrade to head: {total:.2f} s in all (one process, imports included)\n")
    print("| migration | s |\n| --- | ---: |")
    steps = [(at, m.groups()) for at, line in lines if (m := _RUNNING.search(line))]
    for i, (at, (_, rev, name)) in enumerate(steps):
        end = steps[i + 1][0] if i + 1 < len(steps) else lines[-1][0]
        print(f"| {rev} {name[:60]} | {end - at:.2f} |")
    print("\n| existing table (rows) | lock held | longest s |\n| --- | --- | ---: |")
    for (table, mode), seconds in sorted(sampler.longest.items(), key=lambda kv: -kv[1]):
        print(f"| {table} (~{max(sizes.get(table, 0), 0):,}) | {mode} | {seconds:.2f} |")
    if not sampler.longest:
        print("| (none) | | |")
    print("\n| probe | tries | errors | longest wait s |\n| --- | ---: | ---: | ---: |")
    for p in probes:
        print(f"| {'update' if p.write else 'read'} {p.table} | {p.count} | {p.errors} "
              f"| {p.worst:.3f} |")
    worst = max([*sampler.longest.values(), *(p.worst for p in probes), 0])
    print(f"\nlongest: {worst:.2f} s (limit {args.limit} s)")
    return 0 if worst <= args.limit else 1


if __name__ == "__main__":
    sys.exit(main())

"""Search recall and speed on the benchmark data: for each query, the topics found ("+":
more than the results cap matched, or a word was cut short at its TERM_CAP posts) and the
median time of the whole `queries.search()` for a visitor, in-process.

    python bench/search.py [--repeat 10] ["another query" ...]

Uses $BENCH_DATABASE_URL (default: the forum_bench database). The "uncapped" column counts
the topics that truly match (every word in some findable post of the topic, phrases within
one post), computed without any cap, for the plain-word queries: recall is found / uncapped.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FORUM_INSTANCE_PATH", tempfile.mkdtemp(prefix="forum-bench-"))

QUERIES = ["phone", "customer service", "budget OR procurement", '"open data"',
           "service -phone", "records accessibility", "intrepreter"]


def uncapped(db, text, query: str) -> int | None:
    """Topics whose findable (public, visible) posts hold every word, without caps."""
    if any(c in query for c in '"-') or " OR " in query:
        return None
    words = query.split()
    exists = " AND ".join(
        f"EXISTS (SELECT 1 FROM posts p JOIN search_documents d ON d.post_id = p.id "
        f"WHERE p.topic_id = t.id AND p.hidden_at IS NULL "
        f"AND d.tsv @@ plainto_tsquery('english', :w{i}))" for i in range(len(words)))
    return db.session.scalar(text(
        f"SELECT count(*) FROM topics t WHERE t.id IN (SELECT t2.id FROM topics t2) AND {exists}"),
        {f"w{i}": w for i, w in enumerate(words)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("queries", nargs="*")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/forum_bench"))
    args = parser.parse_args()
    from flask_login import AnonymousUserMixin
    from sqlalchemy import text

    from bench.run import bench_app
    from forum.config import normalise_database_url
    from forum.extensions import db
    from forum.search import queries
    app = bench_app(normalise_database_url(args.database_url))
    visitor = AnonymousUserMixin()
    print("| query | topics found | uncapped | median ms |")
    print("|---|---:|---:|---:|")
    with app.test_request_context():
        for query in args.queries or QUERIES:
            criteria = queries.Criteria(q=query)
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                results = queries.search(visitor, criteria, 1, queries.PER_PAGE)
                times.append((time.perf_counter() - started) * 1000)
                db.session.rollback()
            found = f"{results.total:,}" + ("+" if results.more or results.partial else "")
            truth = uncapped(db, text, query)
            print(f"| {query} | {found} | {'' if truth is None else f'{truth:,}'} "
                  f"| {statistics.median(times):.1f} |")
            db.session.rollback()


if __name__ == "__main__":
    main()

"""In-process page benchmark: queries and median render time, first vs last page.

    .venv/bin/python bench/pages.py [--replies 20000] [--repeat 50]

Builds a scratch SQLite database (migrated), one topic with N replies inserted in bulk, and
times the index, the forum page and the first and deepest full pages of the topic through the WSGI
test client. Writes bench/results/pages.json. A speed target, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FORUM_INSTANCE_PATH", tempfile.mkdtemp(prefix="forum-bench-"))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from forum import create_app  # noqa: E402
from forum.config import TestConfig  # noqa: E402
from forum.extensions import db  # noqa: E402
from tests.conftest import config_dict  # noqa: E402
from tests.factories import Factory  # noqa: E402


def measure(client, engine, url: str, repeat: int) -> dict:
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])
    event.listen(engine, "before_cursor_execute", count)
    client.get(url)
    event.remove(engine, "before_cursor_execute", count)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {"url": url, "queries": len(statements), "median_ms": round(statistics.median(times), 2),
            "p90_ms": round(sorted(times)[int(len(times) * 0.9) - 1], 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    database = f"sqlite:///{tempfile.mkdtemp(prefix='forum-bench-db-')}/bench.db"
    app = create_app({**config_dict(TestConfig), "SQLALCHEMY_DATABASE_URI": database,
                      "VIEW_FLUSH_SECONDS": 3600})
    with app.app_context():
        upgrade()
        engine = db.engine
    forum = Factory(app).forum(slug="bench")
    topic = Factory(app).long_topic(args.replies, forum=forum)
    per_page = app.config["POSTS_PER_PAGE"]
    # The deepest page holding a full 25 posts, so first and deep pages do the same work.
    deep_page = (topic.post_count // per_page)
    client = app.test_client()
    base = f"/t/{topic.id}-{topic.slug}"
    rows = [measure(client, engine, url, args.repeat)
            for url in ["/", "/f/bench", base, f"{base}?page={deep_page}"]]
    print(f"{'page':<45} {'queries':>7} {'median ms':>10} {'p90 ms':>8}")
    for row in rows:
        print(f"{row['url']:<45} {row['queries']:>7} {row['median_ms']:>10} {row['p90_ms']:>8}")
    ratio = rows[3]["median_ms"] / rows[2]["median_ms"]
    print(f"deepest full page / first page time: {ratio:.2f}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "pages.json").write_text(json.dumps({"replies": args.replies, "rows": rows,
                                                "deep_over_first": round(ratio, 3)}, indent=2))


if __name__ == "__main__":
    main()

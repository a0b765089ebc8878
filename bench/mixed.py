"""Mixed load: simulated members reading and writing at once, then a consistency check.

    .venv/bin/python bench/mixed.py [--seconds 60] [--members 64] [--base-url URL]

64 members (threads, each an HTTP client with its own session, talking to 127.0.0.1 only)
log in, then for --seconds (bounded) make 80% reads (index, forum pages, topic pages at any
depth, profiles, search) and 20% writes (replies, new topics, helpful votes, poll votes,
reports). CSRF stays on: each member fetches a form page once and sends that session's token
with every write. Rate limits are raised, not turned off (bench/app.py), so the limiter runs.

Every acknowledged write (a 302 to the new post/topic, or back to the post voted on) is
logged to bench/results/mixed-writes.jsonl. Afterwards the checker (bench/checks.py) looks
each one up in the database and recounts every counter; the run fails on any 5xx, any lost
acknowledged write or any counter that differs from its recount.

Without --base-url the script serves bench.app:app itself with gunicorn (README settings),
with a private redis-server as production has one (run.py's), so the members' pages are
served as there: the member kept between requests and checked in the page's round trip,
kept rows, fragments and view counts in Redis (--no-redis: without). It reports how many
requests were made again because a kept row or member had changed (`made_again`).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from bench.checks import counter_mismatches, missing_writes  # noqa: E402
from bench.generate import BENCH_ARGON2, BENCH_PASSWORD, COMMON_WORD  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/forum_bench"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
POST_ID = re.compile(r"#post-(\d+)")
TOPIC_ID = re.compile(r"/t/(\d+)")
WRITE_SHARE = 0.2


def conninfo(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


@dataclass
class Targets:
    """What the members read and write, sampled from the database once."""
    topics: list[tuple[int, str, int]]       # id, slug, post_count
    forums: list[tuple[int, str]]
    posts: list[int]                         # visible replies
    polls: list[tuple[int, list[int]]]       # poll id, option ids
    members: list[tuple[int, str, str]]      # id, email, display name
    big_topic: tuple[int, str, int]

    @classmethod
    def load(cls, database_url: str, members: int, seed: int = 7) -> Targets:
        with psycopg.connect(conninfo(database_url)) as conn:
            conn.execute("SELECT setseed(%s)", (seed / 100,))
            topics = conn.execute(
                "SELECT id, slug, post_count FROM topics WHERE status = 'published' "
                "ORDER BY random() LIMIT 2000").fetchall()
            big = conn.execute("SELECT id, slug, post_count FROM topics "
                               "ORDER BY post_count DESC LIMIT 1").fetchone()
            forums = conn.execute("SELECT id, slug FROM forums").fetchall()
            posts = [r[0] for r in conn.execute(
                "SELECT id FROM posts WHERE position > 1 AND hidden_at IS NULL "
                "ORDER BY random() LIMIT 5000")]
            polls = [(r[0], r[1]) for r in conn.execute(
                "SELECT p.id, array_agg(o.id ORDER BY o.position) FROM polls p "
                "JOIN poll_options o ON o.poll_id = p.id "
                "WHERE p.closed_at IS NULL AND p.closes_at IS NULL AND NOT p.multiple "
                "GROUP BY p.id LIMIT 200")]
            people = conn.execute(
                "SELECT id, email, display_name FROM users WHERE role = 'member' "
                "AND suspended_until IS NULL ORDER BY random() LIMIT %s", (members,)).fetchall()
        return cls(topics, forums, posts, polls, people, big)


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    server_errors: list[dict] = field(default_factory=list)
    writes: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, response: httpx.Response | None, seconds: float,
               path: str) -> None:
        status = response.status_code if response is not None else "connection error"
        with self.lock:
            self.statuses[status] += 1
            self.latencies.setdefault(kind, []).append(seconds * 1000)
            if response is not None and response.status_code >= 500:
                self.server_errors.append({"path": path, "status": response.status_code,
                                           "at": round(time.monotonic(), 3),
                                           "traceback": "Traceback" in response.text,
                                           "body": response.text[:200]})

    def acknowledge(self, write: dict) -> None:
        with self.lock:
            self.writes.append(write)


class Member:
    """One simulated member: an HTTP client holding a logged-in session and its CSRF token."""

    def __init__(self, base_url: str, user: tuple[int, str, str], targets: Targets,
                 tally: Tally, seed: int):
        self.base = base_url
        self.user_id, self.email, self.name = user
        self.targets, self.tally = targets, tally
        self.rng = random.Random(seed)
        self.client = httpx.Client(base_url=base_url, timeout=30, follow_redirects=False)
        self.token = ""

    def request(self, kind: str, method: str, path: str, **kwargs) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.TransportError:
            response = None
        self.tally.record(kind, response, time.perf_counter() - start, path)
        return response

    def log_in(self) -> bool:
        page = self.client.get("/login")
        token = TOKEN.search(page.text)
        response = self.client.post("/login", data={
            "csrf_token": token.group(1) if token else "", "login": self.email,
            "password": BENCH_PASSWORD})
        if response.status_code != 302:
            return False
        topic_id, _, _ = self.targets.big_topic
        form = self.client.get(f"/t/{topic_id}/reply")  # any form: the session's token
        token = TOKEN.search(form.text)
        self.token = token.group(1) if token else ""
        return bool(self.token)

    # --- reads ---------------------------------------------------------------------------
    def read(self) -> None:
        rng, t = self.rng, self.targets
        roll = rng.random()
        if roll < 0.10:
            path = "/"
        elif roll < 0.30:
            path = f"/f/{rng.choice(t.forums)[1]}?page={rng.choice([1, 1, 1, 2, 3])}"
        elif roll < 0.85:
            tid, slug, posts = t.big_topic if rng.random() < 0.1 else rng.choice(t.topics)
            pages = max(1, -(-posts // 25))
            page = rng.choice([1, pages, rng.randint(1, pages)])
            path = f"/t/{tid}-{slug}?page={page}"
        elif roll < 0.95:
            path = f"/u/{quote(rng.choice(t.members)[2])}"
        else:
            path = f"/search?q={COMMON_WORD}"
        self.request("read", "GET", path)

    # --- writes --------------------------------------------------------------------------
    def write(self) -> None:
        rng, t = self.rng, self.targets
        roll = rng.random()
        data = {"csrf_token": self.token}
        if roll < 0.45:
            tid, slug, _ = t.big_topic if rng.random() < 0.1 else rng.choice(t.topics)
            data["body"] = f"Load reply from member {self.user_id}: {rng.random():.6f}"
            response = self.request("reply", "POST", f"/t/{tid}/reply", data=data)
            self._ack(response, "reply", POST_ID)
        elif roll < 0.55:
            fid = rng.choice(t.forums)[0]
            data.update(forum=str(fid), kind="discussion",
                        title=f"Load topic {rng.randint(1, 10**9)} about service",
                        body="A new topic written by the mixed-load benchmark.")
            response = self.request("topic", "POST", "/t/new", data=data)
            self._ack(response, "topic", TOPIC_ID)
        elif roll < 0.85:
            post_id = rng.choice(t.posts)
            data["helpful"] = "1"
            response = self.request("vote", "POST", f"/p/{post_id}/helpful", data=data)
            self._ack(response, "vote", None, post_id)
        elif roll < 0.95:
            post_id = rng.choice(t.posts)
            data.update(reason=rng.choice(["spam", "off_topic", "other"]), details="")
            response = self.request("report", "POST", f"/p/{post_id}/report", data=data)
            self._ack(response, "report", None, post_id)
        elif t.polls:
            poll_id, options = rng.choice(t.polls)
            data["choice"] = str(rng.choice(options))
            response = self.request("poll_vote", "POST", f"/polls/{poll_id}/vote", data=data)
            self._ack(response, "poll_vote", None, poll_id)

    def _ack(self, response, kind: str, pattern, known_id: int | None = None) -> None:
        """A write is acknowledged by its redirect; log what it says was written."""
        if response is None or response.status_code != 302:
            return
        location = response.headers.get("location", "")
        if "/login" in urlsplit(location).path:
            return
        at = round(time.monotonic(), 3)
        if pattern is None:
            self.tally.acknowledge({"kind": kind, "id": known_id, "user": self.user_id,
                                    "location": location, "at": at})
        elif match := pattern.search(location):
            self.tally.acknowledge({"kind": kind, "id": int(match.group(1)),
                                    "user": self.user_id, "location": location, "at": at})

    def run(self, until: float, stop: threading.Event) -> None:
        while time.monotonic() < until and not stop.is_set():
            if self.rng.random() < WRITE_SHARE:
                self.write()
            else:
                self.read()


def run_load(base_url: str, targets: Targets, seconds: float, tally: Tally,
             during=None) -> float:
    """Log every member in, then load for `seconds`; `during(elapsed)` is called about once
    a second from the main thread (faults.py injects its faults there). Returns elapsed."""
    members = [Member(base_url, user, targets, tally, seed=i)
               for i, user in enumerate(targets.members)]
    logged_in: list[Member] = []
    lock = threading.Lock()

    def log_in(member: Member) -> None:
        if member.log_in():
            with lock:
                logged_in.append(member)
    threads = [threading.Thread(target=log_in, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(logged_in) < len(members):
        print(f"warning: {len(members) - len(logged_in)} members could not log in", flush=True)
    stop = threading.Event()
    start = time.monotonic()
    until = start + seconds
    threads = [threading.Thread(target=m.run, args=(until, stop), daemon=True)
               for m in logged_in]
    for thread in threads:
        thread.start()
    try:
        while time.monotonic() < until:
            time.sleep(1)
            if during is not None:
                during(time.monotonic() - start)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        for member in members:
            member.client.close()
    return time.monotonic() - start


def check(database_url: str, writes: list[dict], schema: str = "public") -> dict:
    """The checker: acknowledged writes missing from the database, and counters that differ
    from a recount."""
    with psycopg.connect(conninfo(database_url), options=f"-csearch_path={schema}") as conn:
        missing = missing_writes(conn, writes)
        mismatches = counter_mismatches(conn)
    return {"acknowledged": len(writes), "lost": missing, "counter_mismatches": mismatches}


def summarise(tally: Tally, elapsed: float, checked: dict) -> dict:
    latency = {kind: {"count": len(values), "p50_ms": round(statistics.median(values), 1),
                      "p99_ms": round(sorted(values)[int(len(values) * 0.99) - 1]
                                      if len(values) >= 100 else max(values), 1)}
               for kind, values in tally.latencies.items() if values}
    # Every request here is a logged-in member's: their latency over all of them.
    everything = sorted(v for values in tally.latencies.values() for v in values)
    member = {"count": len(everything),
              "p50_ms": round(statistics.median(everything), 1) if everything else None,
              "p99_ms": round(everything[max(int(len(everything) * 0.99) - 1, 0)], 1)
              if everything else None}
    statuses = {str(k): v for k, v in sorted(tally.statuses.items(), key=str)}
    total = sum(tally.statuses.values())
    five_xx = sum(v for k, v in tally.statuses.items() if isinstance(k, int) and k >= 500)
    return {"seconds": round(elapsed, 1), "requests": total,
            "requests_per_second": round(total / elapsed, 1) if elapsed else 0,
            "statuses": statuses, "5xx": five_xx, "member_latency": member,
            "latency": latency,
            "writes_by_kind": dict(Counter(w["kind"] for w in tally.writes)),
            "acknowledged_writes": checked["acknowledged"], "lost_writes": checked["lost"],
            "counter_mismatches": checked["counter_mismatches"],
            "server_errors": tally.server_errors[:20]}


# a request log line of a dropped answer (forum/roundtrip.py: a 307 to itself, never sent)
MADE_AGAIN = re.compile(r" (GET|HEAD) \S+ 307 ")


def serve(database_url: str, extra_env: dict | None = None, log: str = "gunicorn-mixed.log"):
    """gunicorn serving bench.app:app (rate limits raised) with the README's settings."""
    from bench.run import Server
    env = {**os.environ, **BENCH_ARGON2, "DATABASE_URL": database_url,
           "SECRET_KEY": "bench-secret",
           "FORUM_INSTANCE_PATH": tempfile.mkdtemp(prefix="forum-bench-instance-"),
           "PYTHONPATH": str(ROOT), "PYTHONFAULTHANDLER": "1", "VIEW_FLUSH_SECONDS": "5",
           **(extra_env or {})}
    if not (extra_env or {}).get("REDIS_URL"):
        env.pop("REDIS_URL", None)
    RESULTS.mkdir(exist_ok=True)
    return Server("bench.app:app", env, RESULTS / log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--members", type=int, default=64)
    parser.add_argument("--base-url", help="a forum already serving (default: start one)")
    parser.add_argument("--no-redis", action="store_true",
                        help="serve without Redis (each worker's memory caches)")
    parser.add_argument("--database-url",
                        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args(argv)
    from forum.config import normalise_database_url
    database_url = normalise_database_url(args.database_url)
    targets = Targets.load(database_url, args.members)
    redis_server = server = None
    if not args.base_url:
        from bench.run import Redis
        if not args.no_redis:
            redis_server = Redis()
            redis_server.start()
        server = serve(database_url, {"REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0"}
                       if redis_server else None)
    base_url = args.base_url or server.url
    tally = Tally()
    try:
        elapsed = run_load(base_url, targets, min(args.seconds, 600), tally)
    finally:
        if server:
            server.stop()
        if redis_server:
            redis_server.stop()
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / "mixed-writes.jsonl").open("w") as log:
        for write in tally.writes:
            log.write(json.dumps(write) + "\n")
    result = summarise(tally, elapsed, check(database_url, tally.writes))
    if server:  # answers dropped and made again (forum/roundtrip.py), as the log has them
        with server.log_path.open(errors="replace") as log:
            result["made_again"] = sum(1 for line in log if MADE_AGAIN.search(line))
    (RESULTS / "mixed.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "server_errors"}, indent=2))
    ok = not result["5xx"] and not result["lost_writes"] and not result["counter_mismatches"]
    print("mixed load:", "OK" if ok else "FAILED", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Load benchmark: the forum under gunicorn against a baseline Flask app, measured with wrk,
for visitors (page cache on, page cache off) and for logged-in members, in one run.

    make bench-data   # once: bench/generate.py fills $BENCH_DATABASE_URL (1,000,000 posts)
    make bench        # this script
    python bench/run.py [--seconds 5] [--connections 16] [--members 64]
                        [--only index,topic] [--modes visitor,nocache,member]
                        [--gunicorn '--workers 5 --worker-class gthread --threads 4']

Both apps are served by gunicorn with the same settings (GUNICORN_ARGS: 4 sync workers;
--gunicorn to compare others, gthread workers say) in the same run. The forum is served
twice, one after the other: with the visitors' page cache (PAGE_CACHE_SECONDS=10, the
default) for the "visitor (cached)" column, then with it off for "visitor (cache off)" and
"member". Members: --members distinct members (64) log in through
the real log-in form (CSRF token and all); wrk then spreads each page's requests over their
cookies (bench/members.lua). Each page gets `wrk -c16 -d<seconds>s --latency` per column.
The baseline is measured beside every page: a baseline run before each page's run and one
after the last, and a page's ratio is to the mean of the two runs either side of it. The
machine's speed drifts (runs minutes apart here differed by 15-40%), so a page measured in a
slow minute is compared with the baseline in that minute, not with one taken at the start
(bench/README.md, session 20). The summary keeps every baseline run.

In-process, for the visitor (cache off) and one member: SQL statements of one request
(a before_cursor_execute listener) and the median time through the Flask test client. Worker
RSS is read from /proc after the run. Every gunicorn writes its log to
bench/results/gunicorn-<name>.log (`.ci/check-crashes` fails on a crashed worker in any of
them). Results: bench/results/latest.md and latest.json.

The forum servers get REDIS_URL pointing at a private redis-server on a free port (started
and stopped here, never the shared 6379), as production has one: the visitors' page cache
and the kept post lists live there (--no-redis leaves it out).

A page whose feature is not built yet (404) is reported "not available", not a failure.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from bench.generate import BENCH_ARGON2, BENCH_PASSWORD, COMMON_WORD, RARE_WORD  # noqa: E402

RESULTS = ROOT / "bench" / "results"
MEMBERS_LUA = ROOT / "bench" / "members.lua"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
# Both apps alike, with production's settings file (deploy/gunicorn.conf.py: sync workers,
# the app loaded once before the workers fork, metrics from every worker) but 4 workers (2
# per core; production runs 2 x cores + 1) that are never replaced (production replaces one
# every ~5,000 requests, which under wrk would be every few seconds). --gunicorn compares
# others: gthread workers (5 x 4 threads) served the same requests/s with p99 two to five
# times longer (bench/README.md).
GUNICORN_ARGS = ["-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--workers", "4",
                 "--max-requests", "0"]
# the members' browser (log-in, check and wrk send it: see log_in)
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/forum_bench"
# The production app with rate limits raised (bench/app.py): 64 members log in from one
# address, which the log-in limit would otherwise (rightly) refuse.
FORUM_APP = "bench.app:app"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
MODES = ("visitor", "nocache", "member")
MODE_TITLES = {"visitor": "visitor (cached)", "nocache": "visitor (cache off)",
               "member": "member"}

TARGETS = {"visitor_ratio": 0.5, "nocache_ratio": 0.25, "member_ratio": 0.25,
           "p99_ms": 50.0, "deep_over_first": 1.10, "rss_mb": 150.0,
           # in-process medians for a member, ms (issue 15)
           "in_process_ms": {"index": 3.0, "forum page": 3.0, "topic page 1": 5.0,
                             "topic deepest": 5.0, "search": 10.0}}


def gunicorn() -> str:
    """The gunicorn next to this interpreter (a worktree has no .venv of its own)."""
    for candidate in (ROOT / ".venv" / "bin" / "gunicorn",
                      Path(sys.executable).parent / "gunicorn"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("gunicorn") or "gunicorn"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def conninfo(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


def pages(database_url: str) -> list[tuple[str, str, bool]]:
    """(name, path, members only) of every page the issue lists, found in the data."""
    with psycopg.connect(conninfo(database_url)) as conn:
        big_id, big_slug, big_posts = conn.execute(
            "SELECT id, slug, post_count FROM topics ORDER BY post_count DESC LIMIT 1").fetchone()
        forum_slug = conn.execute(
            "SELECT slug FROM forums ORDER BY topic_count DESC LIMIT 1").fetchone()[0]
        member = conn.execute(
            "SELECT display_name FROM users ORDER BY reply_count DESC LIMIT 1").fetchone()[0]
    last = -(-big_posts // 25)
    topic = f"/t/{big_id}-{big_slug}"
    return [
        ("index", "/", False),
        ("latest", "/latest", False),
        ("forum page", f"/f/{forum_slug}", False),
        ("topic page 1 (big topic)", topic, False),
        ("topic last page (big topic)", f"{topic}?page={last}", False),
        ("topic deepest full page", f"{topic}?page={big_posts // 25}", False),
        ("articles", "/articles", False),
        ("library", "/library", False),
        (f"search common ({COMMON_WORD})", f"/search?q={COMMON_WORD}", False),
        (f"search rare ({RARE_WORD})", f"/search?q={RARE_WORD}", False),
        ("profile", f"/u/{quote(member)}", False),
        ("notifications", "/notifications", True),
        ("settings", "/settings", True),
    ]


def bench_members(database_url: str, count: int) -> list[tuple[int, str]]:
    """(id, e-mail) of `count` ordinary members in good standing (all have BENCH_PASSWORD)."""
    with psycopg.connect(conninfo(database_url)) as conn:
        return conn.execute(
            "SELECT id, email FROM users WHERE role = 'member' AND suspended_until IS NULL "
            "ORDER BY id LIMIT %s", (count,)).fetchall()


class Redis:
    """A private redis-server on a free port, started and stopped by this script only."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class Server:
    """gunicorn serving `target` on a free port until stopped; its output goes to `log`."""

    def __init__(self, target: str, env: dict[str, str], log: Path,
                 gunicorn_args: list[str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.log = log.open("w")
        env = {"FORUM_METRICS_DIR": tempfile.mkdtemp(prefix="forum-bench-metrics-"), **env}
        self.process = subprocess.Popen(
            [gunicorn(), *(GUNICORN_ARGS if gunicorn_args is None else gunicorn_args),
             "--bind", f"127.0.0.1:{self.port}", target],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/", timeout=10)
                return
            except httpx.TransportError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"gunicorn {target} exited; see {log}") from None
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn {target} did not start; see {log}")

    def worker_rss_mb(self) -> list[float]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        rss = []
        for pid in children.read_text().split():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss.append(round(int(line.split()[1]) / 1024, 1))
        return rss

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)
        self.log.close()


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, seconds: int, connections: int, cookies: Path | None = None) -> dict:
    """One wrk run; with `cookies`, each request carries the next member's cookies."""
    command = [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "--latency"]
    if cookies is not None:
        command += ["-s", str(MEMBERS_LUA), url, "--", str(cookies), USER_AGENT]
    else:
        command.append(url)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.M))
    if "50" not in latency or "99" not in latency:
        raise RuntimeError(f"wrk gave no latency distribution for {url}:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: (.*)$", out, re.M)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": round(_ms(latency["50"]), 2), "p99_ms": round(_ms(latency["99"]), 2),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": sockets.group(1) if sockets else ""}


def log_in(base_url: str, email: str) -> str:
    """Log one member in through the real form; returns their Cookie header. The redirect
    after logging in is followed, so the flash message is spent and later pages get the
    session as it stays. Every request (here, the check and wrk's) sends one browser's
    User-Agent, as a member's browser does: Flask-Login's session protection marks a session
    not fresh when it changes, and wrk, which never keeps a Set-Cookie, would have it
    signed and sent anew on every request."""
    with httpx.Client(base_url=base_url, timeout=60, follow_redirects=False,
                      headers={"User-Agent": USER_AGENT}) as client:
        page = client.get("/login")
        token = TOKEN.search(page.text)
        response = client.post("/login", data={
            "csrf_token": token.group(1) if token else "", "login": email,
            "password": BENCH_PASSWORD})
        if response.status_code != 302:
            raise RuntimeError(f"log-in of {email} answered {response.status_code}")
        client.get(response.headers["location"])
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def log_in_members(base_url: str, members: list[tuple[int, str]], path: Path) -> int:
    """Log every member in (a few at a time: each costs an argon2 check) and write their
    cookies to `path`, one member a line. Returns how many logged in."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        cookies = list(pool.map(lambda m: log_in(base_url, m[1]), members))
    path.write_text("\n".join(cookies) + "\n")
    return len(cookies)


def check_member_page(base_url: str, path: str, cookie: str) -> int:
    """A member's page must answer 200 and show them logged in (a redirect to the log-in
    form would make a member run measure something else)."""
    response = httpx.get(base_url + path, headers={"Cookie": cookie, "User-Agent": USER_AGENT},
                         timeout=60)
    if "set-cookie" in response.headers:
        raise RuntimeError(f"{path}: a member's page sets a cookie (every request would)")
    if response.status_code == 200 and "/logout" not in response.text:
        raise RuntimeError(f"{path}: the member cookie does not log in")
    return response.status_code


def bench_app(database_url: str):
    """The production app for in-process measurements: page cache off (every request
    renders), rate limits raised, the benchmark's argon2 settings."""
    os.environ.setdefault("FORUM_INSTANCE_PATH", tempfile.mkdtemp(prefix="forum-bench-"))
    from bench.app import RAISED_LIMITS
    from forum import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                       "VIEW_FLUSH_SECONDS": 3600, "PAGE_CACHE_SECONDS": 0,
                       # one process: its own memory may keep the post lists, and the
                       # member between requests (served, the generation is read from
                       # memory, not from Redis: ~40 us less than with gunicorn)
                       "POST_LIST_CACHE_LOCAL": True, "MEMBER_CACHE_LOCAL": True,
                       "RATE_LIMITS": RAISED_LIMITS,
                       **{key: int(value) for key, value in BENCH_ARGON2.items()}})


def member_client(app, email: str):
    """A test client logged in as `email` through the log-in form, or None."""
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"csrf_token": token.group(1) if token else "",
                                         "login": email, "password": BENCH_PASSWORD})
    if answer.status_code != 302:
        return None
    client.get("/")  # spend the flash message
    return client


def in_process(database_url: str, paths: list[str], member_email: str | None,
               repeat: int = 7) -> dict[str, dict]:
    """For each page, as a visitor (page cache off) and as one member (logged in through the
    form): SQL statements of one request (a before_cursor_execute listener) and the median
    time of `repeat` requests through the Flask test client, taken round-robin so that load
    from elsewhere on the machine falls on every page alike."""
    from sqlalchemy import event

    from forum.extensions import db
    app = bench_app(database_url)
    with app.app_context():
        engine = db.engine
    clients = {"nocache": app.test_client()}
    member = member_client(app, member_email) if member_email else None
    if member is not None:
        clients["member"] = member
    found: dict[tuple[str, str], dict] = {}
    for path in paths:
        for mode, client in clients.items():
            try:
                client.get(path)  # warm: connection pool, template cache, read mark
            except Exception:
                pass
            statements: list[str] = []

            def count(conn, cursor, statement, *args):
                statements.append(statement)
            event.listen(engine, "before_cursor_execute", count)
            try:
                status = client.get(path).status_code
            except Exception:  # a half-built page may fail in-process too: no count
                status = 500
            finally:
                event.remove(engine, "before_cursor_execute", count)
            found[mode, path] = {"queries": len(statements) if status == 200 else None,
                                 "times": [], "cpu": []}
    for _ in range(repeat):
        for (mode, path), item in found.items():
            if item["queries"] is None:
                continue
            start, start_cpu = time.perf_counter(), time.process_time()
            clients[mode].get(path)
            item["times"].append((time.perf_counter() - start) * 1000)
            item["cpu"].append((time.process_time() - start_cpu) * 1000)
    with app.app_context():
        db.engine.dispose()
    result: dict[str, dict] = {}
    for (mode, path), item in found.items():
        result.setdefault(path, {})[mode] = {
            "queries": item["queries"],
            "ms": round(statistics.median(item["times"]), 2) if item["times"] else None,
            # this process's CPU: the page's own work, less inflated by a busy machine
            "cpu_ms": round(statistics.median(item["cpu"]), 2) if item["cpu"] else None}
    return result


def measure_in_process(database_url: str, paths: list[str],
                       member_email: str | None) -> dict[str, dict]:
    """in_process() in a child process: a page that crashes the interpreter (it happened,
    see bench/README.md) loses these numbers, not the whole run."""
    import concurrent.futures
    import multiprocessing
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        try:
            return pool.submit(in_process, database_url, paths, member_email).result()
        except concurrent.futures.process.BrokenProcessPool:
            print("warning: the in-process measurement crashed; trying page by page",
                  flush=True)
    found = {}
    for path in paths:
        with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            try:
                found.update(pool.submit(in_process, database_url, [path],
                                         member_email).result())
            except concurrent.futures.process.BrokenProcessPool:
                found[path] = {"crashed": True}
    return found


def _cell(row: dict, mode: str, key: str, fmt: str = "{:.0f}") -> str:
    run = row["runs"].get(mode)
    if run is None:
        return ""
    if run["status"] != "ok":
        return run["status"]
    return fmt.format(run[key])


def table(rows: list[dict], baseline: dict, summary: dict) -> str:
    lines = ["| page | visitor cached req/s | ratio | visitor cache-off req/s | ratio | "
             "cache-off p99 ms | member req/s | ratio | member p50 ms | member p99 ms | "
             "SQL visitor / member | in-process ms visitor / member | "
             "in-process CPU ms visitor / member |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
             "---: | ---: |",
             f"| baseline (20-item template) | {baseline['rps']:.0f} | 1.00 | | | | | | | "
             f"{baseline['p99_ms']:.1f} | 0 | | |"]
    for row in rows:
        ip = row.get("in_process", {})
        sql = " / ".join(str(ip.get(m, {}).get("queries", "-")) for m in ("nocache", "member"))
        ms = " / ".join(str(ip.get(m, {}).get("ms", "-")) for m in ("nocache", "member"))
        cpu = " / ".join(str(ip.get(m, {}).get("cpu_ms", "-")) for m in ("nocache", "member"))
        lines.append(
            f"| {row['name']} (`{row['path'][:40]}`) | {_cell(row, 'visitor', 'rps')} | "
            f"{_cell(row, 'visitor', 'ratio', '{:.2f}')} | {_cell(row, 'nocache', 'rps')} | "
            f"{_cell(row, 'nocache', 'ratio', '{:.2f}')} | "
            f"{_cell(row, 'nocache', 'p99_ms', '{:.1f}')} | {_cell(row, 'member', 'rps')} | "
            f"{_cell(row, 'member', 'ratio', '{:.2f}')} | "
            f"{_cell(row, 'member', 'p50_ms', '{:.1f}')} | "
            f"{_cell(row, 'member', 'p99_ms', '{:.1f}')} | {sql} | {ms} | {cpu} |")
    lines += ["", f"- forum worker RSS after the runs: {summary['forum_rss_mb']} MB "
              f"(target < {TARGETS['rss_mb']:.0f} MB each); baseline workers: "
              f"{summary['baseline_rss_mb']} MB",
              f"- members logged in through the form: {summary.get('members_logged_in')}",
              f"- big topic, member time per request relative to its first page (target "
              f"<= 1.10): last page {summary.get('last_over_first_in_process')} in-process, "
              f"deepest full page {summary.get('deep_over_first_in_process')} in-process",
              f"- baseline runs, one beside each page run (a page's ratio is to the mean "
              f"of the two either side of it): {summary['baseline_runs']} req/s",
              f"- targets missed: {'; '.join(summary['missed']) or 'none'}"]
    rounds = [f"{row['name']}, {MODE_TITLES[mode]}: {run['round_ratios']} (worst p99 "
              f"{run['p99_max_ms']} ms)" for row in rows
              for mode, run in row["runs"].items() if "round_ratios" in run]
    if rounds:
        lines += ["- each page's ratio by round (the table gives the medians): "
                  + "; ".join(rounds)]
    return "\n".join(lines)


def judge(rows: list[dict], summary: dict) -> list[str]:
    missed = []
    for row in rows:
        for mode, run in row["runs"].items():
            if run["status"] != "ok":
                if run["status"].startswith("error"):
                    missed.append(f"{row['name']} ({MODE_TITLES[mode]}) {run['status']}")
                continue
            target = TARGETS[f"{mode}_ratio"]
            if run["ratio"] < target:
                missed.append(f"{row['name']} ({MODE_TITLES[mode]}) at {run['ratio']:.2f} "
                              f"of baseline (target {target})")
            if mode in ("member", "visitor") and run["p99_ms"] >= TARGETS["p99_ms"]:
                missed.append(f"{row['name']} ({MODE_TITLES[mode]}) p99 {run['p99_ms']} ms")
            if run["non_2xx"]:
                missed.append(f"{row['name']} ({MODE_TITLES[mode]}) had {run['non_2xx']} "
                              f"non-2xx responses")
        ip = row.get("in_process", {})
        if ip.get("crashed"):
            missed.append(f"{row['name']} crashed the interpreter in-process")
        member_ms = ip.get("member", {}).get("ms")
        for prefix, limit in TARGETS["in_process_ms"].items():
            if row["name"].startswith(prefix) and member_ms is not None and member_ms > limit:
                missed.append(f"{row['name']} in-process {member_ms} ms for a member "
                              f"(target <= {limit})")
    if any(rss >= TARGETS["rss_mb"] for rss in summary["forum_rss_mb"]):
        missed.append(f"worker RSS {max(summary['forum_rss_mb'])} MB")
    for key in ("last_over_first_in_process", "deep_over_first_in_process"):
        if summary.get(key) and summary[key] > TARGETS["deep_over_first"]:
            missed.append(f"big topic {key.split('_over')[0]} page {summary[key]:.2f}x the "
                          f"first page's time")
    return missed


class Beside:
    """The baseline measured beside the pages: `before()` is the latest baseline run (made
    if there is none yet), `after()` makes a new one, which is the next page's `before()`."""

    def __init__(self, baseline: Server, args) -> None:
        self.baseline, self.args = baseline, args
        self.runs: list[dict] = []

    def _run(self) -> dict:
        self.runs.append(wrk(self.baseline.url + "/", self.args.seconds, self.args.connections))
        return self.runs[-1]

    def before(self) -> dict:
        return self.runs[-1] if self.runs else self._run()

    def after(self) -> dict:
        return self._run()


def measure_rounds(url: str, args, cookies: Path | None, beside: Beside) -> dict:
    """A page measured in `args.repeat` rounds (one warm-up first), each between two
    baseline runs and given its own ratio to their mean. With one round, that round. With
    more, the median of each number: a round that fell in a slow minute of this shared
    machine (the baseline moves by 20% within a run, and the page's speed with it, not
    always together) no longer decides the page's result; every round's ratio is kept
    (`round_ratios`), and the worst p99 (`p99_max_ms`)."""
    rounds = []
    for _ in range(max(1, getattr(args, "repeat", 1))):
        before = beside.before()
        if not rounds:
            wrk(url, 1, args.connections, cookies)  # warm
        measured = wrk(url, args.seconds, args.connections, cookies)
        after = beside.after()
        measured["baseline_rps"] = round((before["rps"] + after["rps"]) / 2, 1)
        measured["ratio"] = round(measured["rps"] / measured["baseline_rps"], 3)
        rounds.append(measured)
    if len(rounds) == 1:
        return {"status": "ok", **rounds[0]}
    median = {key: statistics.median_low(r[key] for r in rounds)
              for key in ("rps", "p50_ms", "p99_ms", "baseline_rps", "ratio")}
    return {"status": "ok", **median, "requests": sum(r["requests"] for r in rounds),
            "non_2xx": sum(r["non_2xx"] for r in rounds),
            "socket_errors": "; ".join(r["socket_errors"] for r in rounds if r["socket_errors"]),
            "round_ratios": [r["ratio"] for r in rounds],
            "p99_max_ms": max(r["p99_ms"] for r in rounds)}


def run_pages(server: Server, listed, modes, args, cookies: Path | None, rows,
              beside: Beside) -> None:
    for name, path, members_only in listed:
        row = rows.setdefault(path, {"name": name, "path": path, "runs": {}})
        for mode in modes:
            if members_only and mode != "member":
                continue
            jar = cookies if mode == "member" else None
            if jar is not None:
                status = check_member_page(server.url, path, jar.read_text().split("\n")[0])
            else:
                status = httpx.get(server.url + path, timeout=60).status_code
            if status == 404:
                run = {"status": "not available"}
            elif status != 200:
                run = {"status": f"error {status}"}
            else:
                run = measure_rounds(server.url + path, args, jar, beside)
            row["runs"][mode] = run
            print(f"{name:<30} {MODE_TITLES[mode]:<20} {run['status']:<10} "
                  f"{run.get('rps', 0):7.0f} req/s  p50 {run.get('p50_ms', '-')} ms  "
                  f"p99 {run.get('p99_ms', '-')} ms  ratio {run.get('ratio', '-')} "
                  f"(baseline beside {run.get('baseline_rps', '-')})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--members", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds per page and column, each beside its own baseline "
                             "runs; the table gives their medians")
    parser.add_argument("--only", help="comma-separated page names (prefixes) to run")
    parser.add_argument("--modes", default=",".join(MODES),
                        help="which columns to measure: visitor,nocache,member")
    parser.add_argument("--no-in-process", action="store_true")
    parser.add_argument("--no-redis", action="store_true",
                        help="serve without Redis (each worker's memory caches)")
    parser.add_argument("--database-url",
                        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--output", default="latest")
    parser.add_argument("--gunicorn", default=shlex.join(GUNICORN_ARGS),
                        help="both apps' gunicorn settings, to compare worker kinds (e.g. "
                             "'--workers 5 --worker-class gthread --threads 4')")
    args = parser.parse_args()
    gunicorn_args = shlex.split(args.gunicorn)
    from forum.config import normalise_database_url
    database_url = normalise_database_url(args.database_url)
    modes = [m.strip() for m in args.modes.split(",") if m.strip() in MODES]
    RESULTS.mkdir(exist_ok=True)
    listed = pages(database_url)
    if args.only:
        wanted = [w.strip() for w in args.only.split(",")]
        listed = [p for p in listed if any(p[0].startswith(w) for w in wanted)]
    members = bench_members(database_url, args.members)
    instance = tempfile.mkdtemp(prefix="forum-bench-instance-")
    env = {**os.environ, **BENCH_ARGON2, "DATABASE_URL": database_url,
           "SECRET_KEY": "bench-secret",
           "FORUM_INSTANCE_PATH": instance, "PYTHONPATH": str(ROOT), "PYTHONFAULTHANDLER": "1"}
    env.pop("REDIS_URL", None)
    redis_server = None
    if not args.no_redis:  # as in production: page cache, post lists, limits in Redis
        redis_server = Redis()
        redis_server.start()
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_server.port}/0"
    rows: dict[str, dict] = {}
    forum_rss: list[float] = []
    summary: dict = {}
    baseline = Server("bench.baseline:app", env, RESULTS / "gunicorn-baseline.log",
                      gunicorn_args)
    try:
        wrk(baseline.url + "/", 2, args.connections)  # warm both the machine and the workers
        beside = Beside(baseline, args)
        print(f"baseline: {beside.before()['rps']:.0f} req/s", flush=True)
        if "visitor" in modes:
            forum = Server(FORUM_APP, {**env, "PAGE_CACHE_SECONDS": "10"},
                           RESULTS / "gunicorn-forum.log", gunicorn_args)
            try:
                run_pages(forum, listed, ["visitor"], args, None, rows, beside)
                forum_rss += forum.worker_rss_mb()
            finally:
                forum.stop()
        rest = [m for m in modes if m != "visitor"]
        if rest:
            forum = Server(FORUM_APP, {**env, "PAGE_CACHE_SECONDS": "0"},
                           RESULTS / "gunicorn-forum-nocache.log", gunicorn_args)
            try:
                cookies = None
                if "member" in rest:
                    cookies = RESULTS / "member-cookies.txt"
                    started = time.perf_counter()
                    summary["members_logged_in"] = log_in_members(forum.url, members, cookies)
                    print(f"{summary['members_logged_in']} members logged in through the form "
                          f"in {time.perf_counter() - started:.1f}s", flush=True)
                run_pages(forum, listed, rest, args, cookies, rows, beside)
                forum_rss += forum.worker_rss_mb()
            finally:
                forum.stop()
                if cookies is not None:
                    cookies.unlink(missing_ok=True)
        baseline_runs = beside.runs
        baseline_rss = baseline.worker_rss_mb()
    finally:
        baseline.stop()
        if redis_server is not None:
            redis_server.stop()
    reference = {"rps": statistics.mean(r["rps"] for r in baseline_runs),
                 "p50_ms": statistics.mean(r["p50_ms"] for r in baseline_runs),
                 "p99_ms": statistics.mean(r["p99_ms"] for r in baseline_runs)}
    ordered = list(rows.values())
    if not args.no_in_process:
        measured = measure_in_process(database_url, [r["path"] for r in ordered],
                                      members[0][1] if members else None)
        for row in ordered:
            row["in_process"] = measured.get(row["path"], {})
    summary.update(forum_rss_mb=forum_rss, baseline_rss_mb=baseline_rss,
                   baseline_runs=[round(r["rps"]) for r in baseline_runs])
    by_name = {r["name"]: r for r in ordered}
    first_ms = by_name.get("topic page 1 (big topic)", {}).get("in_process", {}) \
        .get("member", {}).get("ms")
    for key, name in (("last_over_first", "topic last page (big topic)"),
                      ("deep_over_first", "topic deepest full page")):
        ms = by_name.get(name, {}).get("in_process", {}).get("member", {}).get("ms")
        if first_ms and ms:
            summary[key + "_in_process"] = round(ms / first_ms, 3)
    summary["missed"] = judge(ordered, summary)
    result = {"when": datetime.now(UTC).isoformat(timespec="seconds"),
              "seconds": args.seconds, "repeat": args.repeat,
              "connections": args.connections,
              "gunicorn": gunicorn_args, "cpus": os.cpu_count(),
              "load_average": os.getloadavg(), "baseline": reference, "pages": ordered,
              "summary": summary, "targets": TARGETS}
    text = (f"# Benchmark {result['when']}\n\n{args.connections} connections, "
            f"{args.seconds} s per page and column"
            + (f" in each of {args.repeat} rounds (medians)" if args.repeat > 1 else "")
            + f", gunicorn {shlex.join(gunicorn_args)}, "
            f"{os.cpu_count()} CPUs (shared), load average at the end "
            f"{', '.join(f'{x:.1f}' for x in result['load_average'])}\n\n"
            + table(ordered, reference, summary) + "\n")
    (RESULTS / f"{args.output}.md").write_text(text)
    (RESULTS / f"{args.output}.json").write_text(json.dumps(result, indent=2) + "\n")
    print()
    print(text)


if __name__ == "__main__":
    main()

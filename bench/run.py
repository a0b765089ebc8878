"""Load benchmark: the forum under gunicorn against a baseline Flask app, measured with wrk.

    make bench-data   # once: bench/generate.py fills $BENCH_DATABASE_URL (1,000,000 posts)
    make bench        # this script
    .venv/bin/python bench/run.py [--seconds 10] [--connections 16] [--only index,topic]

Both apps are served by gunicorn with the README's production settings (GUNICORN_ARGS) in
the same run; each page gets `wrk -c16 -d<seconds>s --latency`. The baseline is measured
before and after the forum pages and their mean is the reference, so each page's ratio to it
stays meaningful on a noisy shared machine. SQL queries per request are counted in-process
(a SQLAlchemy before_cursor_execute listener around one request of each page). Worker RSS
is read from /proc after the run. Results: bench/results/latest.md and latest.json.

A page whose feature is not built yet (404) is reported "not available", not a failure.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from bench.generate import COMMON_WORD, RARE_WORD  # noqa: E402

RESULTS = ROOT / "bench" / "results"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
# The README's production command: `gunicorn --workers 4 --bind 127.0.0.1:8000 wsgi:app`.
GUNICORN_ARGS = ["--workers", "4"]
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/forum_bench"

TARGETS = {"ratio": 0.5, "p99_ms": 50.0, "deep_over_first": 1.10, "rss_mb": 150.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pages(database_url: str) -> list[tuple[str, str]]:
    """(name, path) of every page the issue lists, found in the generated data."""
    conninfo = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        big_id, big_slug, big_posts = conn.execute(
            "SELECT id, slug, post_count FROM topics ORDER BY post_count DESC LIMIT 1").fetchone()
        forum_slug = conn.execute(
            "SELECT slug FROM forums ORDER BY topic_count DESC LIMIT 1").fetchone()[0]
        member = conn.execute(
            "SELECT display_name FROM users ORDER BY reply_count DESC LIMIT 1").fetchone()[0]
    last = -(-big_posts // 25)
    topic = f"/t/{big_id}-{big_slug}"
    return [
        ("index", "/"),
        ("forum page", f"/f/{forum_slug}"),
        ("topic page 1 (big topic)", topic),
        ("topic last page (big topic)", f"{topic}?page={last}"),
        ("topic deepest full page", f"{topic}?page={big_posts // 25}"),
        ("articles", "/articles"),
        ("library", "/library"),
        (f"search common ({COMMON_WORD})", f"/search?q={COMMON_WORD}"),
        (f"search rare ({RARE_WORD})", f"/search?q={RARE_WORD}"),
        ("profile", f"/u/{quote(member)}"),
    ]


class Server:
    """gunicorn serving `target` on a free port until stopped."""

    def __init__(self, target: str, env: dict[str, str], log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), *GUNICORN_ARGS, "--bind",
             f"127.0.0.1:{self.port}", target],
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
        self.log.close()


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, seconds: int, connections: int) -> dict:
    out = subprocess.run([WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                          "--latency", url], capture_output=True, text=True, check=True).stdout
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


def in_process(database_url: str, paths: list[str], repeat: int = 5) -> dict[str, dict]:
    """For each page: SQL statements of one request (a before_cursor_execute listener) and
    the median time of `repeat` requests through the Flask test client, taken round-robin
    so that load from elsewhere on the machine falls on every page alike."""
    os.environ.setdefault("FORUM_INSTANCE_PATH", tempfile.mkdtemp(prefix="forum-bench-"))
    from sqlalchemy import event

    from forum import create_app
    from forum.extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                      "VIEW_FLUSH_SECONDS": 3600})
    with app.app_context():
        engine = db.engine
    client = app.test_client()
    found: dict[str, dict] = {}
    for path in paths:
        try:
            client.get(path)  # warm: connection pool, template cache
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
        found[path] = {"queries": len(statements) if status == 200 else None, "times": []}
    for _ in range(repeat):
        for path in paths:
            if found[path]["queries"] is None:
                continue
            start = time.perf_counter()
            client.get(path)
            found[path]["times"].append((time.perf_counter() - start) * 1000)
    with app.app_context():
        db.engine.dispose()
    return {path: {"queries": item["queries"],
                   "ms": round(statistics.median(item["times"]), 1) if item["times"] else None}
            for path, item in found.items()}


def count_queries(database_url: str, paths: list[str]) -> dict[str, dict]:
    """in_process() in a child process: a page that crashes the interpreter (it happens, see
    bench/README.md) loses these numbers, not the whole run."""
    import concurrent.futures
    import multiprocessing
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        try:
            return pool.submit(in_process, database_url, paths).result()
        except concurrent.futures.process.BrokenProcessPool:
            print("warning: the in-process measurement crashed; trying page by page",
                  flush=True)
    found = {}
    for path in paths:
        with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            try:
                found.update(pool.submit(in_process, database_url, [path]).result())
            except concurrent.futures.process.BrokenProcessPool:
                found[path] = {"queries": None, "ms": None, "crashed": True}
    return found


def table(rows: list[dict], baseline: dict, summary: dict) -> str:
    lines = ["| page | status | req/s | p50 ms | p99 ms | SQL/request | in-process ms | "
             "vs baseline |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
             f"| baseline (20-item template) | ok | {baseline['rps']:.0f} | "
             f"{baseline['p50_ms']:.1f} | {baseline['p99_ms']:.1f} | 0 | | 1.00 |"]
    for row in rows:
        if row["status"] != "ok":
            lines.append(f"| {row['name']} (`{row['path']}`) | {row['status']} | | | | | | |")
            continue
        lines.append(f"| {row['name']} (`{row['path']}`) | ok | {row['rps']:.0f} | "
                     f"{row['p50_ms']} | {row['p99_ms']} | {row['queries']} | "
                     f"{row.get('in_process_ms')} | {row['ratio']:.2f} |")
    lines += ["", f"- forum worker RSS after the run: {summary['forum_rss_mb']} MB "
              f"(target < {TARGETS['rss_mb']:.0f} MB each); baseline workers: "
              f"{summary['baseline_rss_mb']} MB",
              f"- big topic, time per request relative to its first page (target <= 1.10): "
              f"last page {summary.get('last_over_first')} under wrk, "
              f"{summary.get('last_over_first_in_process')} in-process; deepest full page "
              f"{summary.get('deep_over_first')} under wrk, "
              f"{summary.get('deep_over_first_in_process')} in-process",
              f"- baseline runs (before, after): {summary['baseline_runs']} req/s",
              f"- targets missed: {', '.join(summary['missed']) or 'none'}"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", help="comma-separated page names (prefixes) to run")
    parser.add_argument("--database-url",
                        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--output", default="latest")
    args = parser.parse_args()
    from forum.config import normalise_database_url
    database_url = normalise_database_url(args.database_url)
    RESULTS.mkdir(exist_ok=True)
    listed = pages(database_url)
    if args.only:
        wanted = [w.strip() for w in args.only.split(",")]
        listed = [p for p in listed if any(p[0].startswith(w) for w in wanted)]
    instance = tempfile.mkdtemp(prefix="forum-bench-instance-")
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-secret",
           "FORUM_INSTANCE_PATH": instance, "PYTHONPATH": str(ROOT), "PYTHONFAULTHANDLER": "1"}
    env.pop("REDIS_URL", None)
    forum = Server("wsgi:app", env, RESULTS / "gunicorn-forum.log")
    baseline = Server("bench.baseline:app", env, RESULTS / "gunicorn-baseline.log")
    rows: list[dict] = []
    try:
        wrk(baseline.url + "/", 2, args.connections)  # warm both the machine and the workers
        baseline_runs = [wrk(baseline.url + "/", args.seconds, args.connections)]
        print(f"baseline: {baseline_runs[0]['rps']:.0f} req/s", flush=True)
        for name, path in listed:
            probe = httpx.get(forum.url + path, timeout=30)
            row = {"name": name, "path": path}
            if probe.status_code == 404:
                row["status"] = "not available"
            elif probe.status_code != 200:
                row["status"] = f"error {probe.status_code}"
            else:
                wrk(forum.url + path, 1, args.connections)  # warm
                row.update(status="ok", **wrk(forum.url + path, args.seconds, args.connections))
            print(f"{name:<32} {row['status']:<14} "
                  f"{row.get('rps', 0):8.0f} req/s  p50 {row.get('p50_ms', '-')} ms  "
                  f"p99 {row.get('p99_ms', '-')} ms", flush=True)
            rows.append(row)
        baseline_runs.append(wrk(baseline.url + "/", args.seconds, args.connections))
        forum_rss, baseline_rss = forum.worker_rss_mb(), baseline.worker_rss_mb()
    finally:
        forum.stop()
        baseline.stop()
    reference = {"rps": statistics.mean(r["rps"] for r in baseline_runs),
                 "p50_ms": statistics.mean(r["p50_ms"] for r in baseline_runs),
                 "p99_ms": statistics.mean(r["p99_ms"] for r in baseline_runs)}
    queries = count_queries(database_url, [r["path"] for r in rows if r["status"] == "ok"])
    missed = []
    for row in rows:
        if row["status"] != "ok":
            continue
        measured = queries.get(row["path"], {})
        row["queries"], row["in_process_ms"] = measured.get("queries"), measured.get("ms")
        if measured.get("crashed"):
            missed.append(f"{row['name']} crashed the interpreter in-process")
        row["ratio"] = round(row["rps"] / reference["rps"], 3)
        if row["ratio"] < TARGETS["ratio"]:
            missed.append(f"{row['name']} at {row['ratio']:.2f} of baseline req/s")
        if row["p99_ms"] >= TARGETS["p99_ms"]:
            missed.append(f"{row['name']} p99 {row['p99_ms']} ms")
        if row["non_2xx"]:
            missed.append(f"{row['name']} had {row['non_2xx']} non-2xx responses")
    by_name = {r["name"]: r for r in rows if r["status"] == "ok"}
    summary: dict = {"forum_rss_mb": forum_rss, "baseline_rss_mb": baseline_rss,
                     "baseline_runs": [round(r["rps"]) for r in baseline_runs]}
    first = by_name.get("topic page 1 (big topic)")
    for key, name in (("last_over_first", "topic last page (big topic)"),
                      ("deep_over_first", "topic deepest full page")):
        if first and name in by_name:
            # Time per request = 1 / throughput: >1 means the deep page is slower.
            summary[key] = round(first["rps"] / by_name[name]["rps"], 3)
            if first.get("in_process_ms") and by_name[name].get("in_process_ms"):
                summary[key + "_in_process"] = round(
                    by_name[name]["in_process_ms"] / first["in_process_ms"], 3)
            # Judged on the interleaved in-process times when there are some: the wrk runs
            # of the two pages happen at different moments of a shared machine.
            judged = summary.get(key + "_in_process", summary[key])
            if judged > TARGETS["deep_over_first"]:
                missed.append(f"{name} {judged:.2f}x the first page's time")
    if any(rss >= TARGETS["rss_mb"] for rss in forum_rss):
        missed.append(f"worker RSS {max(forum_rss)} MB")
    summary["missed"] = missed
    result = {"when": datetime.now(UTC).isoformat(timespec="seconds"),
              "seconds": args.seconds, "connections": args.connections,
              "gunicorn": GUNICORN_ARGS, "cpus": os.cpu_count(),
              "load_average": os.getloadavg(), "baseline": reference, "pages": rows,
              "summary": summary, "targets": TARGETS}
    text = (f"# Benchmark {result['when']}\n\n{args.connections} connections, "
            f"{args.seconds} s per page, gunicorn {' '.join(GUNICORN_ARGS)}, "
            f"{os.cpu_count()} CPUs (shared), load average at the end "
            f"{', '.join(f'{x:.1f}' for x in result['load_average'])}\n\n"
            + table(rows, reference, summary) + "\n")
    (RESULTS / f"{args.output}.md").write_text(text)
    (RESULTS / f"{args.output}.json").write_text(json.dumps(result, indent=2) + "\n")
    print()
    print(text)


if __name__ == "__main__":
    main()

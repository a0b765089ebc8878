"""Instructions per request: each page in-process under valgrind's callgrind, as a visitor
(page cache off) and as a member, beside the baseline app's page.

    python bench/instructions.py [--only index,topic] [--modes visitor,member]
                                 [--requests 10] [--jobs 2]

Modes: `visitor` (page cache off), `member`; `visitor-fresh` and `member-fresh` with kept
fragments off too, so every request renders all of its page, as the first reader after a
write does, and every reader of a page read too seldom to be kept.

Requests per second under wrk move by 20% between runs on a shared machine; instructions
do not: callgrind counts the instructions this process runs, the same count (within 0.2%
here) for the same code and data whatever else the machine is doing. So a change of a few
percent shows, and two versions compare run after run (a worktree of the old commit, its
own `bench/instructions.py`). What it does not count: the database's and Redis's own work,
the kernel (sockets), gunicorn and the network, and waiting; `make bench` measures all of
it. Each page runs in a child process (`valgrind --tool=callgrind --instr-atstart=no`):
the app is made and the page requested `--warm` times with instrumentation off (statements
prepared, fragments kept, as under load), then `--requests` times with it on
(`callgrind_control -i on`). Uses the bench database ($BENCH_DATABASE_URL) and the pages of
`bench/run.py`; a child takes about 40 s. The forum's clock stands still in the child (kept
fragments serve for a window of it). Needs valgrind (a Debian package).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLLECTED = re.compile(r"Collected : (\d+)")
BASELINE = "baseline (20-item template)"


def child(path: str, who: str, database_url: str, warm: int, requests: int) -> None:
    """In the child, under callgrind: make the app, warm up, count `requests` requests."""
    os.environ.setdefault("FORUM_INSTANCE_PATH", tempfile.mkdtemp(prefix="forum-bench-"))
    fresh, who = who.endswith("-fresh"), who.removesuffix("-fresh")
    if who == "baseline":
        from bench.baseline import app
        client = app.test_client()
    else:
        from bench.run import bench_app, bench_members, member_client
        from forum import clock
        # A kept fragment serves within a 30-second window of the forum's clock; under
        # callgrind the requests take seconds, and a window turning among them re-rendered
        # the page (+30% on some runs). The clock stands still, as in the tests.
        clock.freeze()
        app = bench_app(database_url)
        if fresh:
            app.config["POST_LIST_CACHE_SECONDS"] = 0
        client = app.test_client()
        if who == "member":
            client = member_client(app, bench_members(database_url, 1)[0][1])
            if client is None:
                sys.exit("the member could not log in")
    for _ in range(warm):
        status = client.get(path).status_code
    if status != 200:
        sys.exit(f"{path}: status {status}")
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True,
                   stdout=subprocess.DEVNULL)
    for _ in range(requests):
        client.get(path)
    subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True,
                   stdout=subprocess.DEVNULL)


def count(path: str, who: str, args) -> float | None:
    """Millions of instructions per request (None when the page did not answer 200)."""
    answer = subprocess.run(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null",
         sys.executable, __file__, "--child", path, "--who", who, "--database-url",
         args.database_url, "--warm", str(args.warm), "--requests", str(args.requests)],
        capture_output=True, text=True, cwd=ROOT)
    found = COLLECTED.search(answer.stderr)
    if answer.returncode != 0 or found is None:
        print(f"{path} ({who}) failed: {answer.stderr.strip().splitlines()[-1:]}",
              file=sys.stderr)
        return None
    return int(found.group(1)) / args.requests / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated page names (prefixes) to run")
    parser.add_argument("--modes", default="visitor,member")
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/forum_bench"))
    parser.add_argument("--child", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--who", default="visitor", help=argparse.SUPPRESS)
    args = parser.parse_args()
    from forum.config import normalise_database_url
    args.database_url = normalise_database_url(args.database_url)
    if args.child:
        child(args.child, args.who, args.database_url, args.warm, args.requests)
        return
    if not shutil.which("valgrind"):
        parser.error("valgrind is not installed (apt-get install valgrind)")
    from bench.run import pages
    modes = [mode for mode in args.modes.split(",") if mode]
    wanted = [(name, path, members_only) for name, path, members_only in
              pages(args.database_url) if not args.only or any(
                  name.startswith(prefix) for prefix in args.only.split(","))]
    runs = [(BASELINE, "/", "baseline")] + [
        (name, path, mode) for name, path, members_only in wanted for mode in modes
        if not (members_only and mode.startswith("visitor"))]
    with ThreadPoolExecutor(args.jobs) as pool:
        counts = dict(zip([(name, mode) for name, _, mode in runs],
                          pool.map(lambda run: count(run[1], run[2], args), runs)))
    baseline = counts[(BASELINE, "baseline")]
    print(f"# Instructions per request (callgrind, {args.requests} requests after "
          f"{args.warm})\n")
    print("| page | " + " | ".join(f"{mode} M | {mode} ratio" for mode in modes) + " |")
    print("| --- |" + " ---: | ---: |" * len(modes))
    print(f"| {BASELINE} | " + " | ".join(
        f"{baseline:.2f} | 1.00" for _ in modes) + " |")
    for name, _, _ in wanted:
        cells = []
        for mode in modes:
            value = counts.get((name, mode))
            cells += ["", ""] if value is None else [f"{value:.2f}", f"{baseline / value:.2f}"]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

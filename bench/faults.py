"""Faults under the mixed load (run by hand, never in CI).

    .venv/bin/python bench/faults.py redis [--seconds 30] [--members 16]
    .venv/bin/python bench/faults.py postgres-proxy [--seconds 30]
    .venv/bin/python bench/faults.py postgres --restart-postgresql [--seconds 60]

redis           Rate limits stored in a Redis that this script starts on a free port (never
                the shared one on 6379) and stops for the middle third of the run, then
                starts again. Expected: the forum keeps serving (no 5xx), writes during the
                outage are let through (the limiter logs a warning), nothing acknowledged is
                lost, counters equal recounts.
postgres-proxy  The forum reaches PostgreSQL through a TCP proxy this script runs; for the
                middle third of the run the proxy drops every connection and refuses new
                ones, as a database restart does, then comes back. Safe on a shared machine.
postgres        The real thing: `pg_ctlcluster --skip-systemctl-redirect <version> main
                restart` a third of the way in. It restarts the whole PostgreSQL server, so
                it needs --restart-postgresql and must not run where others use that server.

Expected for both PostgreSQL faults: during the outage requests get the 503 page ("The forum
is briefly unavailable"), never a 500 or a stack trace; afterwards the same gunicorn workers
serve again (a connection idle longer than DATABASE_PING_AFTER_IDLE is pinged and
replaced, forum/extensions.py) without a restart; no
acknowledged write is lost; counters equal recounts. Results: bench/results/faults-<mode>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.mixed import (DEFAULT_URL, RESULTS, Tally, Targets, check, run_load,  # noqa: E402
                         serve, summarise)
from bench.run import Redis, free_port  # noqa: E402


class Proxy:
    """A TCP proxy to PostgreSQL. down() closes every connection and refuses new ones (what
    clients see while the server restarts); up() accepts again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            # Shut down before closing: a socket closed while another thread waits in
            # accept() (or recv()) stays open on Linux, and kept accepting connections.
            _shut(listener)
            listener.close()
        with self.lock:
            for sock in self.sockets:
                _shut(sock)
                sock.close()
            self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.update((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:  # one side has gone: end the other too (a PostgreSQL backend left open
            for sock in (source, sink):  # would keep a dead client's transaction and locks)
                _shut(sock)
                try:
                    sock.close()
                except OSError:
                    pass


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def restart_postgresql() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                   check=True)


def serves_again(base_url: str, within: float = 30) -> float | None:
    """Seconds until / answers 200 again (same workers, no restart), or None."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        try:
            if httpx.get(base_url + "/", timeout=5).status_code == 200:
                return round(time.monotonic() - start, 2)
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["redis", "postgres-proxy", "postgres"])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--members", type=int, default=16)
    parser.add_argument("--restart-postgresql", action="store_true",
                        help="allow `postgres` mode to restart the PostgreSQL server")
    parser.add_argument("--database-url",
                        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args(argv)
    if args.mode == "postgres" and not args.restart_postgresql:
        parser.error("postgres mode restarts the whole PostgreSQL server: pass "
                     "--restart-postgresql, and only where nobody else is using it")
    from sqlalchemy.engine import make_url

    from forum.config import normalise_database_url
    database_url = normalise_database_url(args.database_url)
    targets = Targets.load(database_url, args.members)
    third = args.seconds / 3
    events: list[dict] = []
    redis = proxy = None
    app_url, extra_env = database_url, {}
    if args.mode == "redis":
        redis = Redis()
        redis.start()
        extra_env["REDIS_URL"] = f"redis://127.0.0.1:{redis.port}/0"
    elif args.mode == "postgres-proxy":
        url = make_url(database_url)
        proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
        proxy.up()
        app_url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False)
    server = serve(app_url, extra_env, log=f"gunicorn-faults-{args.mode}.log")
    state = {"down": False, "done": False}

    def during(elapsed: float) -> None:
        at = round(time.monotonic(), 3)
        if not state["down"] and not state["done"] and elapsed >= third:
            state["down"] = True
            events.append({"event": "fault starts", "at": at})
            if redis:
                redis.stop()
            elif proxy:
                proxy.down()
            else:
                restart_postgresql()  # down and up again within a few seconds
                state.update(down=False, done=True)
                events.append({"event": "postgresql restarted", "at": round(time.monotonic(), 3)})
        elif state["down"] and elapsed >= 2 * third:
            state.update(down=False, done=True)
            if redis:
                redis.start()
            elif proxy:
                proxy.up()
            events.append({"event": "fault ends", "at": at})

    tally = Tally()
    try:
        elapsed = run_load(server.url, targets, args.seconds, tally, during=during)
        recovered_after = serves_again(server.url)
        workers_pid = server.process.pid
    finally:
        server.stop()
        if redis:
            redis.stop()
        if proxy:
            proxy.down()
    result = summarise(tally, elapsed, check(database_url, tally.writes))
    start = next((e["at"] for e in events if e["event"] == "fault starts"), None)
    end = next((e["at"] for e in events if e["event"] != "fault starts"), None)
    outage_writes = [w for w in tally.writes if start and end and start <= w["at"] <= end]
    bad_errors = [e for e in tally.server_errors if e["status"] != 503 or e["traceback"]]
    log = (RESULTS / f"gunicorn-faults-{args.mode}.log").read_text()
    result.update(mode=args.mode, events=events, gunicorn_master=workers_pid,
                  serves_again_after_s=recovered_after,
                  writes_acknowledged_during_fault=len(outage_writes),
                  non_503_or_traceback_errors=bad_errors[:20],
                  rate_limit_storage_warnings=log.count("Rate limit storage unavailable"))
    if args.mode == "redis":
        ok = not result["5xx"] and bool(outage_writes)
    else:
        ok = not bad_errors and recovered_after is not None
    ok = ok and not result["lost_writes"] and not result["counter_mismatches"]
    result["verdict"] = "OK" if ok else "FAILED"
    (RESULTS / f"faults-{args.mode}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "server_errors"}, indent=2))
    print(f"faults ({args.mode}):", result["verdict"], flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

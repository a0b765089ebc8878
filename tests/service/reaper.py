"""Whatever happens to pytest, the service tests' nginx, gunicorns and database go away.

The stack fixture starts each server in a process group of its own (so `kill -9` of an
instance takes its workers too), which also means that a Ctrl-C, a SIGTERM from CI's time
limit, a `kill -9` of pytest or an xdist worker stopped by `-x` never reaches them, and a
fixture's teardown does not run in those cases. So the fixture first starts this reaper, a
small process in a session of its own, and tells it, one line each, what to clean up:

    kill <process group id>      forget <process group id>
    dropdb <admin URL> <name>    rmtree <path>

The reaper reads until its standard input closes, which happens when the fixture says it is
done or when the pytest process ends in any way (the kernel closes the pipe, even after
SIGKILL). Then it sends SIGTERM to every group it was told about and not told to forget,
SIGKILL after 5 s to any still there, drops the database and removes the folder.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import psycopg


class Reaper:
    """The fixture's side: start the reaper, tell it what to clean up, close it at the end."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.service.reaper"], stdin=subprocess.PIPE,
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
            start_new_session=True, text=True)

    def tell(self, *words: object) -> None:
        self.process.stdin.write(" ".join(str(w) for w in words) + "\n")
        self.process.stdin.flush()

    def close(self, timeout: float = 30) -> None:
        """Clean up everything still registered now, and wait for it."""
        self.process.stdin.close()
        self.process.wait(timeout=timeout)


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal(group: int, sig: int) -> None:
    try:
        os.killpg(group, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _clean(groups: list[int], databases: list[tuple[str, str]], paths: list[str]) -> None:
    for group in groups:
        _signal(group, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while any(_alive(g) for g in groups) and time.monotonic() < deadline:
        time.sleep(0.1)
    for group in groups:
        if _alive(group):
            _signal(group, signal.SIGKILL)
    for admin, name in databases:
        try:
            with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as error:  # noqa: BLE001
            print(f"reaper: could not drop {name}: {error}", file=sys.stderr)
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C meant for pytest is not for us
    groups: list[int] = []
    databases: list[tuple[str, str]] = []
    paths: list[str] = []
    for line in sys.stdin:
        command, *args = line.split()
        if command == "kill":
            groups.append(int(args[0]))
        elif command == "forget" and int(args[0]) in groups:
            groups.remove(int(args[0]))
        elif command == "dropdb":
            databases.append((args[0], args[1]))
        elif command == "rmtree":
            paths.append(args[0])
    _clean(groups, databases, paths)


if __name__ == "__main__":
    main()

"""An interrupted or killed pytest leaves no nginx, gunicorn or database of the service tests
behind (tests/service/reaper.py): a child pytest holds the real stack and is killed -9."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.service.conftest import PG_ADMIN, ROOT

pytestmark = pytest.mark.service
HOLD = "FORUM_SERVICE_HOLD"


@pytest.mark.skipif(not os.environ.get(HOLD), reason="run by the test below, in a child pytest")
def test_hold_the_stack(stack):
    """Start the stack, say what runs, and wait to be killed."""
    Path(os.environ[HOLD]).write_text(json.dumps({
        "groups": [p.pid for p in stack.processes] + [stack.nginx_process.pid],
        "urls": [stack.nginx, *stack.instances],
        "database": stack.database.rsplit("/", 1)[1]}))
    time.sleep(600)


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_pytest_leaves_no_server_and_no_database(tmp_path):
    said = tmp_path / "stack.json"
    child = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         f"{Path(__file__).relative_to(ROOT)}::test_hold_the_stack"],
        cwd=ROOT, env=dict(os.environ, **{HOLD: str(said)}), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while not said.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        if not said.exists():
            pytest.skip("the child pytest could not start the stack (nginx, PostgreSQL, Redis?)")
        time.sleep(0.2)
        running = json.loads(said.read_text())
        assert all(_alive(g) for g in running["groups"])
        assert httpx.get(f"{running['urls'][0]}/healthz", timeout=5).status_code == 200
        os.killpg(child.pid, signal.SIGKILL)  # no teardown, no atexit, no signal handler
        child.wait(timeout=10)
        deadline = time.monotonic() + 30
        while any(_alive(g) for g in running["groups"]) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [g for g in running["groups"] if _alive(g)] == []
        for url in running["urls"]:
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"{url}/healthz", timeout=2)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            deadline = time.monotonic() + 30
            while conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                               (running["database"],)).fetchone():
                assert time.monotonic() < deadline, "the service database was left behind"
                time.sleep(0.2)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()

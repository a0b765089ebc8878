"""An upgrade restarts gunicorn on a socket systemd holds (deploy/systemd/forum-web.socket):
no request is refused or lost, and the new code answers after it.

gunicorn loads the app in its master before forking the workers (preload_app,
deploy/gunicorn.conf.py), so a HUP only forks the old code again; that is why the unit has
no ExecReload and docs/operations.md upgrades with `systemctl restart`. Here the test stands
in for systemd: it holds the listening socket and starts gunicorn as systemd does (the
socket on fd 3, LISTEN_FDS=1, LISTEN_PID), with the production settings file, serving a
tiny app whose answer is its version.
"""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.service

ROOT = Path(__file__).resolve().parents[2]
APP = '''\
import time

VERSION = "{version}"


def app(environ, start_response):
    time.sleep(0.005)
    body = VERSION.encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
'''
# systemd's part: fd 3 is the socket (given here as stdin), LISTEN_PID the process's own pid
AS_SYSTEMD = 'exec 3<&0 0</dev/null; LISTEN_FDS=1 LISTEN_PID=$$ exec "$0" "$@"'


def write_app(folder: Path, version: str) -> None:
    (folder / "restart_app.py").write_text(APP.format(version=version))


def start(listener: socket.socket, folder: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FORUM_", "PROMETHEUS_"))}
    env.update(FORUM_WORKERS="2", FORUM_METRICS_DIR=str(folder / "metrics"),
               PYTHONDONTWRITEBYTECODE="1")
    with (folder / "gunicorn.log").open("ab") as log:
        return subprocess.Popen(
            ["/bin/sh", "-c", AS_SYSTEMD, sys.executable, "-m", "gunicorn",
             "-c", str(ROOT / "deploy/gunicorn.conf.py"), "--pythonpath", str(folder),
             "restart_app:app"],
            stdin=listener.fileno(), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
            start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class Client(threading.Thread):
    """Asks for the version again and again, a new connection each time, as nginx would."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.answers: list[tuple[float, float, str]] = []  # (sent, answered, body or error)
        self.running = True

    def ask(self) -> str:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", "/")
            response = connection.getresponse()
            body = response.read().decode()
            return body if response.status == 200 else f"status {response.status}"
        except OSError as error:
            return f"error {error!r}"
        finally:
            connection.close()

    def run(self) -> None:
        while self.running:
            sent = time.monotonic()
            body = self.ask()
            self.answers.append((sent, time.monotonic(), body))
            time.sleep(0.005)

    def wait_for(self, body: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.answers and self.answers[-1][2] == body:
                return
            time.sleep(0.05)
        raise AssertionError(f"no {body!r} within {seconds} s: {self.answers[-3:]}")


def test_a_restart_on_the_held_socket_refuses_nothing_and_runs_the_new_code(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    write_app(tmp_path, "1")
    processes = [start(listener, tmp_path)]
    client = Client(listener.getsockname()[1])
    try:
        client.start()
        client.wait_for("1")
        # A HUP: gunicorn forks new workers from the master, which holds the old code.
        write_app(tmp_path, "2")
        os.kill(processes[0].pid, signal.SIGHUP)
        time.sleep(3)
        assert client.answers[-1][2] == "1"
        # The restart: the old gunicorn finishes what it has and exits; for a moment nothing
        # serves (a slow start is stood for by a second's wait); the new one takes over.
        os.kill(processes[0].pid, signal.SIGTERM)
        processes[0].wait(timeout=40)
        stopped = time.monotonic()
        time.sleep(1)
        processes.append(start(listener, tmp_path))
        client.wait_for("2")
        time.sleep(0.5)
    finally:
        client.running = False
        client.join(timeout=40)
        for process in processes:
            stop(process)
        listener.close()
    bodies = [body for _, _, body in client.answers]
    assert set(bodies) == {"1", "2"}, sorted(set(bodies) - {"1", "2"})[:3]  # nothing failed
    switch = bodies.index("2")
    assert "2" not in bodies[:switch] and "1" not in bodies[switch:]
    # Requests sent while no gunicorn was running waited in the socket's queue and were served
    waited = [answered - sent for sent, answered, body in client.answers
              if sent < stopped + 0.9 and answered > stopped + 1]
    assert waited and all(body == "2" for sent, _, body in client.answers
                          if stopped < sent < stopped + 0.9)
    assert len(bodies) > 100

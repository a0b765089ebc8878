"""The production set-up, for real: Debian's nginx (deploy/nginx/forum.conf, ports and paths
put in) in front of two gunicorn instances (deploy/gunicorn.conf.py) on different ports,
standing for two machines, sharing one PostgreSQL database and one Redis database, with
PROXY_COUNT=1. The instances reach PostgreSQL through a TCP proxy (bench/faults.py) that a
test can cut. Everything listens on 127.0.0.1 and free ports, and is stopped at the end,
also when pytest is interrupted or killed (tests/service/reaper.py).

These tests are marked `service`; `make test` runs them in its first (SQLite) pass. They
need nginx (`.ci/run` installs it), PostgreSQL and Redis on 127.0.0.1.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest
import redis

from bench.faults import Proxy
from tests.service.reaper import Reaper

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = os.environ.get("SERVICE_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = "redis://127.0.0.1:6379/11"
METRICS_TOKEN = "service-test-metrics-token"
SECRET_KEY = "service-test-secret-key-not-for-production"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60, status: int = 200) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == status:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer {status} within {seconds} s")


def nginx_site(upstreams: list[int], port: int) -> str:
    """deploy/nginx/forum.conf with this machine's ports and paths (its `# test:` lines)."""
    site = (ROOT / "deploy/nginx/forum.conf").read_text()
    site = re.sub(r"server \{[^{}]*# test: redirect[^{}]*\}", "", site)
    assert site.count("# test: listen") == 1 and "listen 80" not in site
    lines = []
    for line in site.splitlines():
        if "# test: upstream" in line:
            lines += [f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in upstreams]
        elif "# test: listen" in line:
            lines.append(f"    listen 127.0.0.1:{port};")
        elif "# test: tls" in line:
            continue
        elif "# test: static" in line:
            lines.append(f"        alias {ROOT / 'static'}/;")
        else:
            lines.append(line)
    return "\n".join(lines)


@dataclass
class Stack:
    work: Path
    database: str              # direct URL (for checks from the test)
    nginx: str                 # http://127.0.0.1:<port>
    instances: list[str]       # each gunicorn's own URL
    proxy: Proxy
    processes: list[subprocess.Popen] = field(default_factory=list)  # the gunicorns
    nginx_process: subprocess.Popen | None = None
    reaper: Reaper | None = None

    def kill(self, index: int) -> None:
        """kill -9 an instance: its master and all its workers at once."""
        os.killpg(self.processes[index].pid, signal.SIGKILL)
        self.processes[index].wait(timeout=10)
        if self.reaper:
            self.reaper.tell("forget", self.processes[index].pid)

    def sql(self, query: str, *params) -> list[tuple]:
        with psycopg.connect(self.database.replace("+psycopg", "")) as conn:
            return conn.execute(query, params).fetchall()


def _env(database_url: str, bind: str, metrics_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FORUM_", "PROMETHEUS_", "FLASK_"))}
    env.update(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, SECRET_KEY=SECRET_KEY,
               PROXY_COUNT="1", METRICS_TOKEN=METRICS_TOKEN, FLASK_APP="wsgi",
               FORUM_BIND=bind, FORUM_WORKERS="2",
               FORUM_METRICS_DIR=str(metrics_dir), FORUM_INSTANCE_PATH=str(metrics_dir.parent),
               APPROVAL_ENABLED="0", ARGON2_TIME_COST="1", ARGON2_MEMORY_COST="1024",
               PAGE_CACHE_SECONDS="60", VIEW_FLUSH_SECONDS="1", LOG_FORMAT="json")
    return env


@pytest.fixture(scope="session")
def stack():
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.skip("nginx is not installed (.ci/run installs it: apt-get install nginx)")
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
        redis.Redis.from_url(REDIS_URL).ping()
    except Exception as error:  # noqa: BLE001
        pytest.skip(f"PostgreSQL and Redis on 127.0.0.1 are needed: {error}")
    name = f"forum_service_{os.getpid()}"
    reaper = Reaper()  # cleans up even if this process is interrupted or killed
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    reaper.tell("dropdb", PG_ADMIN, name)
    admin.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(REDIS_URL).flushdb()
    work = Path(tempfile.mkdtemp(prefix="forum-service-"))
    if not os.environ.get("SERVICE_KEEP_LOGS"):
        reaper.tell("rmtree", work)
    direct = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    proxy = Proxy(("127.0.0.1", 5432))
    proxy.up()
    through_proxy = f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/{name}"
    ports = [free_port(), free_port()]
    stack = Stack(work, direct, "", [f"http://127.0.0.1:{p}" for p in ports], proxy,
                  reaper=reaper)
    nginx = None
    try:
        subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, check=True,
                       env=_env(direct, "127.0.0.1:0", work / "m"), capture_output=True)
        for i, port in enumerate(ports):
            with open(work / f"gunicorn-{i}.log", "wb") as log:
                stack.processes.append(subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                     "wsgi:app"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                    env=_env(through_proxy, f"127.0.0.1:{port}", work / f"metrics-{i}"),
                    start_new_session=True))
                reaper.tell("kill", stack.processes[-1].pid)  # its own group: master, workers
        nginx_port = free_port()
        (work / "nginx.conf").write_text(f"""
daemon off;
user root;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {work}/nginx-access.log;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
{nginx_site(ports, nginx_port)}
}}
""")
        with open(work / "nginx.out", "wb") as out:
            nginx = subprocess.Popen([nginx_bin, "-c", str(work / "nginx.conf"), "-p", str(work)],
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        reaper.tell("kill", nginx.pid)
        stack.nginx_process = nginx
        stack.nginx = f"http://127.0.0.1:{nginx_port}"
        for url in stack.instances:
            wait_for(f"{url}/readyz")
        wait_for(f"{stack.nginx}/healthz")
        yield stack
    finally:
        for process in stack.processes + ([nginx] if nginx else []):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            reaper.tell("forget", process.pid)
        proxy.down()
        redis.Redis.from_url(REDIS_URL).flushdb()
        admin.close()
        reaper.close()  # the database and the folder; any server left is stopped too
        if os.environ.get("SERVICE_KEEP_LOGS"):
            print(f"service logs kept in {work}")

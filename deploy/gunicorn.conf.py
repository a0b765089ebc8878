"""gunicorn settings for one app server: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Everything can be set from the environment file (deploy/forum.env.example). Prometheus
metrics are gathered from every worker process (prometheus_client's multiprocess mode):
PROMETHEUS_MULTIPROC_DIR must be set before the app is imported, which is why it is set
here, emptied when gunicorn starts and cleaned as workers exit.
"""
import gc
import multiprocessing
import os
import shutil

bind = os.environ.get("FORUM_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("FORUM_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Sync workers: one request at a time per process. nginx buffers each request and answer,
# so a slow client never holds a worker. Against gthread workers (5 x 4 threads) on the
# million-post data they served the same requests/s with members' p99 a half to a fifth
# (threads of one process take turns holding the GIL; bench/README.md). FORUM_THREADS > 1
# makes them gthread workers (gunicorn's rule), for a site whose requests often wait on
# something slow (an identity provider's token endpoint may take up to 10 s).
threads = int(os.environ.get("FORUM_THREADS", 1))
# The app is made once, in the master, and the workers are forked from it (issue 15): they
# share its memory instead of each importing and building everything again, and measured
# 15-20% more member pages a second (bench/README.md). Code changes therefore need a
# restart, not a HUP (the master would fork its old code again): deploy/systemd holds the
# listening socket (forum-web.socket), so a restart keeps every connection waiting instead
# of refused (docs/operations.md, "Upgrades"). The forked workers open their own database
# connections (forum/extensions.py, new_connections_after_fork). FORUM_PRELOAD=0 turns it off.
preload_app = os.environ.get("FORUM_PRELOAD", "1") != "0"
timeout = int(os.environ.get("FORUM_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5  # nginx keeps connections to the upstream open
# Workers are replaced now and then, so any slow leak stays small.
max_requests = 5000
max_requests_jitter = 500
# The app writes one line per request itself (forum/requestlog.py, with nginx's
# X-Request-ID); gunicorn writes only its own messages.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("FORUM_GUNICORN_LOGLEVEL", "info")
proc_name = "forum"
# gunicorn 25+ opens a control socket (worker counts, reload, shutdown for `gunicornc`) in
# $XDG_RUNTIME_DIR or ~/.gunicorn, one path shared by every gunicorn of the user: nothing here
# uses it, and under systemd (ProtectHome) it has no home to go to.
control_socket_disable = True
# Behind nginx only (X-Forwarded-* are read by the app's ProxyFix, PROXY_COUNT).
forwarded_allow_ips = "127.0.0.1"

metrics_dir = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                                    os.environ.get("FORUM_METRICS_DIR", "/run/forum/metrics"))


def on_starting(server):
    shutil.rmtree(metrics_dir, ignore_errors=True)
    os.makedirs(metrics_dir, exist_ok=True)


def when_ready(server):
    # What the master made is kept out of the collector's reach: a collection in a worker
    # would otherwise write to every object it inherited (the collector's own bookkeeping),
    # and each page it touched would be copied into that worker (Python's gc.freeze docs).
    if server.cfg.preload_app:
        gc.freeze()


def child_exit(server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)

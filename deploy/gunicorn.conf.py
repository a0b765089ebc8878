"""gunicorn settings for one app server: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Everything can be set from the environment file (deploy/forum.env.example). Prometheus
metrics are gathered from every worker process (prometheus_client's multiprocess mode):
PROMETHEUS_MULTIPROC_DIR must be set before the app is imported, which is why it is set
here, emptied when gunicorn starts and cleaned as workers exit.
"""
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
# Behind nginx only (X-Forwarded-* are read by the app's ProxyFix, PROXY_COUNT).
forwarded_allow_ips = "127.0.0.1"

metrics_dir = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                                    os.environ.get("FORUM_METRICS_DIR", "/run/forum/metrics"))


def on_starting(server):
    shutil.rmtree(metrics_dir, ignore_errors=True)
    os.makedirs(metrics_dir, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)

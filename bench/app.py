"""The forum as mixed.py and faults.py serve it: the production app (wsgi.py) with every rate
limit raised far above what 64 simulated members do, so the limiter still runs (and its Redis
storage, when REDIS_URL is set, is exercised) but never refuses the load. CSRF stays on: the
simulated members fetch a form and send its token.

    .venv/bin/gunicorn --workers 4 --bind 127.0.0.1:8000 bench.app:app
"""
from forum import create_app
from forum.ratelimit import DEFAULT_LIMITS

RAISED_LIMITS = {action: "1000000 per minute" for action in DEFAULT_LIMITS}

app = create_app({"RATE_LIMITS": RAISED_LIMITS})

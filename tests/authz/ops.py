"""Health checks answer everyone (load balancers have no session); metrics answer nobody
without the METRICS_TOKEN (not set here: 404 whoever asks; tests/test_ops.py checks it)."""
from tests.authz import ROLES, EVERYONE

NOBODY = {role: "status 404" for role in ROLES}

ROWS = {
    ("ops.healthz", "GET"): (lambda w: "/healthz", None, EVERYONE),
    ("ops.readyz", "GET"): (lambda w: "/readyz", None, EVERYONE),
    ("ops_metrics.metrics", "GET"): (lambda w: "/metrics", None, NOBODY),
}

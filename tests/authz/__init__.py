"""Authorization matrix rows, one module per feature (tests/test_authorization.py walks them).

A feature module defines ROWS: {(endpoint, method): (url(world), data(world) or None,
expected outcome per role)} and, if its rows need objects of their own (an article, a link),
build(app, make, people, world), which runs inside an app context before the request and
stores them in world.extra. Outcomes: ok (2xx/3xx, not sent to log in), login, deny (403).
"""
from __future__ import annotations

import importlib
import pkgutil

# group_member: in a group with no permission in the world's forum; outsider: in another
# group; group_mod: in a group that moderates the world's forum (and nothing else). A row
# that names none of them treats them as "member" (tests/test_authorization.py).
ROLES = ["visitor", "member", "author", "staff", "moderator", "admin", "suspended",
         "group_member", "outsider", "group_mod"]

A = dict(visitor="login", member="ok", author="ok", staff="ok", moderator="ok", admin="ok",
         suspended="deny", group_member="ok", outsider="ok",
         group_mod="ok")                         # any member in good standing
OWN = dict(A, member="deny", staff="deny", group_member="deny",
           outsider="deny")                      # the author or a moderator of the forum
MOD = dict(OWN, author="deny")                    # moderators (of the forum) only
STAFF = dict(MOD, staff="ok", group_mod="deny")   # staff, moderators, admins
MODERATORS = dict(MOD, member="deny", author="deny",
                  group_mod="deny")               # site moderators and admins only
ADMINS = dict(MODERATORS, moderator="deny")           # admins only
EVERYONE = {role: "ok" for role in ROLES}
ACCOUNT = dict(EVERYONE, visitor="login")         # any logged-in person, even suspended


def feature_rows() -> dict:
    """Every feature module's rows, each with its module's builder (or None)."""
    rows = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        builder = getattr(module, "build", None)
        for route, (url, data, expected) in module.ROWS.items():
            assert route not in rows, f"two rows for {route}"
            rows[route] = (url, data, expected, builder)
    return rows

"""Authorization rows for the site pages (forum/pages/)."""
from __future__ import annotations

from tests.authz import ADMINS, EVERYONE

ROWS = {
    ("pages.page", "GET"): (lambda w: "/pages/about", None, EVERYONE),
    ("pages.edit", "GET"): (lambda w: "/pages/about/edit", None, ADMINS),
    ("pages.edit", "POST"): (lambda w: "/pages/about/edit", lambda w: {
        "title": "About", "body": "Who we are.", "submit": "Save page"}, ADMINS),
    ("pages.history", "GET"): (lambda w: "/pages/about/history", None, ADMINS),
}

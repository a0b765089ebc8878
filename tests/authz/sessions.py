"""Rows for the session list (forum/accounts/sessions.py): any logged-in person, suspended
members too (ending their own sessions is no write others see)."""
from __future__ import annotations

from tests.authz import ACCOUNT

ROWS = {
    ("accounts.sessions_list", "GET"): (lambda w: "/settings/sessions", None, ACCOUNT),
    ("accounts.sessions_list", "POST"): (lambda w: "/settings/sessions", lambda w: {}, ACCOUNT),
}

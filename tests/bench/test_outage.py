"""What faults.py checks under load, in one request: a database outage gives the 503 page to
a logged-in member too (the page must not need the database to show who is logged in)."""
from __future__ import annotations

from forum import create_app
from forum.config import TestConfig
from tests.conftest import config_dict


def test_database_outage_gives_503_page_to_a_logged_in_member(app):
    down = create_app({**config_dict(TestConfig), "TESTING": False,
                       "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/x"})
    client = down.test_client()
    with client.session_transaction() as session:  # what logging in leaves in the session
        session["_user_id"] = "1:1:" + "r" * 43  # member:version:session record (as sessions.begin writes it)
        session["_fresh"] = True
    for path in ("/", "/t/1-some-topic", "/settings"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "The forum is briefly unavailable" in response.text
        assert response.headers["Retry-After"] == "5"
        assert "Traceback" not in response.text and "OperationalError" not in response.text

"""Account enumeration (issue 13, point 8): registering, or changing one's address, with an
address that already has an account gives exactly the answer a free address gives; the
address's owner is told by e-mail instead."""
from __future__ import annotations

import difflib

from sqlalchemy import select

from forum.accounts.models import User
from forum.extensions import db
from forum.outbox import OutboxEmail
from tests.factories import PASSWORD


def mail_to(app, address):
    with app.app_context():
        return [m.subject for m in db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.to_address == address))]


def _register(app, name, address):
    client = app.test_client()
    response = client.post("/register", data={"display_name": name, "email": address,
                                               "password": PASSWORD, "confirm": PASSWORD})
    page = client.get(response.headers.get("Location", "/")) if response.status_code == 302 \
        else response
    return client, response, page.text.replace(address, "ADDRESS").replace(name, "NAME")


def test_registering_with_a_taken_address_answers_as_a_free_one(app, make):
    make.user("Owner", email="taken@example.gov")
    taken_client, taken, taken_page = _register(app, "Newcomer One", "taken@example.gov")
    free_client, free, free_page = _register(app, "Newcomer Two", "free@example.gov")
    assert (taken.status_code, taken.headers.get("Location")) == \
        (free.status_code, free.headers.get("Location"))
    assert taken_page == free_page
    assert "already" not in taken_page
    # neither browser is logged in by registering (that would tell the two apart)
    assert taken_client.get("/settings").status_code == 302
    assert free_client.get("/settings").status_code == 302
    assert mail_to(app, "taken@example.gov") == ["Someone tried to register with your address"]
    assert mail_to(app, "free@example.gov") == ["Confirm your email address"]
    with app.app_context():
        assert db.session.scalar(select(User).where(User.display_name == "Newcomer One")) is None
    # the new account works at once with its password
    assert free_client.post("/login", data={"login": "free@example.gov",
                                            "password": PASSWORD}).status_code == 302


def test_changing_to_a_taken_address_answers_as_a_free_one(app, make, login, client):
    make.user("Owner", email="taken@example.gov")
    member = make.user("Mover", email="mover@example.gov")
    login(member)
    client.get("/")  # shows (and so clears) the "logged in" message
    answers = []
    for address in ("taken@example.gov", "free@example.gov"):
        response = client.post("/settings/email", data={"email": address,
                                                        "password": PASSWORD})
        page = client.get(response.headers.get("Location", "/settings/email"))
        answers.append((response.status_code, response.headers.get("Location"),
                        page.text.replace(address, "ADDRESS")))
    assert answers[0] == answers[1], "\n".join(difflib.unified_diff(
        answers[0][2].splitlines(), answers[1][2].splitlines(), lineterm="", n=0))
    assert "Another account" not in answers[0][2]
    assert mail_to(app, "taken@example.gov") == [
        "Someone tried to move an account to your address"]
    assert mail_to(app, "free@example.gov") == ["Confirm your new email address"]

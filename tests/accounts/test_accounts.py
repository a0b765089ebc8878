"""Registering, logging in and out, profiles, settings, passwords, roles."""
from __future__ import annotations

import re

from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.extensions import db
from tests.factories import PASSWORD


def _user(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_register_hashes_with_argon2_then_the_member_logs_in(client, app):
    response = client.post("/register", data={
        "display_name": "Tomás Ortega", "email": "Tomas@Example.GOV",
        "password": "a long enough password", "confirm": "a long enough password"})
    assert response.status_code == 302
    user = _user(app, "tomas@example.gov")
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in user.password_hash
    assert user.role == Role.MEMBER
    # Registering logs nobody in (the answer is the same for a taken address): log in next.
    assert response.headers["Location"].startswith("/login")
    assert client.post("/login", data={"login": "tomas@example.gov",
                                       "password": "a long enough password"}).status_code == 302
    assert "Tomás Ortega" in client.get("/").text  # header shows who is logged in


def test_register_errors_keep_typed_text(client, make):
    make.user("Taken Name", email="taken@example.gov")
    page = client.post("/register", data={
        "display_name": "taken name", "email": "someone@example.gov",
        "password": "short", "confirm": "different"}).text
    assert "That display name is taken" in page or "Password must be between" in page
    assert 'value="taken name"' in page and 'value="someone@example.gov"' in page
    assert "Password must be between 10 and 200 characters." in page
    assert "The two passwords do not match." in page
    response = client.post("/register", data={
        "display_name": "Fresh Name", "email": "TAKEN@example.gov",
        "password": "a long enough password", "confirm": "a long enough password"})
    assert response.status_code == 302  # as for a free address (tests/security)
    page = client.post("/register", data={"display_name": "<b>", "email": "not-an-email",
                                          "password": "", "confirm": ""}).text
    assert "Enter an email address in the right format" in page
    assert "Enter a password." in page


def test_login_by_email_or_display_name_and_logout(client, make):
    user = make.user("Candi Harrison")
    for login in ["Candi Harrison", "candi  harrison", user.email.upper()]:
        response = client.post("/login", data={"login": login, "password": PASSWORD})
        assert response.status_code == 302, login
        assert "Log out" in client.get("/").text
        assert client.post("/logout").status_code == 302
        assert "Log out" not in client.get("/").text


def test_wrong_password_is_refused_with_message(client, make):
    user = make.user()
    page = client.post("/login", data={"login": user.email, "password": "wrong one"}).text
    assert "The email address, display name or password is not right." in page
    assert f'value="{user.email}"' in page
    assert "Log out" not in client.get("/").text


def test_login_next_only_returns_to_this_site(client, make):
    user = make.user()
    for target, expected in [("/f/misc", "/f/misc"), ("https://evil.example/", "/"),
                             ("//evil.example/", "/"), ("/\\evil.example", "/"),
                             ("javascript:alert(1)", "/")]:
        response = client.post(f"/login?next={target}",
                               data={"login": user.email, "password": PASSWORD})
        assert response.headers["Location"] == expected, target
        client.post("/logout")


def test_remember_me_sets_a_lasting_cookie(client, make):
    user = make.user()
    response = client.post("/login", data={"login": user.email, "password": PASSWORD,
                                           "remember": "y"})
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))
    client.post("/logout")
    response = client.post("/login", data={"login": user.email, "password": PASSWORD})
    assert "remember_token=" not in " ".join(response.headers.getlist("Set-Cookie"))


def test_profile_shows_public_facts_never_email(client, make, login):
    member = make.user("Priya Natarajan", email="priya.secret@example.gov")
    make.topic(author=member, title="Accessible forms in practice", replies=2)
    for viewer in [client, login(make.user())]:
        page = viewer.get("/u/Priya Natarajan").text
        assert "Priya Natarajan" in page and "Member" in page and "Member since" in page
        assert "Accessible forms in practice" in page
        assert re.search(r"<dt>Topics started</dt><dd>1</dd>", page)
        assert re.search(r"<dt>Replies</dt><dd>2</dd>", page)
        assert "priya.secret" not in page


def test_settings_edit_bio_rendered_through_markup(client, make, login):
    user = make.user("Bio Writer")
    login(user)
    response = client.post("/settings", data={"bio": "I work on **benefits** <script>x</script>"})
    assert response.status_code == 302
    page = client.get("/u/Bio Writer").text
    assert "<strong>benefits</strong>" in page and "<script>x" not in page
    assert user.email in client.get("/settings").text  # only the owner sees it


def test_settings_need_login(client):
    assert "/login" in client.get("/settings").headers["Location"]
    assert "/login" in client.get("/settings/password").headers["Location"]


def test_change_password_needs_current_and_ends_other_sessions(client, app, make, login):
    user = make.user()
    login(user)
    other_device = login(user, client=app.test_client())
    page = client.post("/settings/password", data={
        "current_password": "not it", "new_password": "a brand new password",
        "confirm": "a brand new password"}).text
    assert "Your current password is not right." in page
    response = client.post("/settings/password", data={
        "current_password": PASSWORD, "new_password": "a brand new password",
        "confirm": "a brand new password"})
    assert response.status_code == 302
    assert "Log out" in client.get("/").text          # this session carries on
    assert "Log out" not in other_device.get("/").text  # the other one has ended
    client.post("/logout")
    assert client.post("/login", data={"login": user.email, "password": PASSWORD}
                       ).status_code == 200
    assert client.post("/login", data={"login": user.email,
                                       "password": "a brand new password"}).status_code == 302


def test_create_admin_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["forum", "create-admin", "--name", "Site Admin", "--email",
                                 "admin@example.gov", "--password", "a strong admin password"])
    assert result.exit_code == 0, result.output
    assert _user(app, "admin@example.gov").role == Role.ADMIN
    result = runner.invoke(args=["forum", "create-admin", "--name", "X", "--email",
                                 "admin2@example.gov", "--password", "short"])
    assert result.exit_code != 0 and _user(app, "admin2@example.gov") is None

"""Logging in with an identity provider, against a real OpenID Provider (the `oidc-provider`
package, tests/oidc/provider.mjs) on 127.0.0.1, driven over HTTP: a new member, a name
to choose, linking an existing account with its password, and the refusals (forged state,
wrong nonce, wrong audience, expired token, unknown signing key, a provider that is down)."""
from __future__ import annotations

import logging
import re
import socket
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from forum.accounts import twofactor
from forum.accounts.models import OidcIdentity, Role, User
from forum.accounts.security_log import Event, SignInEvent
from forum.extensions import db
from forum import sitesettings
from tests.factories import PASSWORD
from tests.oidc.server import CLIENT_SECRET, provider_config


@pytest.fixture
def http(live_server):
    with httpx.Client(base_url=live_server, follow_redirects=True, timeout=15) as client:
        yield client


def logged_in_as(http) -> str | None:
    match = re.search(r'<a href="/u/[^"]*">([^<]+)</a></li>\s*<li><a href="/settings"',
                      http.get("/").text)
    return match.group(1) if match else None


def test_a_first_log_in_makes_the_member_with_the_providers_name_and_badge(dept, http,
                                                                         app):
    assert "Log in with Department ID" in http.get("/login").text
    dept.login_as("ada-1", "Ada@Dept.Example", "Ada Lovelace", amr=["pwd", "otp"],
                  acr="urn:test:loa:2")
    page = http.get("/login/with/dept")
    assert str(page.url).endswith("/") and "You are logged in as Ada Lovelace" in page.text
    assert logged_in_as(http) == "Ada Lovelace"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ada@dept.example"))
        assert user.email_verified_at is not None
        assert user.is_government_verified  # a verified address from a government provider
        identity = db.session.scalar(select(OidcIdentity).where(OidcIdentity.user_id == user.id))
        assert (identity.provider, identity.subject) == ("dept", "ada-1")
        assert (identity.last_amr, identity.last_acr) == ("pwd otp", "urn:test:loa:2")
        event = db.session.scalars(select(SignInEvent).where(
            SignInEvent.user_id == user.id, SignInEvent.event == Event.SIGNED_IN)).one()
        assert event.method == "Log in with Department ID (amr pwd otp; acr urn:test:loa:2)"
    settings = http.get("/settings/security").text
    assert "Log in with Department ID: linked" in settings and "pwd otp" in settings
    # No password works for an account made this way.
    http.post("/logout")
    refused = http.post("/login", data={"login": "ada@dept.example", "password": "!"})
    assert "is not right" in refused.text
    # The next time, the same identity logs the same member straight in.
    dept.login_as("ada-1", "ada@dept.example", "Ada Lovelace")
    http.get("/login/with/dept")
    assert logged_in_as(http) == "Ada Lovelace"
    with app.app_context():
        assert db.session.query(User).count() == 1


def test_a_missing_or_taken_name_is_asked_for(dept, http, make, app):
    make.user("Grace Hopper")
    dept.login_as("grace-2", "grace@dept.example", "Grace Hopper")
    page = http.get("/login/with/dept")
    assert urlsplit(str(page.url)).path == "/login/with/name"
    assert 'value="Grace Hopper"' in page.text
    taken = http.post("/login/with/name", data={"display_name": "grace hopper"})
    assert "That display name is taken" in taken.text
    done = http.post("/login/with/name", data={"display_name": "Grace B. Hopper"})
    assert "You are logged in as Grace B. Hopper" in done.text
    http.post("/logout")
    http.cookies.clear()  # another person, another browser (the provider remembers people)
    dept.login_as("nameless-3", "someone@dept.example")  # no name claim at all
    page = http.get("/login/with/dept")
    assert urlsplit(str(page.url)).path == "/login/with/name"


def test_a_providers_name_that_looks_like_a_members_is_asked_again(dept, http, make, app):
    """Issue 13, point 3: accounts made through a provider are compared by confusable
    skeleton too, so the provider's "Jirn Srnith" does not pass for Jim Smith."""
    make.user("Jim Smith")
    dept.login_as("jirn-4", "jirn@dept.example", "Jirn Srnith")
    page = http.get("/login/with/dept")
    assert urlsplit(str(page.url)).path == "/login/with/name"
    refused = http.post("/login/with/name", data={"display_name": "Jirn Srnith"})
    assert "looks too much like the name of an existing member, Jim Smith" in refused.text
    assert 'value="Jirn Srnith"' in refused.text and logged_in_as(http) is None
    done = http.post("/login/with/name", data={"display_name": "Jirn Example"})
    assert "You are logged in as Jirn Example" in done.text


def test_an_existing_account_is_linked_only_with_its_password(dept, http, make, app):
    owner = make.user("Alan Turing", email="alan@dept.example")
    dept.login_as("alan-9", "alan@dept.example", "A. Turing", amr=["hwk"])
    page = http.get("/login/with/dept")
    assert urlsplit(str(page.url)).path == "/login/with/link"
    assert "Alan Turing" in page.text
    assert logged_in_as(http) is None  # nothing granted yet
    wrong = http.post("/login/with/link", data={"password": "not the password"})
    assert "Your password is not right" in wrong.text
    linked = http.post("/login/with/link", data={"password": PASSWORD})
    assert "Your account is now linked" in linked.text
    assert logged_in_as(http) == "Alan Turing"
    with app.app_context():
        identity = db.session.scalar(select(OidcIdentity))
        assert identity.user_id == owner.id and identity.last_amr == "hwk"
        kinds = {e.event for e in db.session.scalars(select(SignInEvent).where(
            SignInEvent.user_id == owner.id))}
        assert {Event.WRONG_PASSWORD, Event.PROVIDER_LINKED, Event.SIGNED_IN} <= kinds
        assert db.session.get(User, owner.id).is_government_verified
    http.post("/logout")
    dept.login_as("alan-9", "alan@dept.example")
    http.get("/login/with/dept")
    assert logged_in_as(http) == "Alan Turing"  # no question the second time


def test_an_unverified_address_of_an_existing_account_is_not_linked(dept, http, make, app):
    make.user("Alan Turing", email="alan@dept.example")
    dept.login_as("mallory", "alan@dept.example", "Mallory", verified=False)
    page = http.get("/login/with/dept")
    assert urlsplit(str(page.url)).path == "/login"
    assert "has not confirmed the address" in page.text
    with app.app_context():
        assert db.session.query(OidcIdentity).count() == 0
        # The owner of the address can see that someone tried.
        event = db.session.scalars(select(SignInEvent)).one()
        assert event.event == Event.PROVIDER_REFUSED
        assert event.method == "Log in with Department ID"


def _to_callback(http, live_server) -> str:
    """Follow the flow by hand until the provider sends the http back to us."""
    url = f"{live_server}/login/with/dept"
    for _ in range(12):
        response = http.get(url, follow_redirects=False)
        url = response.headers["Location"]
        if url.startswith("/"):
            url = f"{response.url.scheme}://{response.url.netloc.decode()}{url}"
        if "/login/with/dept/callback" in url:
            return url
    raise AssertionError("the provider never sent us back")


def test_a_forged_or_replayed_state_is_refused(dept, http, live_server, app):
    dept.login_as("eve-1", "eve@dept.example", "Eve Example")
    back = _to_callback(http, live_server)
    query = parse_qs(urlsplit(back).query)
    forged = http.get("/login/with/dept/callback",
                         params={"code": query["code"][0], "state": "forged-state"})
    assert "was not started here" in forged.text and logged_in_as(http) is None
    # The real state is still unused: with it the same code works once...
    assert "You are logged in" in http.get(back).text
    http.post("/logout")
    # ...and never again.
    assert "was not started here" in http.get(back).text
    assert logged_in_as(http) is None


@pytest.mark.parametrize("fault", ["nonce", "aud", "expired", "signature"])
def test_an_id_token_that_fails_its_checks_logs_nobody_in(dept, http, app, fault):
    dept.login_as(f"victim-{fault}", f"victim-{fault}@dept.example", "Victim Example")
    dept.fault(fault)
    page = http.get("/login/with/dept")
    assert urlsplit(str(page.url)).path == "/login"
    assert "We could not check the answer from Log in with Department ID" in page.text
    assert logged_in_as(http) is None
    with app.app_context():
        assert db.session.query(User).count() == 0


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_provider_that_is_down_says_so_and_passwords_still_work(app, http, make):
    member = make.user()
    saved = app.config.get("OIDC_PROVIDERS")
    app.config["OIDC_PROVIDERS"] = {"down": provider_config(
        f"http://127.0.0.1:{_closed_port()}", label="Log in with Down Agency")}
    try:
        page = http.get("/login/with/down")
        assert urlsplit(str(page.url)).path == "/login"
        assert "Log in with Down Agency is not answering at the moment" in page.text
        assert "or log in with your password" in page.text
        done = http.post("/login", data={"login": member.email, "password": PASSWORD})
        assert "You are logged in" in done.text
    finally:
        app.config["OIDC_PROVIDERS"] = saved


def test_log_out_offers_the_providers_end_session(dept, http, live_server):
    dept.login_as("ada-1", "ada@dept.example", "Ada Lovelace")
    http.get("/login/with/dept")
    page = http.post("/logout")
    assert "You have logged out" in page.text and logged_in_as(http) is None
    link = re.search(r'<a class="button" href="([^"]+)">Log out there too', page.text)
    end = urlsplit(link.group(1).replace("&amp;", "&"))
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{dept.issuer}/session/end"
    assert parse_qs(end.query)["post_logout_redirect_uri"] == [f"{live_server}/"]
    assert parse_qs(end.query)["client_id"] == ["forum-tests"]
    # A member who logged in with a password just logs out.
    assert "Log out there too" not in http.post("/logout").text


def test_local_passwords_can_be_turned_off(dept, http, app, make):
    member = make.user()
    app.config["LOCAL_PASSWORDS"] = False
    page = http.get("/login")
    assert "Log in with Department ID" in page.text and 'name="password"' not in page.text
    refused = http.post("/login", data={"login": member.email, "password": PASSWORD})
    assert "Passwords are not used on this site" in refused.text
    assert logged_in_as(http) is None
    assert 'name="password"' not in http.get("/register").text
    http.post("/register", data={"display_name": "Newcomer", "email": "n@dept.example",
                                    "password": "long enough pass",
                                    "confirm": "long enough pass"})
    with app.app_context():
        assert db.session.scalar(select(User).where(User.display_name == "Newcomer")) is None


def test_staff_from_a_provider_rely_on_its_second_factor(dept, http, app, make):
    moderator = make.user("Mo Derator", role=Role.MODERATOR, email="mo@dept.example")
    with app.app_context():
        sitesettings.set_value(twofactor.REQUIRE_SETTING, "moderator,admin")
        db.session.commit()
    dept.login_as("mo-1", "mo@dept.example", "Mo", amr=["pwd", "mfa"])
    http.get("/login/with/dept")
    http.post("/login/with/link", data={"password": PASSWORD})
    queue = http.get("/moderation/queue", follow_redirects=False)
    assert queue.status_code == 200  # not sent to enrol: the provider's second factor counts
    http.post("/logout")
    password = http.post("/login", data={"login": moderator.email, "password": PASSWORD})
    assert urlsplit(str(password.url)).path == "/settings/two-factor"


def test_the_client_secret_appears_in_no_page_and_no_log(dept, http, caplog, make):
    caplog.set_level(logging.DEBUG)
    make.user("Alan Turing", email="alan@dept.example")
    pages = [http.get("/login").text]
    dept.login_as("ada-1", "ada@dept.example", "Ada Lovelace")
    pages.append(http.get("/login/with/dept").text)
    pages.append(http.post("/logout").text)
    http.cookies.clear()
    dept.fault("aud")
    dept.login_as("x-1", "x@dept.example", "X Example")
    pages.append(http.get("/login/with/dept").text)
    dept.fault("")
    http.cookies.clear()
    dept.login_as("alan-9", "alan@dept.example")
    pages.append(http.get("/login/with/dept").text)
    everything = "\n".join(pages) + "\n".join(r.getMessage() for r in caplog.records)
    assert CLIENT_SECRET not in everything

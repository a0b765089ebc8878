"""Logging in with an organisation's identity provider (OpenID Connect), with Authlib.

- Providers come from configuration (`OIDC_PROVIDERS`, read from the environment by
  forum/config.py): issuer (metadata by discovery), client id and secret, scopes, button
  label, and whether it is a government provider.
- The flow is Authlib's: authorization code with PKCE (S256); `state` and `nonce` are made
  per attempt and kept in the session; the callback checks the state, exchanges the code,
  checks the ID token's signature against the provider's published keys and its claims
  (iss, aud, exp, iat, nonce) and only then do we look at who it is.
- Who it is: a known (provider, subject) logs that member in. Otherwise a *verified* address
  that an account already has may be linked to it, only after that member enters their
  password (consent, and proof that it is theirs). Otherwise a new member is made, with the
  name the provider gave if it is free and valid, else one they choose.
- A verified address from a government provider earns the Government staff badge
  (`OidcIdentity.government_verified`, read by forum/accounts/domains.py).
- The provider's `amr`/`acr` claims (how the person authenticated there, e.g. with a second
  factor) are kept on the identity and in the security log; such members are not asked for
  our own two-factor code.
- Group claims: the values of the provider's groups claim (`groups_claim`, "groups" by
  default; no claim = no groups) travel with every sign-in through it in the
  `provider_signed_in` event; forum/groups joins and leaves the groups admins mapped to them.
- The client secret is used only to call the token endpoint; it is never logged or shown.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, g
from sqlalchemy import select

from .. import clock, events, sealing
from ..errors import Invalid, Refused, Throttled
from ..extensions import db
from . import domains, security_log, throttle
from .models import IdentityProviderSetting, OidcIdentity, User, name_key, name_skeleton
from .security_log import Client, Event
from .services import check_new_name, password_matches

UNUSABLE_PASSWORD = "!identity-provider"   # no argon2 hash: no password can match it
TIMEOUT = 10                               # seconds for each call to a provider

registry = OAuth()
# Ask (OIDC Core 5.5, the "claims" request parameter) for how the person authenticated; a
# provider that does not support the parameter ignores it, many send them anyway.
ASK_AUTHENTICATION_CLAIMS = json.dumps({"id_token": {"amr": None, "acr": None}})


@dataclass(frozen=True)
class Provider:
    name: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    label: str
    government: bool
    groups_claim: str = "groups"

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def __repr__(self) -> str:  # never the secret
        return f"<Provider {self.name} {self.issuer}>"


def init_app(app: Flask) -> None:
    registry.init_app(app)
    # The log-in and registration pages show a button per provider.
    app.jinja_env.globals.update(identity_providers=providers,
                                 local_passwords=lambda: app.config.get("LOCAL_PASSWORDS", True))


def providers() -> list[Provider]:
    """The providers of the environment (OIDC_PROVIDERS), then those admins added
    (`identity_providers`; a name the environment uses is the environment's). Read once per
    request."""
    if "oidc_providers" in g:
        return g.oidc_providers
    configured = current_app.config.get("OIDC_PROVIDERS") or {}
    found = [Provider(name=name, issuer=conf.get("issuer", ""),
                      client_id=conf.get("client_id", ""),
                      client_secret=conf.get("client_secret", ""),
                      scopes=conf.get("scopes") or "openid email profile",
                      label=conf.get("label") or f"Log in with {name}",
                      government=bool(conf.get("government")),
                      groups_claim=conf.get("groups_claim") or "groups")
             for name, conf in configured.items()
             if conf.get("issuer") and conf.get("client_id")]
    for setting in db.session.scalars(select(IdentityProviderSetting)
                                      .order_by(IdentityProviderSetting.id)):
        if setting.name in configured:
            continue
        try:
            secret = sealing.unseal(SECRET_SEAL, setting.sealed_client_secret)
        except sealing.Unreadable:
            current_app.logger.error("The client secret of identity provider %s cannot be "
                                     "decrypted with the configured ENCRYPTION_KEYS",
                                     setting.name)
            continue
        found.append(Provider(name=setting.name, issuer=setting.issuer,
                              client_id=setting.client_id, client_secret=secret,
                              scopes=setting.scopes, label=setting.label,
                              government=setting.government,
                              groups_claim=setting.groups_claim))
    g.oidc_providers = found
    return found


# ------------------------------------------------------------- providers added by admins

SECRET_SEAL = "oidc-client-secret"
PROVIDER_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def check_issuer(issuer: str) -> str:
    issuer = (issuer or "").strip().rstrip("/")
    parts = urlsplit(issuer)
    if not (parts.scheme == "https" and parts.hostname) and not (
            parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        raise Invalid("Enter the issuer's address, starting https:// (its discovery document "
                      "is that address followed by /.well-known/openid-configuration).",
                      "issuer")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise Invalid("The issuer's address has no query, fragment or password.", "issuer")
    return issuer


def added_providers() -> list[IdentityProviderSetting]:
    return list(db.session.scalars(select(IdentityProviderSetting)
                                   .order_by(IdentityProviderSetting.id)))


def added_provider(setting_id: int) -> IdentityProviderSetting | None:
    return db.session.get(IdentityProviderSetting, setting_id)


def add_provider(name: str, issuer: str, client_id: str, client_secret: str, scopes: str,
                 label: str, government: bool, groups_claim: str = "groups"
                 ) -> IdentityProviderSetting:
    """A provider added by an admin; its client secret is stored encrypted."""
    name = (name or "").strip()
    if not PROVIDER_NAME.fullmatch(name):
        raise Invalid("The short name can use lower-case letters, digits and hyphens (it is "
                      "in the address /login/with/<name>/callback).", "name")
    if name in (current_app.config.get("OIDC_PROVIDERS") or {}) or db.session.scalar(
            select(IdentityProviderSetting.id).where(IdentityProviderSetting.name == name)):
        raise Invalid(f"There is already a provider called {name}.", "name")
    scopes = " ".join((scopes or "").split()) or "openid email profile"
    if "openid" not in scopes.split():
        raise Invalid("The scopes must include openid.", "scopes")
    setting = IdentityProviderSetting(
        name=name, issuer=check_issuer(issuer), client_id=client_id.strip(),
        sealed_client_secret=sealing.seal(SECRET_SEAL, client_secret), scopes=scopes,
        label=" ".join(label.split()), government=government,
        groups_claim=(groups_claim or "").strip() or "groups", created_at=clock.now())
    db.session.add(setting)
    db.session.flush()
    g.pop("oidc_providers", None)
    return setting


def remove_provider(setting: IdentityProviderSetting) -> None:
    """Its button goes; members who logged in with it keep their accounts (and can reset a
    password by e-mail, or use another provider)."""
    db.session.delete(setting)
    db.session.flush()
    g.pop("oidc_providers", None)


def provider(name: str) -> Provider | None:
    return next((p for p in providers() if p.name == name), None)


def client(found: Provider):
    """Authlib's client for a provider (its discovered metadata and keys are cached in it,
    per process). It is registered under the provider's name and an HMAC (keyed with
    SECRET_KEY) of its issuer, client id, scopes and secret (the name shows in session keys,
    so nothing there may tell the secret), so a changed configuration gets a new client."""
    settings = f"{found.issuer}\n{found.client_id}\n{found.scopes}\n{found.client_secret}"
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), settings.encode(),
                      hashlib.sha256).hexdigest()[:12]
    key = f"{found.name}-{digest}"
    existing = registry.create_client(key)
    if existing is None:
        existing = registry.register(key, client_id=found.client_id,
                                     client_secret=found.client_secret,
                                     server_metadata_url=found.metadata_url,
                                     client_kwargs={"scope": found.scopes,
                                                    "code_challenge_method": "S256",
                                                    "default_timeout": TIMEOUT})
    return existing


def end_session_url(found: Provider, return_to: str) -> str | None:
    """Where to send a member to end their session at the provider too, if it says."""
    try:
        endpoint = client(found).load_server_metadata().get("end_session_endpoint")
    except Exception:  # the provider is away: just do not offer it
        return None
    if not endpoint:
        return None
    return str(client(found).create_logout_url(post_logout_redirect_uri=return_to,
                                               client_id=found.client_id)["url"])


# ------------------------------------------------------------------------- who it is

@dataclass
class Claims:
    """What we use of a validated ID token (and userinfo)."""
    provider: str
    subject: str
    email: str
    email_verified: bool
    name: str
    amr: str
    acr: str
    groups: list[str] = field(default_factory=list)

    @classmethod
    def from_token(cls, found: Provider, claims: dict[str, Any]) -> Claims:
        amr = claims.get("amr") or []
        groups = claims.get(found.groups_claim) or []
        groups = [groups] if isinstance(groups, str) else groups
        groups = [str(g)[:200] for g in groups if isinstance(g, (str, int))][:200] \
            if isinstance(groups, list) else []
        return cls(provider=found.name, subject=str(claims["sub"])[:255],
                   email=str(claims.get("email") or "").strip().lower()[:254],
                   email_verified=claims.get("email_verified") is True,
                   name=str(claims.get("name") or claims.get("preferred_username") or ""),
                   amr=" ".join(str(a) for a in amr)[:200] if isinstance(amr, list) else "",
                   acr=str(claims.get("acr") or "")[:200], groups=groups)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def method(found: Provider, claims: Claims) -> str:
    """How the member signed in, for the security log."""
    extra = [f"amr {claims.amr}"] if claims.amr else []
    extra += [f"acr {claims.acr}"] if claims.acr else []
    return found.label + (f" ({'; '.join(extra)})" if extra else "")


def signed_in(user: User, claims: Claims) -> None:
    """After a sign-in through a provider: the features that follow its claims (groups)."""
    events.provider_signed_in.send(user, provider=claims.provider, groups=list(claims.groups))


def _identity(claims: Claims) -> OidcIdentity | None:
    return db.session.scalar(select(OidcIdentity).where(
        OidcIdentity.provider == claims.provider, OidcIdentity.subject == claims.subject))


def _account_with_address(claims: Claims) -> User | None:
    if not claims.email:
        return None
    return db.session.scalar(select(User).where(User.email == claims.email))


def _touch(identity: OidcIdentity, found: Provider, claims: Claims) -> None:
    identity.last_used_at = clock.now()
    identity.last_amr, identity.last_acr = claims.amr, claims.acr
    identity.email = claims.email
    identity.government_verified = found.government and claims.email_verified


def recognise(found: Provider, claims: Claims, client_info: Client) -> tuple[str, User | None]:
    """What to do with a person the provider vouched for:
    ("known", member) log them in; ("link", member) ask that member's password first;
    ("new", None) make a member (asking for a name if the provider's is unusable)."""
    identity = _identity(claims)
    if identity is not None:
        user = db.session.get(User, identity.user_id)
        _touch(identity, found, claims)
        domains.refresh_badge(user)
        return "known", user
    existing = _account_with_address(claims)
    if existing is not None:
        if not claims.email_verified:
            # Someone at the provider claims this member's address: the member should know.
            security_log.record(existing, Event.PROVIDER_REFUSED, client_info, found.label)
            raise Refused(f"An account already uses the address {found.label} gave, but "
                          "the provider has not confirmed the address. Log in with your "
                          "password instead.")
        return "link", existing
    return "new", None


def suggested_name(claims: Claims) -> str | None:
    """The provider's name for the person, if it can be their display name here."""
    try:
        return check_new_name(claims.name)
    except Invalid:  # invalid, taken, or like someone else's: they choose one
        return None


def create_member(found: Provider, claims: Claims, display_name: str,
                  client_info: Client) -> User:
    """A new member from the provider's claims (no local password)."""
    display_name = check_new_name(display_name)
    if not claims.email:
        raise Invalid(f"{found.label} did not tell us your email address, which every "
                      "account needs. Ask your organisation to share it, or register with "
                      "a password.")
    if _account_with_address(claims) is not None:
        raise Invalid("An account already uses that email address. Log in with your "
                      "password instead.")
    now = clock.now()
    user = User(display_name=display_name, name_key=name_key(display_name),
                name_skeleton=name_skeleton(display_name), email=claims.email, password_hash=UNUSABLE_PASSWORD,
                email_verified_at=now if claims.email_verified else None, created_at=now)
    db.session.add(user)
    db.session.flush()
    _add_identity(user, found, claims)
    domains.refresh_badge(user)
    security_log.record(user, Event.PROVIDER_LINKED, client_info, found.label)
    return user


def link_account(user: User, password: str, found: Provider, claims: Claims,
                 client_info: Client) -> None:
    """Link the provider's identity to an existing account whose verified address it gave,
    once its owner has entered their password."""
    if not claims.email_verified or claims.email != user.email:
        raise Invalid("This account cannot be linked to that identity.")
    if wait := throttle.wait_seconds(user.email):
        raise Throttled(wait, throttle.wait_message(wait))
    if not password_matches(user, password):
        throttle.record_failure(user.email)
        security_log.record(user, Event.WRONG_PASSWORD, client_info, "password (linking)")
        raise Refused("Your password is not right.", "password")
    throttle.record_success(user.email)
    _add_identity(user, found, claims)
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
    domains.refresh_badge(user)
    security_log.record(user, Event.PROVIDER_LINKED, client_info, found.label)


def _add_identity(user: User, found: Provider, claims: Claims) -> OidcIdentity:
    identity = OidcIdentity(user_id=user.id, provider=found.name, subject=claims.subject,
                            created_at=clock.now())
    _touch(identity, found, claims)
    db.session.add(identity)
    db.session.flush()
    return identity


def identities_of(user: User) -> list[OidcIdentity]:
    return list(db.session.scalars(select(OidcIdentity).where(OidcIdentity.user_id == user.id)
                                   .order_by(OidcIdentity.id)))

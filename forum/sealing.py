"""Secrets the forum must read back (TOTP seeds) are stored encrypted: Fernet (AES-128-CBC
with HMAC-SHA256, from `cryptography`) under keys derived from configured secrets.

- `ENCRYPTION_KEYS` (environment: comma-separated, newest first; forum/config.py) are the
  secrets; unset, the one secret is `SECRET_KEY`. Each gives a Fernet key through HKDF-SHA256
  with the purpose in its `info` ("totp-seed"), so one configured secret never serves two
  purposes with the same key.
- `seal` encrypts with the newest key; `unseal` tries each key (MultiFernet), so after a new
  key is put first, what was sealed with the older ones still opens; `reseal` re-encrypts
  with the newest (the `flask forum rotate-encryption-keys` command does it for every seed).
- A token no configured key opens raises `Unreadable` (say which key was lost, never the
  token).
"""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


class Unreadable(Exception):
    """A sealed value that none of the configured keys opens."""


def secrets_configured(config=None) -> list[str]:
    config = config if config is not None else current_app.config
    keys = [k for k in (config.get("ENCRYPTION_KEYS") or []) if k]
    return keys or [config["SECRET_KEY"]]


def _fernet(secret: str, purpose: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=f"forum:{purpose}".encode()).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keys(purpose: str, config=None) -> MultiFernet:
    return MultiFernet([_fernet(s, purpose) for s in secrets_configured(config)])


def seal(purpose: str, value: str, config=None) -> str:
    return _keys(purpose, config).encrypt(value.encode()).decode("ascii")


def unseal(purpose: str, token: str, config=None) -> str:
    try:
        return _keys(purpose, config).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise Unreadable(purpose) from error


def reseal(purpose: str, token: str, config=None) -> str:
    """The same value sealed with the newest key."""
    try:
        return _keys(purpose, config).rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as error:
        raise Unreadable(purpose) from error

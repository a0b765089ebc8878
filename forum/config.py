"""Configuration read from the environment.

Every setting has a safe default for a laptop: SQLite in instance/, a secret key generated
once into instance/secret_key. Production sets DATABASE_URL, REDIS_URL and SECRET_KEY.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("FORUM_INSTANCE_PATH", ROOT / "instance"))


def normalise_database_url(url: str) -> str:
    """Accept the URL forms hosting providers hand out and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def secret_key(instance: Path = INSTANCE) -> str:
    """SECRET_KEY from the environment, else a key generated once into instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SITE_NAME = os.environ.get("SITE_NAME", "Public Service Forum")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'forum.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    # Visitors' pages are kept this many seconds per worker (forum/pagecache.py); 0 = off.
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "10"))
    # Rate limits: storage shared by all workers (Redis when REDIS_URL is set).
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI")
    RATE_LIMITS: dict[str, str] = {}  # override forum.ratelimit.DEFAULT_LIMITS per action
    # A long-lived token: people write long posts and must not lose them to a timer.
    # An expired token still re-shows the form with the text kept (see forum/errors.py).
    WTF_CSRF_TIME_LIMIT = int(os.environ.get("CSRF_TIME_LIMIT", 8 * 3600))
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # A post reported by this many different members is hidden until a moderator looks.
    AUTO_HIDE_REPORTS = int(os.environ.get("AUTO_HIDE_REPORTS", 3))
    # Approval queue (forum/moderation/approval.py): a member's posts wait for a moderator
    # until they have APPROVAL_FIRST_POSTS approved posts, and posts with links wait until
    # they have APPROVAL_LINK_POSTS_UNTIL. Staff, moderators and admins never wait.
    APPROVAL_ENABLED = os.environ.get("APPROVAL_ENABLED", "1") == "1"
    APPROVAL_FIRST_POSTS = int(os.environ.get("APPROVAL_FIRST_POSTS", 1))
    APPROVAL_LINK_POSTS_UNTIL = int(os.environ.get("APPROVAL_LINK_POSTS_UNTIL", 3))
    POSTS_PER_PAGE = 25
    TOPICS_PER_PAGE = 30
    # argon2id parameters (argon2-cffi's RFC 9106 low-memory profile by default)
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", 3))
    ARGON2_MEMORY_COST = int(os.environ.get("ARGON2_MEMORY_COST", 65536))
    # View counts are buffered in memory and written in batches, never one write per view.
    VIEW_FLUSH_SECONDS = float(os.environ.get("VIEW_FLUSH_SECONDS", 10))
    # E-mail (forum/notify/mailer.py sends the outbox with these; see README "E-mail").
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"  # STARTTLS
    MAIL_FROM = os.environ.get("MAIL_FROM", "Public Service Forum <forum@localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", 30))
    # The site's public address, for links in e-mails (no request to take it from).
    SITE_URL = os.environ.get("SITE_URL", "http://localhost:5000")


class TestConfig(Config):
    TESTING = True
    PAGE_CACHE_SECONDS = 0  # tests of the cache turn it on
    RATELIMIT_ENABLED = False  # tests of the limits turn them on
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SECRET_KEY = "test-secret-key-not-for-production"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 64
    VIEW_FLUSH_SECONDS = 0
    APPROVAL_ENABLED = False  # tests of the approval queue turn it on

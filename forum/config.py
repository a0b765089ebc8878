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


def environment() -> str:
    """"production" or "development": FORUM_ENV, else production exactly when DATABASE_URL is
    set (a laptop's `make run` uses SQLite in instance/)."""
    chosen = os.environ.get("FORUM_ENV", "").strip().lower()
    if chosen in ("production", "development"):
        return chosen
    return "production" if os.environ.get("DATABASE_URL") else "development"


def oidc_providers(environ=os.environ) -> dict[str, dict]:
    """Identity providers from the environment: OIDC_PROVIDERS="dept,okta" names them, and
    for each NAME: OIDC_<NAME>_ISSUER (its discovery document is ISSUER/.well-known/
    openid-configuration), OIDC_<NAME>_CLIENT_ID, OIDC_<NAME>_CLIENT_SECRET, optionally
    OIDC_<NAME>_SCOPES (default "openid email profile"), OIDC_<NAME>_LABEL (the button) and
    OIDC_<NAME>_GOVERNMENT=1 (its verified addresses earn the Government staff badge) and
    OIDC_<NAME>_GROUPS_CLAIM (the claim listing the person's groups, default "groups"; admins
    map its values to forum groups)."""
    providers = {}
    for name in (n.strip().lower() for n in environ.get("OIDC_PROVIDERS", "").split(",")):
        if not name:
            continue
        prefix = f"OIDC_{name.upper()}_"
        providers[name] = {
            "issuer": environ.get(prefix + "ISSUER", ""),
            "client_id": environ.get(prefix + "CLIENT_ID", ""),
            "client_secret": environ.get(prefix + "CLIENT_SECRET", ""),
            "scopes": environ.get(prefix + "SCOPES", "openid email profile"),
            "label": environ.get(prefix + "LABEL", f"Log in with {name}"),
            "government": environ.get(prefix + "GOVERNMENT", "0") == "1",
            "groups_claim": environ.get(prefix + "GROUPS_CLAIM", "groups"),
        }
    return providers


class Config:
    FORUM_ENV = environment()
    SITE_NAME = os.environ.get("SITE_NAME", "Public Service Forum")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'forum.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection idle this long is pinged before use (forum/extensions.py,
    # ping_after_idle); one in steady use is not.
    DATABASE_PING_AFTER_IDLE = float(os.environ.get("DATABASE_PING_AFTER_IDLE", "0.25"))
    # Behind PgBouncer in transaction pooling mode (docs/scaling.md): no server-side prepared
    # statements (psycopg 3 prepares a query after 5 runs, on a server connection that the
    # next transaction may not get).
    if os.environ.get("PGBOUNCER", "0") == "1":
        SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"prepare_threshold": None}}
    REDIS_URL = os.environ.get("REDIS_URL")
    # One log line per request (forum/requestlog.py), as text or "json".
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # /metrics answers only `Authorization: Bearer <METRICS_TOKEN>` (404 without a token).
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN")
    # Trusted reverse proxies in front (nginx: 1); their X-Forwarded-* headers name the
    # client, scheme and host (forum/client_address.py). 0: those headers are ignored.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    # Visitors' pages are kept at most this many seconds (forum/pagecache.py), in Redis when
    # REDIS_URL is set (else per worker); writes drop the pages they change at once. 0 = off.
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "10"))
    # A topic page's post list as everyone sees it is kept this long in the same store (Redis),
    # dropped at once by any write to the topic (forum/board/postlist.py); 0 = off. Without
    # Redis only where one process serves (POST_LIST_CACHE_LOCAL=1): workers' memories are
    # not told of each other's writes.
    POST_LIST_CACHE_SECONDS = int(os.environ.get("POST_LIST_CACHE_SECONDS", "30"))
    POST_LIST_CACHE_LOCAL = os.environ.get("POST_LIST_CACHE_LOCAL", "0") == "1"
    # Rate limits: storage shared by all workers (Redis when REDIS_URL is set).
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI")
    RATE_LIMITS: dict[str, str] = {}  # override forum.ratelimit.DEFAULT_LIMITS per action
    # A long-lived token: people write long posts and must not lose them to a timer.
    # An expired token still re-shows the form with the text kept (see forum/errors.py).
    WTF_CSRF_TIME_LIMIT = int(os.environ.get("CSRF_TIME_LIMIT", 8 * 3600))
    # Attachments (forum/uploads/): a request may carry a few files at the per-file limit,
    # so a file over that limit is refused with a message and the text kept, not a bare 413.
    UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 8_000_000))
    UPLOAD_DAILY_BYTES = int(os.environ.get("UPLOAD_DAILY_BYTES", 100_000_000))
    UPLOAD_MAX_FILES = int(os.environ.get("UPLOAD_MAX_FILES", 5))
    UPLOAD_STORAGE = os.environ.get("UPLOAD_STORAGE", "local")  # or "database"
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR")  # default: instance/uploads
    MAX_CONTENT_LENGTH = 50 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure cookies: "1" or "0" in the environment; unset, forum/security_headers.py makes
    # them Secure when SITE_URL is https.
    SESSION_COOKIE_SECURE = ({"1": True, "0": False}.get(os.environ["SESSION_COOKIE_SECURE"])
                             if "SESSION_COOKIE_SECURE" in os.environ else None)
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
    # Session records (forum/accounts/sessions.py): "last seen" is written at most this
    # often per session, and a session unused for SESSION_IDLE_DAYS is over.
    SESSION_TOUCH_SECONDS = int(os.environ.get("SESSION_TOUCH_SECONDS", 300))
    SESSION_IDLE_DAYS = int(os.environ.get("SESSION_IDLE_DAYS", 30))
    # The logged-in member, their session record and session facts are kept per worker for
    # at most this many seconds between their requests (forum/accounts/membercache.py), while
    # a site-wide generation in Redis says nothing they depend on was written; 0 = off.
    # Without Redis only where one process serves (MEMBER_CACHE_LOCAL=1).
    MEMBER_CACHE_SECONDS = int(os.environ.get("MEMBER_CACHE_SECONDS", 30))
    MEMBER_CACHE_LOCAL = os.environ.get("MEMBER_CACHE_LOCAL", "0") == "1"
    MEMBER_CACHE_ENTRIES = int(os.environ.get("MEMBER_CACHE_ENTRIES", 2000))
    MEMBER_CACHE_KEY = os.environ.get("MEMBER_CACHE_KEY", "forum:member-generation")
    # Rows many pages read (a forum by its slug) kept per worker, checked in the page's
    # Redis round trip (forum/keptrows.py); only with Redis. 0 turns them off.
    KEPT_ROWS_SECONDS = int(os.environ.get("KEPT_ROWS_SECONDS", 30))
    KEPT_ROWS_ENTRIES = int(os.environ.get("KEPT_ROWS_ENTRIES", 1000))
    KEPT_ROWS_PREFIX = os.environ.get("KEPT_ROWS_PREFIX", "forum:rows:")
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
    # How the sender delivers: "smtp", or "console" (print each message; development only,
    # and the default there when MAIL_SERVER is not set).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or (
        "console" if FORUM_ENV == "development" and not os.environ.get("MAIL_SERVER") else "smtp")
    # The site's public address, for links in e-mails (there may be no request to take it
    # from). Required in production: the sender refuses to start without it. In development,
    # unset, links use the address the page was served at (forum/urls.site_url).
    SITE_URL = os.environ.get("SITE_URL", "")
    # Other names the site answers to (comma-separated, e.g. an old address): absolute links
    # to them in posts count as links to this forum (pings, quotes: forum/sitelinks.py).
    SITE_HOSTS = [h.strip() for h in os.environ.get("SITE_HOSTS", "").split(",") if h.strip()]
    # Identity providers (forum/accounts/oidc.py) and whether local passwords work at all.
    OIDC_PROVIDERS = oidc_providers()
    LOCAL_PASSWORDS = os.environ.get("LOCAL_PASSWORDS", "1") == "1"
    # Secrets stored encrypted (TOTP seeds, forum/sealing.py) use keys derived from these,
    # newest first (comma-separated; no commas inside a key); unset: SECRET_KEY alone.
    ENCRYPTION_KEYS = [k.strip() for k in os.environ.get("ENCRYPTION_KEYS", "").split(",")
                       if k.strip()]


class TestConfig(Config):
    TESTING = True
    FORUM_ENV = "development"
    MAIL_BACKEND = "smtp"  # tests hand the sender a transport of their own
    SITE_URL = "http://localhost:5000"
    PAGE_CACHE_SECONDS = 0  # tests of the cache turn it on
    POST_LIST_CACHE_LOCAL = True  # one process: every test renders through the kept list
    MEMBER_CACHE_LOCAL = True  # and every member's second request is served from the cache
    RATELIMIT_ENABLED = False  # tests of the limits turn them on
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SECRET_KEY = "test-secret-key-not-for-production"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 64
    VIEW_FLUSH_SECONDS = 0
    APPROVAL_ENABLED = False  # tests of the approval queue turn it on

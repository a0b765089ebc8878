"""The forum application factory."""
from __future__ import annotations

from typing import Any

from flask import Flask, abort, g, request
from werkzeug.routing import BaseConverter, ValidationError

from .config import INSTANCE, ROOT, Config, secret_key
from . import (assets, client_address, health, keptrows, metrics, requestlog, roundtrip,
               sessioncookie)


MAX_ID = 2**31 - 1  # ids are INTEGER columns; a larger number cannot name a row


class IdConverter(BaseConverter):
    """A database id in a URL; a number no row can have does not match (so 404)."""
    regex = r"[1-9][0-9]{0,9}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


class ForumFlask(Flask):
    """Flask, asking once per function whether a hook or view is an `async def` function
    (`ensure_sync`, Flask's documented override): it asked on every request, fifteen
    `inspect.iscoroutinefunction` calls for a cached visitor's page, 6% of its CPU
    (issue 15). Plain functions are remembered, up to SYNC_CHECKED_LIMIT of them, so
    functions made for one request (after_this_request) cannot pile up."""
    SYNC_CHECKED_LIMIT = 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sync_checked: set[Any] = set()

    def ensure_sync(self, func):
        try:
            if func in self.sync_checked:
                return func
        except TypeError:  # an unhashable callable is asked every time, as Flask does
            return super().ensure_sync(func)
        answer = super().ensure_sync(func)
        if answer is func and len(self.sync_checked) < self.SYNC_CHECKED_LIMIT:
            self.sync_checked.add(func)
        return answer


def create_app(config: type | dict | None = None) -> Flask:
    app = ForumFlask(__name__, instance_path=str(INSTANCE), instance_relative_config=True,
                     template_folder=str(ROOT / "templates"),
                     static_folder=str(ROOT / "static"))
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key()
    app.url_map.converters["id"] = IdConverter
    app.session_interface = sessioncookie.KeptSessionInterface()
    client_address.init_app(app)
    app.url_map.strict_slashes = False

    from . import security_headers, templating
    from .composition import wiring
    from .accounts import membercache, services as account_services
    from .accounts.views import bp as accounts_bp
    from .accounts.email_views import bp as accounts_email_bp
    from .accounts.security_views import bp as security_bp
    from .accounts.oidc_views import bp as oidc_bp
    from .accounts import oidc
    from .admin.views import bp as admin_bp
    from .board.viewcount import views
    from .board.views import bp as board_bp
    from .composition.cli import forum_cli
    from .moderation.views import bp as moderation_bp
    from .notify.views import bp as notify_bp
    from .polls.views import bp as polls_bp
    from .articles.views import bp as articles_bp
    from .pages.views import bp as pages_bp
    from .library.views import bp as library_bp
    from .search.views import bp as search_bp
    from .feeds.views import bp as feeds_bp
    from .groups.views import bp as groups_bp
    from .conversations.views import bp as conversations_bp
    from .groups.cli import forums_cli, groups_cli
    from .writing.views import bp as writing_bp
    from .uploads.views import bp as uploads_bp
    from .errors import register_error_handlers
    from .ratelimit import rate_limits
    from .pagecache import page_cache
    from .extensions import (csrf, db, describe_results_once, login_manager, migrate,
                             new_connections_after_fork, ping_after_idle, plan_each_statement,
                             read_outside_transactions)

    db.init_app(app)
    with app.app_context():
        ping_after_idle(db.engine, app.config["DATABASE_PING_AFTER_IDLE"])
        read_outside_transactions(db.engine)
        plan_each_statement(db.engine)
        describe_results_once(db.engine)
        new_connections_after_fork(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(account_services.load_session_user)
    membercache.init_app(app, account_services.session_tables)
    views.init_app(app)
    metrics.init_app(app)
    requestlog.init_app(app)
    health.init_app(app)
    assets.init_app(app)
    page_cache.init_app(app)
    rate_limits.init_app(app)
    templating.init_app(app)
    security_headers.init_app(app)
    wiring.connect()
    app.register_blueprint(board_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(accounts_email_bp)
    app.register_blueprint(security_bp)
    app.register_blueprint(oidc_bp)
    oidc.init_app(app)
    app.register_blueprint(polls_bp)
    app.register_blueprint(library_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(articles_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(notify_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(groups_bp)
    app.register_blueprint(conversations_bp)
    forum_cli.add_command(groups_cli)
    forum_cli.add_command(forums_cli)
    app.register_blueprint(writing_bp)
    app.register_blueprint(uploads_bp)
    app.cli.add_command(forum_cli)
    register_error_handlers(app)

    @app.before_request
    def refuse_nul():
        # No database stores NUL characters; a request carrying one is malformed.
        if "\x00" in request.path or "\x00" in request.query_string.decode("latin-1") \
                or "%00" in request.query_string.decode("latin-1"):
            abort(400)

    @app.after_request
    def after(response):
        if g.get("rate_limited") and response.status_code == 200:
            response.status_code = 429
            response.headers["Retry-After"] = str(g.rate_limited)
        # Each unless the view set its own: the headers read once, not once each (four
        # setdefault calls scanned them four times).
        present = {key.lower() for key in response.headers.keys()}
        for key, value in SECURITY_HEADERS:
            if key.lower() not in present:
                response.headers.add(key, value)
        if views.due(app.config["VIEW_FLUSH_SECONDS"]):
            response.call_on_close(_flush_views(app, views))
        return response

    keptrows.init_app(app)  # (every feature imported: each kind of row is declared)
    roundtrip.init_app(app)  # last: its after_request runs first, its wrapper is outermost
    return app


SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy",
     "default-src 'self'; img-src 'self' data:; object-src 'none'; "
     "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
)


def _flush_views(app: Flask, views: Any):
    def flush():
        try:
            with app.app_context():
                views.flush()
        except Exception:
            app.logger.warning("View counts could not be written yet; will retry.")
    return flush

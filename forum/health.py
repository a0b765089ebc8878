"""Health checks for load balancers and orchestrators.

- `/healthz`: the process answers (no database, no Redis): restart it if this fails.
- `/readyz`: the database answers, its schema is at the migrations' head (Alembic), and
  Redis answers when REDIS_URL is set. 200 "ready", or 503 with the reasons, one a line:
  take the server out of the pool until it is ready again.

Neither touches the session, so a probe sets no cookie, and neither is cached.
"""
from __future__ import annotations

from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Response, current_app
from flask_migrate import Migrate
from sqlalchemy import text

from .extensions import db
from .redisconn import redis_client

bp = Blueprint("ops", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _heads(app: Flask) -> set[str]:
    """The migrations' head revisions (read once per process)."""
    if "forum.migration_heads" not in app.extensions:
        migrate: Migrate = app.extensions["migrate"]
        config = migrate.migrate.get_config(migrate.directory)
        app.extensions["forum.migration_heads"] = set(
            ScriptDirectory.from_config(config).get_heads())
    return app.extensions["forum.migration_heads"]


def problems() -> list[str]:
    """What stops this server from serving, in words; empty when ready."""
    found = []
    try:
        with db.engine.connect() as conn:
            current = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception as error:
        found.append(f"database: {type(error).__name__}")
    else:
        heads = _heads(current_app._get_current_object())
        if current != heads:
            found.append(f"migrations: database at {', '.join(sorted(current)) or 'none'}, "
                         f"code at {', '.join(sorted(heads))} (run flask db upgrade)")
    client = redis_client(current_app)
    if client is not None:
        try:
            client.ping()
        except Exception as error:
            found.append(f"redis: {type(error).__name__}")
    return found


def _plain(text_: str, status: int) -> Response:
    response = Response(text_ + "\n", status=status, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return _plain("ok", 200)


@bp.get("/readyz")
def readyz():
    found = problems()
    return _plain("\n".join(found), 503) if found else _plain("ready", 200)

import logging
import os
import re
from logging.config import fileConfig

from flask import current_app

from alembic import context

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Logging as alembic.ini says, unless this process has set logging up already (a test
# run, a process that upgrades itself): then its handlers stay, and no existing logger (the
# app's, forum.*) is disabled, so nothing the app logs after an upgrade is lost.
if not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    # The search index's FTS5 tables are made by raw SQL, not models: leave them alone.
    from forum.search.schema import include_object
    conf_args.setdefault("include_object", include_object)
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        postgresql = connection.dialect.name == "postgresql"
        if postgresql:
            # A migration that cannot get a table's lock within MIGRATION_LOCK_TIMEOUT
            # fails (run it again) instead of queueing, with every page that needs the
            # table queued behind it (docs/operations.md, "Migrations without long locks").
            # Set for this connection (reset below: it goes back to the app's pool), as
            # each migration runs in a transaction of its own.
            timeout = os.environ.get("MIGRATION_LOCK_TIMEOUT", "1s")
            if not re.fullmatch(r"[0-9]+(ms|s|min)?", timeout):
                raise ValueError("MIGRATION_LOCK_TIMEOUT: a number with ms, s or min")
            connection.exec_driver_sql(f"SET lock_timeout = '{timeout}'")
            connection.commit()
        # One transaction per migration: the locks a migration takes are released when it
        # commits, not held to the end of the whole upgrade (which made a table that an
        # early migration touched wait for every later one).
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            transaction_per_migration=True,
            **conf_args
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if postgresql:
                connection.rollback()
                connection.exec_driver_sql("RESET lock_timeout")
                connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""How migrations connect and run safely; env.py calls these in order.

- `migration_settings` turns settings problems into one-line Alembic errors;
- `connect` opens (or reuses) the connection, takes the migration lock and
  applies the lock timeouts;
- `guard_environment` announces changes to production and refuses a
  production downgrade unless `-x allow_downgrade=true`;
- `explain_failures` turns driver errors into one-line messages.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, pool, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from .migration_guards import TRUE_WORDS
from .migration_locks import migration_lock
from .settings import SettingsError, database_url, environment_name

DEFAULT_LOCK_TIMEOUT = "10s"
# Alembic's migration functions, by what they do to the database.
CHANGING_COMMANDS = {"upgrade": "upgrade", "downgrade": "downgrade", "do_stamp": "stamp"}


def migration_environment() -> str:
    try:
        return environment_name(for_migrations=True)
    except SettingsError as error:
        raise CommandError(str(error)) from None


def migration_url(environment: str) -> URL:
    try:
        return database_url(environment=environment)
    except SettingsError as error:
        raise CommandError(str(error)) from None


def make_sqlite_transactional(engine: Engine) -> None:
    """SQLAlchemy's documented pysqlite recipe: let SQLite roll back DDL too.

    pysqlite commits DDL on its own, so a revision failing half-way would
    leave its first tables behind. With the driver's own transaction handling
    off and an explicit BEGIN, a failed revision rolls back whole.
    """

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _explicit_begin(connection):
        connection.exec_driver_sql("BEGIN")


def _safe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _first_line(error: BaseException, url: URL | None = None) -> str:
    message = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    if url is not None and url.password:
        message = message.replace(str(url.password), "***")
    return message


def _apply_timeouts(connection: Connection) -> str | None:
    """Bound how long one migration may wait for a lock (PostgreSQL, MySQL)."""
    lock_timeout = os.environ.get("MIGRATION_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)
    statement_timeout = os.environ.get("MIGRATION_STATEMENT_TIMEOUT")
    backend = connection.dialect.name
    if backend == "postgresql":
        connection.execute(text("SELECT set_config('lock_timeout', :value, false)"), {"value": lock_timeout})
        if statement_timeout:
            connection.execute(
                text("SELECT set_config('statement_timeout', :value, false)"), {"value": statement_timeout}
            )
        connection.commit()
        return lock_timeout
    return None


@contextmanager
def connect(handed_over, url_factory) -> Iterator[Connection]:
    """The connection migrations run on, holding the migration lock.

    `handed_over` is `config.attributes.get("connection")`: tests and tools
    such as pytest-alembic pass an Engine or a Connection there, and it is
    used as given. Otherwise an engine is built from DATABASE_URL.
    """
    if isinstance(handed_over, Connection):
        yield handed_over
        return
    url = None
    if isinstance(handed_over, Engine):
        engine = handed_over
    else:
        url = url_factory()
        engine = create_engine(url, poolclass=pool.NullPool)
        if url.get_backend_name() == "sqlite":
            make_sqlite_transactional(engine)
    try:
        connection = engine.connect()
    except DBAPIError as error:
        target = _safe(url or engine.url)
        raise CommandError(
            f"cannot connect to the database in DATABASE_URL ({target}): {_first_line(error, url)}; "
            "check that the server is running and that DATABASE_URL is right"
        ) from None
    try:
        with connection, migration_lock(connection):
            _apply_timeouts(connection)
            yield connection
    finally:
        if handed_over is None:
            engine.dispose()


def command_name(migration_context) -> str | None:
    """'upgrade', 'downgrade' or 'stamp' when the running command changes the database."""
    fn = migration_context.opts.get("fn")
    return CHANGING_COMMANDS.get(getattr(fn, "__name__", ""))


def guard_environment(migration_context, environment: str, x_arguments: dict[str, str]) -> None:
    """Production: say what is about to change, and refuse downgrades unless allowed."""
    if environment != "prod":
        return
    command = command_name(migration_context)
    if command is None:
        return
    target = _safe(migration_context.connection.engine.url) if migration_context.connection else "offline SQL"
    print(f"Environment: prod; database: {target}; command: {command}", file=sys.stderr)
    if command == "downgrade" and x_arguments.get("allow_downgrade", "").lower() not in TRUE_WORDS:
        raise CommandError(
            "Refusing to downgrade a production database: downgrades usually drop data. "
            "If this is intended, re-run with -x allow_downgrade=true"
        )


@contextmanager
def explain_failures(connection: Connection) -> Iterator[None]:
    """Turn a lock timeout into a one-line message that says what it waited for."""
    try:
        yield
    except DBAPIError as error:
        sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None)
        if sqlstate == "55P03":  # PostgreSQL lock_not_available
            statement = " ".join(str(error.statement or "").split())[:200]
            timeout = os.environ.get("MIGRATION_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)
            raise CommandError(
                f"lock timeout: waited more than {timeout} for a lock while running: {statement}; "
                "the database stays at the last good revision. Re-run once the blocking session is "
                "gone, or raise MIGRATION_LOCK_TIMEOUT"
            ) from None
        raise

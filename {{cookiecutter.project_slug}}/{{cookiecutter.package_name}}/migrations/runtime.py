"""How migrations connect and run safely; env.py calls these in order.

- `migration_environment` and `migration_url` turn settings problems into
  one-line Alembic errors;
- `run_online` connects (sync or async), then calls the migrations;
- `compares_models` tells whether a command needs the models at all;
- `connect` opens (or reuses) the connection, takes the migration lock
  (`needs_lock`: not for read-only commands) and applies the lock timeouts
  (MIGRATION_LOCK_TIMEOUT, default 10s; MIGRATION_STATEMENT_TIMEOUT);
- `guard_environment` announces changes to production and refuses a
  production downgrade unless `-x allow_downgrade=true`;
- `explain_failures` turns driver errors into one-line messages.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, pool, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from ..settings import SettingsError, database_url, environment_name
from . import messages
from .guards import TRUE_WORDS
from .locks import migration_lock

DEFAULT_LOCK_TIMEOUT = "10s"
# What PostgreSQL accepts for a duration setting: a number, optionally a unit.
TIMEOUT_PATTERN = re.compile(r"(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?")
# Alembic commands that connect but never change the database.
READ_ONLY_COMMANDS = {"current", "check"}
# Alembic commands that run revisions without comparing models and database.
RUN_ONLY_COMMANDS = {"upgrade", "downgrade", "stamp", "current"}
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


def _no_driver_transactions(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.isolation_level = None


def _explicit_begin(connection: Any) -> None:
    # Alembic's autocommit_block() (batched backfills) asks for AUTOCOMMIT:
    # each statement then commits on its own, so no BEGIN.
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    # Leaving AUTOCOMMIT, SQLAlchemy hands transactions back to the
    # driver; take them back before beginning.
    connection.connection.dbapi_connection.isolation_level = None
    connection.exec_driver_sql("BEGIN")


def make_sqlite_transactional(engine: Engine) -> None:
    """SQLAlchemy's documented pysqlite recipe: let SQLite roll back DDL too.

    pysqlite commits DDL on its own, so a revision failing half-way would
    leave its first tables behind. With the driver's own transaction handling
    off and an explicit BEGIN, a failed revision rolls back whole.
    """
    event.listen(engine, "connect", _no_driver_transactions)
    event.listen(engine, "begin", _explicit_begin)


def transactional_ddl(connection: Connection) -> bool | None:
    """True where make_sqlite_transactional() applies; None lets Alembic decide."""
    return True if event.contains(connection.engine, "begin", _explicit_begin) else None


def _safe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _first_line(error: BaseException, url: URL | None = None) -> str:
    message = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    if url is not None and url.password:
        message = message.replace(str(url.password), "***")
    return message


def _timeout_setting(variable: str, default: str | None) -> str | None:
    value = os.environ.get(variable, "").strip() or default
    if value is not None and not TIMEOUT_PATTERN.fullmatch(value):
        raise CommandError(
            f"{variable}={value!r} is not a duration; use e.g. 10s, 500ms or 1min (0 turns it off)"
        )
    return value


# Seconds per unit of a PostgreSQL duration; a bare number is milliseconds.
SECONDS_PER_UNIT = {"us": 1e-6, "ms": 1e-3, "s": 1, "min": 60, "h": 3600, "d": 86400, None: 1e-3}


def _seconds(duration: str) -> float:
    match = TIMEOUT_PATTERN.fullmatch(duration)
    assert match is not None, duration  # _timeout_setting accepted only durations
    number, unit = match.groups()
    return float(number) * SECONDS_PER_UNIT[unit]


def _apply_timeouts(connection: Connection) -> str | None:
    """Bound how long one migration statement may wait for a lock.

    Called once the migration lock is held: waiting for another migration run
    is expected, waiting behind live traffic for a table lock is not.
    MIGRATION_LOCK_TIMEOUT (default 10s) caps each lock wait (PostgreSQL
    lock_timeout; MySQL/MariaDB lock_wait_timeout and innodb_lock_wait_timeout,
    in whole seconds); MIGRATION_STATEMENT_TIMEOUT (unset: no cap) caps each
    statement on PostgreSQL.
    """
    lock_timeout = _timeout_setting("MIGRATION_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)
    statement_timeout = _timeout_setting("MIGRATION_STATEMENT_TIMEOUT", None)
    backend = connection.dialect.name
    if backend in ("mysql", "mariadb"):
        seconds = _seconds(lock_timeout or DEFAULT_LOCK_TIMEOUT)
        if seconds > 0:  # 0 turns it off, as on PostgreSQL: keep the server's defaults
            whole = {"seconds": max(1, math.ceil(seconds))}  # MySQL counts whole seconds, at least 1
            connection.execute(text("SET SESSION lock_wait_timeout = :seconds"), whole)
            connection.execute(text("SET SESSION innodb_lock_wait_timeout = :seconds"), whole)
        connection.commit()
        return lock_timeout
    if backend != "postgresql":
        return None
    settings = {"lock_timeout": lock_timeout, "statement_timeout": statement_timeout}
    for name, value in settings.items():
        if value is not None:
            # Session-level (false): it outlives each revision's transaction.
            setting = {"name": name, "value": value}
            connection.execute(text("SELECT set_config(:name, :value, false)"), setting)
    connection.commit()
    return lock_timeout


def needs_lock(config: Any) -> bool:
    """False for the read-only commands (`alembic current`, `alembic check`).

    They must answer while a long migration holds the lock, not wait for it.
    Commands run from Python (config.cmd_opts is None) take the lock.
    """
    command = getattr(getattr(config, "cmd_opts", None), "cmd", None)
    return getattr(command[0] if command else None, "__name__", None) not in READ_ONLY_COMMANDS


def _connect_error(error: BaseException, url: URL) -> CommandError:
    return CommandError(
        f"cannot connect to the database in DATABASE_URL ({_safe(url)}): {_first_line(error, url)}; "
        "check that the server is running and that DATABASE_URL is right"
    )


@contextmanager
def _prepared(connection: Connection, lock: bool) -> Iterator[Connection]:
    """Hold the migration lock (unless `lock` is false), then apply the timeouts."""
    with migration_lock(connection) if lock else nullcontext():
        _apply_timeouts(connection)
        yield connection


@contextmanager
def connect(handed_over: Any, url_factory: Callable[[], Any], *, lock: bool = True) -> Iterator[Connection]:
    """The connection migrations run on, holding the migration lock (unless `lock` is false).

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
        raise _connect_error(error, url or engine.url) from None
    try:
        with connection, _prepared(connection, lock):
            yield connection
    finally:
        if handed_over is None:
            engine.dispose()


def _is_async_engine(connectable: Any) -> bool:
    return type(connectable).__name__ == "AsyncEngine"


async def _run_async(handed_over: Any, url: Any, migrate: Callable[[Connection], None], lock: bool) -> None:
    """Alembic's `async` template: an async connection, migrations run through run_sync()."""
    from sqlalchemy.ext.asyncio import create_async_engine  # only async projects install greenlet

    engine = handed_over or create_async_engine(url, poolclass=pool.NullPool)
    if handed_over is None and url.get_backend_name() == "sqlite":
        make_sqlite_transactional(engine.sync_engine)

    def prepared_then_migrate(connection: Connection) -> None:
        with _prepared(connection, lock):
            migrate(connection)

    try:
        connection = engine.connect()
        try:
            await connection.start()
        except (DBAPIError, OSError) as error:
            raise _connect_error(error, url or engine.url) from None
        try:
            await connection.run_sync(prepared_then_migrate)
        finally:
            await connection.close()
    finally:
        # Also for an engine handed over: its pooled connections belong to this
        # event loop, which ends here (pytest-alembic disposes it the same way).
        await engine.dispose()


def run_online(
    handed_over: Any,
    url_factory: Callable[[], URL],
    migrate: Callable[[Connection], None],
    *,
    lock: bool = True,
) -> None:
    """Connect, lock, and call `migrate(connection)` with a synchronous Connection.

    Async URLs (asyncpg, aiosqlite, aiomysql) and async engines handed over by
    tests go through asyncio the way Alembic's `async` template does; `migrate`
    is the same function either way.
    """
    if _is_async_engine(handed_over):
        asyncio.run(_run_async(handed_over, None, migrate, lock))
        return
    url = url_factory() if handed_over is None else None
    if url is not None and url.get_dialect().is_async:
        asyncio.run(_run_async(None, url, migrate, lock))
        return
    with connect(handed_over, lambda: url, lock=lock) as connection:
        migrate(connection)


def compares_models(config: Any) -> bool:
    """Whether this command compares the models with the database.

    `revision --autogenerate`, `check` and tools driving Alembic from Python
    (pytest-alembic) do; `upgrade`, `downgrade`, `stamp` and `current` only run
    revisions and need the naming convention, not the models and the ORM.
    """
    command = getattr(getattr(config, "cmd_opts", None), "cmd", None)
    return getattr(command[0] if command else None, "__name__", None) not in RUN_ONLY_COMMANDS


def command_name(migration_context: Any) -> str | None:
    """'upgrade', 'downgrade' or 'stamp' when the running command changes the database."""
    fn = migration_context.opts.get("fn")
    return CHANGING_COMMANDS.get(getattr(fn, "__name__", ""))


def guard_environment(migration_context: Any, environment: str, x_arguments: dict[str, str]) -> None:
    """Production: say what is about to change, and refuse downgrades unless allowed."""
    if environment != "prod":
        return
    command = command_name(migration_context)
    if command is None:
        return
    target = _safe(migration_context.connection.engine.url) if migration_context.connection else "offline SQL"
    print(messages.text("production_banner", target=target, command=command), file=sys.stderr)
    if command == "downgrade" and x_arguments.get("allow_downgrade", "").lower() not in TRUE_WORDS:
        raise CommandError(messages.text("production_downgrade"))


@contextmanager
def explain_failures(connection: Connection) -> Iterator[None]:
    """Turn a lock or statement timeout into a one-line message that says what waited."""
    try:
        yield
    except DBAPIError as error:
        original = getattr(error, "orig", None)
        sqlstate = getattr(original, "sqlstate", None)
        mysql_code = (getattr(original, "args", None) or (None,))[0]  # PyMySQL: (code, message)
        statement = " ".join(str(error.statement or "").split())[:200]
        # PostgreSQL lock_not_available (lock_timeout); MySQL/MariaDB ER_LOCK_WAIT_TIMEOUT.
        if sqlstate == "55P03" or mysql_code == 1205:
            timeout = os.environ.get("MIGRATION_LOCK_TIMEOUT", "").strip() or DEFAULT_LOCK_TIMEOUT
            raise CommandError(
                f"lock timeout: waited more than {timeout} (MIGRATION_LOCK_TIMEOUT) for a lock while "
                f"running: {statement}; another session holds a lock on what it touches. The failed "
                "revision is not recorded: alembic_version still names the last good one. Re-run once "
                "the blocking session is gone (PostgreSQL: pg_blocking_pids; MySQL: SHOW PROCESSLIST), or raise "
                "MIGRATION_LOCK_TIMEOUT"
            ) from None
        if sqlstate == "57014":  # PostgreSQL query_canceled: statement_timeout expired
            timeout = os.environ.get("MIGRATION_STATEMENT_TIMEOUT", "").strip()
            raise CommandError(
                f"statement timeout: a statement ran longer than {timeout} "
                f"(MIGRATION_STATEMENT_TIMEOUT) and was cancelled: {statement}. The failed revision "
                "is not recorded: alembic_version still names the last good one. Raise "
                "MIGRATION_STATEMENT_TIMEOUT, or split the work (see migrations.backfill)"
            ) from None
        raise

"""How migrations connect and run safely; env.py calls these in order.

- `run_online` connects (sync or async), then calls the migrations;
- `compares_models` tells whether a command needs the models at all;
- `connect` opens (or reuses) the connection, takes the migration lock
  (`needs_lock`: not for read-only commands) and applies the lock timeouts
  (MIGRATION_LOCK_TIMEOUT, default 500ms for a single attempt, a schedule of
  shorter ones with lock retries: retries.py; MIGRATION_STATEMENT_TIMEOUT);
- `guard_environment` announces changes to production and refuses a
  production downgrade unless `-x allow_downgrade=true`;
- `refuse_url_in_ini` refuses a `sqlalchemy.url` in alembic.ini;
- `explain_failures` (failures.py) sums up a failed or interrupted revision
  in one line.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext, suppress
from typing import TYPE_CHECKING, Any, cast, overload

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, pool, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from . import _messages as messages
from ._failures import DEFAULT_LOCK_TIMEOUT as DEFAULT_LOCK_TIMEOUT  # retries.py imports it from here
from ._failures import (
    CtrlC,
    explain_failures,  # noqa: F401  (env.py calls runtime.explain_failures)
    plain_ctrl_c,
    reported_interruption,
)
from ._guards import TRUE_WORDS
from ._locks import migration_lock

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

# What PostgreSQL accepts for a duration setting: a number, optionally a unit.
TIMEOUT_PATTERN = re.compile(r"(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?")
# Alembic commands that connect but never change the database.
READ_ONLY_COMMANDS = {"current", "check"}
# Alembic commands that run revisions without comparing models and database.
RUN_ONLY_COMMANDS = {"upgrade", "downgrade", "stamp", "current"}
# Alembic's migration functions, by what they do to the database.
CHANGING_COMMANDS = {"upgrade": "upgrade", "downgrade": "downgrade", "do_stamp": "stamp"}


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


@overload
def _timeout_setting(variable: str, default: str) -> str: ...
@overload
def _timeout_setting(variable: str, default: None) -> str | None: ...
def _timeout_setting(variable: str, default: str | None) -> str | None:
    value = os.environ.get(variable, "").strip() or default
    if value is not None and not TIMEOUT_PATTERN.fullmatch(value):
        raise CommandError(messages.text("bad_duration", variable=variable, value=value))
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
    MIGRATION_LOCK_TIMEOUT (default 500ms; with lock retries, unset, each attempt sets its own
    from retries.SCHEDULE: 150ms at first) caps each lock wait (PostgreSQL
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


# What the drivers say for the three failures a newcomer meets, by kind: their error codes
# (PostgreSQL SQLSTATE, MySQL/MariaDB error numbers), then their words.
UNREACHABLE_CODES = {2002, 2003, 2005, 2006, 2013}  # MySQL: cannot connect, unknown host, gone
LOGIN_CODES = {"28P01", "28000", 1045, 1698}  # invalid password / authorization; access denied
NO_DATABASE_CODES = {"3D000", 1049}  # invalid catalog name; unknown database
UNREACHABLE_WORDS = re.compile(
    r"connection refused|could not translate host name|name or service not known|"
    r"nodename nor servname|no route to host|timeout expired|timed out|network is unreachable|"
    r"is the server running|can't connect to",
    re.IGNORECASE,
)
LOGIN_WORDS = re.compile(r"password authentication failed|access denied for user", re.IGNORECASE)
NO_DATABASE_WORDS = re.compile(r'database "[^"]*" does not exist|unknown database', re.IGNORECASE)


def _connect_failure_kind(error: BaseException) -> str | None:
    """login, no_database, unreachable, or None (any other failure)."""
    original = getattr(error, "orig", None) or error
    codes = {getattr(original, "sqlstate", None), (getattr(original, "args", None) or (None,))[0]}
    words = str(original)
    if codes & LOGIN_CODES or LOGIN_WORDS.search(words):
        return "login"
    if codes & NO_DATABASE_CODES or NO_DATABASE_WORDS.search(words):
        return "no_database"
    if isinstance(original, OSError) or codes & UNREACHABLE_CODES or UNREACHABLE_WORDS.search(words):
        return "unreachable"
    return None


def _connect_error(error: BaseException, url: URL) -> CommandError:
    """One line in the project's language: what failed (server, login, database) and the fix."""
    default_ports = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306}
    port = url.port or default_ports.get(url.get_backend_name())
    host = url.host or "localhost"
    values = {"url": _safe(url), "detail": _first_line(error, url)}
    kind = _connect_failure_kind(error)
    if kind == "login":
        line = messages.text("connect_login", user=url.username or "?", **values)
    elif kind == "no_database":
        line = messages.text("connect_no_database", database=url.database or "?", **values)
    elif kind == "unreachable":
        line = messages.text("connect_unreachable", address=f"{host}:{port}" if port else host, **values)
    else:
        line = messages.text("connect_failed", **values)
    return CommandError(line)


# Statements that give a session back its server defaults, per backend.
RESET_TIMEOUTS = {
    "postgresql": ("RESET lock_timeout", "RESET statement_timeout"),
    "mysql": ("SET SESSION lock_wait_timeout = DEFAULT", "SET SESSION innodb_lock_wait_timeout = DEFAULT"),
}
RESET_TIMEOUTS["mariadb"] = RESET_TIMEOUTS["mysql"]


def _reset_timeouts(connection: Connection) -> None:
    """Undo _apply_timeouts: an application's Engine handed over in
    config.attributes goes back to its pool, and the application's own queries
    must not inherit the migration's timeouts. A session that cannot be reset
    (a failure took it) is discarded instead of pooled."""
    statements = RESET_TIMEOUTS.get(connection.dialect.name, ())
    if not statements:
        return
    try:
        connection.rollback()
        for statement in statements:
            connection.execute(text(statement))
        connection.commit()
    except Exception:  # noqa: BLE001 - the error that ended the migration is the one to report
        with suppress(Exception):
            connection.invalidate()


@contextmanager
def _prepared(connection: Connection, lock: bool) -> Iterator[Connection]:
    """Hold the migration lock (unless `lock` is false), then apply the timeouts."""
    with migration_lock(connection) if lock else nullcontext():
        _apply_timeouts(connection)
        try:
            yield connection
        finally:
            _reset_timeouts(connection)


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


async def _run_async(
    handed_over: AsyncEngine | None,
    url: URL | None,
    migrate: Callable[[Connection], None],
    lock: bool,
    ctrl_c: CtrlC,
) -> None:
    """Alembic's `async` template: an async connection, migrations run through run_sync()."""
    from sqlalchemy.ext.asyncio import create_async_engine  # only async projects install greenlet

    ctrl_c.cancels(asyncio.current_task())

    # url is set whenever handed_over is None (run_online).
    engine = handed_over or create_async_engine(cast(URL, url), poolclass=pool.NullPool)
    if handed_over is None and cast(URL, url).get_backend_name() == "sqlite":
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
    with reported_interruption(), plain_ctrl_c() as ctrl_c:
        if _is_async_engine(handed_over):
            asyncio.run(_run_async(handed_over, None, migrate, lock, ctrl_c))
            return
        url = url_factory() if handed_over is None else None
        if url is not None and url.get_dialect().is_async:
            asyncio.run(_run_async(None, url, migrate, lock, ctrl_c))
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


def guard_environment(
    migration_context: MigrationContext,
    environment: str,
    x_arguments: Mapping[str, str],
    disagreement: tuple[str, str] | None = None,
) -> None:
    """Production: say what is about to change, and refuse downgrades unless allowed.

    APP_ENV=prod with a stray ALEMBIC_ENV=dev (or the reverse) would switch
    the guard off (or on) without a word: the disagreement is announced on
    every changing command, and a downgrade needs the same override.
    """
    command = command_name(migration_context)
    if command is None:
        return
    if disagreement is not None:
        app_env, alembic_env = disagreement
        print(
            messages.text(
                "environment_conflict", app_env=app_env, alembic_env=alembic_env, environment=environment
            ),
            file=sys.stderr,
        )
    if environment == "prod":
        target = (
            _safe(migration_context.connection.engine.url) if migration_context.connection else "offline SQL"
        )
        print(messages.text("production_banner", target=target, command=command), file=sys.stderr)
    if command != "downgrade" or x_arguments.get("allow_downgrade", "").lower() in TRUE_WORDS:
        return
    if environment == "prod":
        raise CommandError(messages.text("production_downgrade"))
    if disagreement is not None:
        raise CommandError(messages.text("conflict_downgrade", app_env=app_env, alembic_env=alembic_env))


def refuse_url_in_ini(config: Config) -> None:
    """A `sqlalchemy.url` in alembic.ini (the tutorial's way) would be silently ignored: refuse it."""
    # The first check env.py makes: speak alembic.ini's language from here on (from_config,
    # which reports a bad value, sets it again).
    with suppress(ValueError):
        messages.set_language(config.get_main_option("language") or "en")
    # Raw: a URL-encoded password holds "%", which ConfigParser interpolation rejects.
    url = config.file_config.get(config.config_ini_section, "sqlalchemy.url", raw=True, fallback="")
    if url.strip():
        raise CommandError(messages.text("url_in_ini"))

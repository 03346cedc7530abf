"""What a failed or interrupted migration run tells the user.

A revision that raises, or Ctrl-C during `alembic upgrade`, would show a
hundred lines of Alembic internals. From the command line this prints the
frames of the user's own revision file (file, line, source) and ends with one
line: which revision failed, why, and which revision the database is at now
(read back from alembic_version after the rollback). Ctrl-C says
"interrupted" and exits with 130; the migration lock is released on the way
out (locks.py). Lock and statement timeouts get a line that says what waited.

Called from Python (pytest-alembic, an application running
`command.upgrade`), exceptions keep their type and traceback: only timeouts
become one-line CommandErrors, as they always did.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote_plus

from alembic import context
from alembic.runtime.migration import MigrationContext
from alembic.script import Script
from alembic.util import CommandError
from sqlalchemy import Connection, column, inspect, select, table
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from . import _messages as messages

# One attempt's lock wait when MIGRATION_LOCK_TIMEOUT is not set and nothing retries (retries
# off, `--sql` scripts); with retries, attempts follow _retries.SCHEDULE instead.
DEFAULT_LOCK_TIMEOUT = "500ms"
# The attribute the lock retries set on a lock timeout: what that attempt waited (their schedule's
# step), named in the one-line message.
LOCK_TIMEOUT_WAITED = "guardrails_lock_timeout"
# The exit status of a process ended by SIGINT, as shells report it.
INTERRUPTED_EXIT_CODE = 130
# Ctrl-C, as it reaches a revision: directly, or (async projects, while the
# driver awaits the server) as the cancellation asyncio.run() sends on its way out.
INTERRUPTIONS = (KeyboardInterrupt, asyncio.CancelledError)


def timeout_message(error: DBAPIError) -> str | None:
    """The line for a lock or statement timeout; None for any other database error."""
    original = getattr(error, "orig", None)
    sqlstate = getattr(original, "sqlstate", None)
    mysql_code = (getattr(original, "args", None) or (None,))[0]  # PyMySQL: (code, message)
    statement = " ".join(str(error.statement or "").split())[:200]
    # PostgreSQL lock_not_available (lock_timeout); MySQL/MariaDB ER_LOCK_WAIT_TIMEOUT.
    if sqlstate == "55P03" or mysql_code == 1205:
        timeout = (
            getattr(error, LOCK_TIMEOUT_WAITED, None)
            or os.environ.get("MIGRATION_LOCK_TIMEOUT", "").strip()
            or DEFAULT_LOCK_TIMEOUT
        )
        return messages.text("lock_timeout", timeout=timeout, statement=statement)
    if sqlstate == "57014":  # PostgreSQL query_canceled: statement_timeout expired
        timeout = os.environ.get("MIGRATION_STATEMENT_TIMEOUT", "").strip()
        return messages.text("statement_timeout", timeout=timeout, statement=statement)
    return None


def _revision_files(migration_context: MigrationContext) -> dict[Path, Script]:
    """Each revision file of the script directory -> its Script (id, path)."""
    environment = migration_context.environment_context
    assert environment is not None  # always set while env.py runs migrations
    script = environment.script
    return {Path(revision.path).resolve(): revision for revision in script.walk_revisions()}


def _own_frames(error: BaseException, files: dict[Path, Script]) -> list[traceback.FrameSummary]:
    """The traceback's frames that run in the user's revision files."""
    return [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).resolve() in files
    ]


def _reason(error: BaseException, password: str | None) -> str:
    if isinstance(error, DBAPIError):
        line = timeout_message(error)
        if line is not None:
            return line
        error = error.orig or error
    lines = str(error).strip().splitlines()
    reason = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    if isinstance(error, CommandError) and lines:  # a revision stopping on purpose says it all
        reason = lines[0]
    # As given, and as written in DATABASE_URL (URL-encoded).
    for form in (password, quote_plus(password or "")):
        if form:
            reason = reason.replace(form, "***")
    return reason


def _version_numbers(connection: Connection, migration_context: MigrationContext) -> list[str]:
    schema = migration_context.version_table_schema
    if not inspect(connection).has_table(migration_context.version_table, schema=schema):
        return []
    version = table(migration_context.version_table, column("version_num"), schema=schema)
    return list(connection.scalars(select(version.c.version_num)))


def _current(migration_context: MigrationContext) -> str:
    """The revision(s) alembic_version names now, read after the failed revision rolled back."""
    connection = migration_context.connection
    assert connection is not None  # migrations run online, on a connection
    try:
        if connection.in_transaction():
            connection.rollback()
        heads = _version_numbers(connection, migration_context)
    except SQLAlchemyError:
        # The failure (or Ctrl-C inside the driver) may have broken that
        # connection: ask on a fresh one.
        try:
            with connection.engine.connect() as fresh:
                heads = _version_numbers(fresh, migration_context)
        except SQLAlchemyError as error:
            return messages.text("current_unknown", reason=str(error).splitlines()[0])
    return ", ".join(heads) if heads else messages.text("at_base")


def _end_mysql_session(connection: Connection) -> None:
    """After Ctrl-C on MySQL/MariaDB: end the migration's server session from a fresh one.

    The server keeps running the interrupted statement, holding the
    migration lock and the statement's table locks, until it finishes;
    PostgreSQL's driver cancels it instead. The session is lost anyway.
    """
    session_id = getattr(connection.connection.dbapi_connection, "thread_id", None)
    if session_id is None:
        return
    with suppress(SQLAlchemyError), connection.engine.connect() as fresh:
        fresh.exec_driver_sql(f"KILL {int(session_id())}")


# SQLite's ALTER TABLE does little (rename, add and drop a column): what else a revision
# asks for fails with this error (or Alembic's NotImplementedError naming "batch mode").
SQLITE_ALTER_FAILED = re.compile(r'near "ALTER": syntax error|No support for ALTER of constraints in SQLite')
ALTERED_TABLE = re.compile(r'ALTER\s+TABLE\s+[`"\[]?([^\s`"\]]+)', re.IGNORECASE)
# The operations whose first string argument is the table (the constraint ones: the second).
TABLE_FIRST = ("alter_column", "add_column", "drop_column")


def _batch_advice(error: BaseException, frames: list[traceback.FrameSummary]) -> dict[str, str]:
    """The table a failed SQLite ALTER was for (from the statement, else the revision's own line)
    and the operation the revision called there."""
    line = frames[-1].line if frames else ""
    call = re.search(r"op\.(\w+)\((.*)", line or "")
    operation = call.group(1) if call else "alter_column"
    found = ALTERED_TABLE.search(str(getattr(error, "statement", "") or ""))
    if found:
        return {"table": found.group(1), "operation": operation}
    if call:
        names = re.findall(r"[\"']([^\"']+)[\"']", call.group(2))
        position = 0 if operation in TABLE_FIRST else 1
        if len(names) > position:
            return {"table": names[position], "operation": operation}
    return {"table": "<table>", "operation": operation}


def _needs_batch(connection: Connection, error: BaseException) -> bool:
    if connection.dialect.name != "sqlite" or isinstance(error, INTERRUPTIONS):
        return False
    return SQLITE_ALTER_FAILED.search(str(getattr(error, "orig", None) or error)) is not None


def _summary(
    migration_context: MigrationContext,
    error: BaseException,
    revision: Script | None,
    frames: list[traceback.FrameSummary] | None = None,
) -> str:
    connection = migration_context.connection
    assert connection is not None  # migrations run online, on a connection
    interrupted = isinstance(error, INTERRUPTIONS)
    mysql = connection.dialect.name in ("mysql", "mariadb")
    if interrupted and mysql:
        _end_mysql_session(connection)
    current = _current(migration_context)
    if revision is None:  # Ctrl-C outside any revision's code
        return messages.text("interrupted_between", current=current)
    values = {"revision": revision.revision, "file": Path(revision.path).name, "current": current}
    if interrupted:
        summary = messages.text("interrupted", **values)
    else:
        reason = _reason(error, connection.engine.url.password)
        if isinstance(error, NotImplementedError) and _needs_batch(connection, error):
            reason = type(error).__name__  # Alembic's "refer to the batch mode feature": sqlite_batch says it
        summary = messages.text("revision_failed", reason=reason, **values)
    if mysql:
        summary += messages.text("mysql_leftovers", revision=revision.revision)
    if _needs_batch(connection, error):
        summary += messages.text("sqlite_batch", **_batch_advice(error, frames or []))
    return summary


class Interrupted(Exception):
    """Ctrl-C stopped a revision; the message is the summary line."""


@contextmanager
def reported_interruption() -> Iterator[None]:
    """Around the whole run (lock and connection released by then): the line, then exit 130.

    Ctrl-C outside any revision (connecting, waiting for the migration lock)
    gets a line too when run from the command line.
    """
    try:
        yield
    except Interrupted as interrupted:
        print(interrupted, file=sys.stderr)
        raise SystemExit(INTERRUPTED_EXIT_CODE) from None
    except KeyboardInterrupt:
        if context.config.cmd_opts is None:
            raise
        print(messages.text("interrupted_outside"), file=sys.stderr)
        raise SystemExit(INTERRUPTED_EXIT_CODE) from None


class CtrlC:
    """SIGINT handler that lets Ctrl-C reach the running revision, under asyncio too.

    asyncio.run() would only cancel its task at the next await, after a
    sleeping revision has finished. Here, while revision code runs (inside
    SQLAlchemy's greenlet, or without asyncio) Ctrl-C raises KeyboardInterrupt
    there; while the event loop waits on the server, it cancels the task, so
    the driver's await raises CancelledError inside the revision.
    """

    def __init__(self) -> None:
        self.task: asyncio.Task[Any] | None = None

    def cancels(self, task: asyncio.Task[Any] | None) -> None:
        self.task = task

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.task is not None and not self.task.done() and _in_event_loop():
            self.task.cancel()
            self.task.get_loop().call_soon_threadsafe(lambda: None)  # wake the loop's select()
            return
        raise KeyboardInterrupt


def _in_event_loop() -> bool:
    # async projects only: SQLAlchemy's asyncio support depends on it (greenlet ships no type hints)
    import greenlet  # type: ignore[import-untyped]

    return greenlet.getcurrent().parent is None  # run_sync() code runs in a child greenlet


@contextmanager
def plain_ctrl_c() -> Iterator[CtrlC]:
    """Install CtrlC while migrations run, unless someone else handles SIGINT already."""
    handler = CtrlC()
    ours = threading.current_thread() is threading.main_thread()
    ours = ours and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    previous = signal.signal(signal.SIGINT, handler) if ours else None
    try:
        yield handler
    finally:
        if ours:
            signal.signal(signal.SIGINT, previous)


def _from_command_line(migration_context: MigrationContext) -> bool:
    # config.cmd_opts is None when commands are called from Python.
    environment = migration_context.environment_context
    assert environment is not None  # always set while env.py runs migrations
    return environment.config.cmd_opts is not None


@contextmanager
def explain_failures(migration_context: MigrationContext) -> Iterator[None]:
    """Wrap `context.run_migrations()`: one summary line for a failed or interrupted revision."""
    try:
        yield
    except (Exception, *INTERRUPTIONS) as error:
        if not _from_command_line(migration_context):
            line = timeout_message(error) if isinstance(error, DBAPIError) else None
            if line is None:
                raise
            raise CommandError(line) from None
        files = _revision_files(migration_context)
        frames = _own_frames(error, files)
        interrupted = isinstance(error, INTERRUPTIONS)
        if not frames and not interrupted:
            raise  # not a revision's own failure (e.g. an unknown revision id): Alembic says it
        revision = files[Path(frames[0].filename).resolve()] if frames else None
        # The revision's own lines, where it failed; not when it stopped on purpose (a CommandError,
        # such as refuse_breaking_rows): its one line names the cause and the fix.
        if not isinstance(error, CommandError):
            with suppress(BrokenPipeError):
                sys.stderr.write("".join(traceback.format_list(frames)))
        summary = _summary(migration_context, error, revision, frames)
        if interrupted:
            raise Interrupted(summary) from None
        raise CommandError(summary) from None

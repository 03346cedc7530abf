"""Lock retries: a revision that waits for a table lock gives way, then tries again.

On PostgreSQL a DDL statement waiting for its lock queues every later query on
that table behind it, plain SELECTs included (MySQL/MariaDB metadata locks
queue the same way). So each attempt waits for its lock only briefly; when the
wait runs out, the revision's transaction rolls back, the queue drains, and
after a short, jittered pause the revision is tried again, until
MIGRATION_LOCK_RETRY_BUDGET (default 1min, 0: no retries) is spent. Then the
run fails with runtime.explain_failures' one-line message, the database at the
last good revision.

How long each attempt waits:
- MIGRATION_LOCK_TIMEOUT not set: GitLab's way (WithLockRetries), a schedule
  (SCHEDULE): 150ms per attempt with pauses of 75-150ms for the first 30
  attempts (about 9 s), so a query queued behind a waiting ALTER waits 150ms at
  most; then 300ms (15 attempts), then 1s, for tables so busy that a short wait
  never gets the lock. MariaDB counts whole seconds: below 1s it does not wait
  at all (lock_wait_timeout = 0, NOWAIT); MySQL waits 1s at least.
- MIGRATION_LOCK_TIMEOUT set: that, on every attempt, with pauses from 0.1-0.2 s
  growing to 0.5-1 s.
Without retries (budget 0, or a caller's open transaction) the one attempt
waits MIGRATION_LOCK_TIMEOUT, default 500ms (runtime._apply_timeouts).

A retry calls Alembic's run_migrations() again: with transaction_per_migration
each revision commits on its own, so Alembic re-reads alembic_version and goes
on from the last committed revision. Not retried, and said why:
- a revision that ran statements in `autocommit_block()` (they are committed:
  running it again would repeat them);
- on MySQL/MariaDB, a revision whose blocked statement is not DDL (a row lock)
  after statements that committed (DDL commits as it goes there: they cannot
  be rolled back), unless each of them runs again harmlessly (IF [NOT] EXISTS,
  CREATE OR REPLACE, a trigger dropped IF EXISTS before it is created), as the
  expand step of a zero-downtime rename writes them.
On MySQL/MariaDB a blocked DDL statement is retried on its own, in place
(`_mysql_statement_retries`): the server committed what came before it and the
statement itself did nothing, so only it runs again, on the same schedule and
budget.

`offline_timeouts` writes the lock timeout of one attempt (MIGRATION_LOCK_TIMEOUT,
default 500ms) at the top of `--sql` output, so a DBA running the script, who
has no retries, gets the bound too.
"""

from __future__ import annotations

import itertools
import math
import os
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from typing import Any, cast

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, event, text
from sqlalchemy.exc import DBAPIError

from . import _messages as messages
from ._failures import LOCK_TIMEOUT_WAITED
from ._runtime import DEFAULT_LOCK_TIMEOUT, _seconds, _timeout_setting

DEFAULT_BUDGET = "1min"
# MIGRATION_LOCK_TIMEOUT not set: (attempts, lock timeout, pause after a failed
# attempt) in seconds, the last row for every attempt after. Each pause is
# jittered (x 0.5-1.0). As GitLab's WithLockRetries schedule starts (100ms,
# 50ms pauses) and grows only after many failures. A query queued behind the
# waiting ALTER waits one lock timeout at most: 150ms through the first 30
# attempts, about 9 s, whatever blocks the ALTER meanwhile (a long transaction:
# no longer wait would get the lock sooner). A short pause keeps the migration
# close behind the moment the blocker ends, and still lets the queue drain.
# Longer waits come after, for a table so busy that its queries never leave
# 150ms free.
SCHEDULE: tuple[tuple[int | None, float, float], ...] = (
    (30, 0.15, 0.15),
    (15, 0.3, 0.5),
    (None, 1.0, 1.0),
)
# MIGRATION_LOCK_TIMEOUT set: the pause before the second attempt; it doubles
# each time, up to MAX_PAUSE.
FIRST_PAUSE = 0.2
MAX_PAUSE = 1.0
# How often the watcher asks PostgreSQL who blocks a waiting statement: well
# within the schedule's first lock timeout (150ms), so the retry line names the blocker.
WATCH_SECONDS = 0.05
# Statements that commit nothing (SET: the retries' own per-attempt lock timeout).
READS = re.compile(r"\s*(SELECT|SHOW|SET)\b", re.IGNORECASE)
# Statements that run again harmlessly: a retry from the top of the revision may repeat them, even
# where DDL commits as it goes (MySQL/MariaDB). A CREATE TRIGGER is one when the revision dropped
# that trigger IF EXISTS just before (the expand step of _expand_contract.py writes them so).
REPEATABLE = re.compile(r"\bIF\s+(NOT\s+)?EXISTS\b|^\s*CREATE\s+OR\s+REPLACE\b", re.IGNORECASE)
DROPPED_TRIGGER = re.compile(r"^\s*DROP\s+TRIGGER\s+IF\s+EXISTS\s+(\S+)", re.IGNORECASE)
CREATED_TRIGGER = re.compile(r"^\s*CREATE\s+TRIGGER\s+(\S+)", re.IGNORECASE)
BLOCKERS = text(
    "SELECT pid, state, left(regexp_replace(query, '\\s+', ' ', 'g'), 200) FROM pg_stat_activity "
    "WHERE pid = ANY(pg_blocking_pids(:pid)) ORDER BY pid"
)


def is_lock_timeout(error: BaseException) -> bool:
    """PostgreSQL lock_not_available (lock_timeout); MySQL/MariaDB ER_LOCK_WAIT_TIMEOUT."""
    original = getattr(error, "orig", None)
    code = (getattr(original, "args", None) or (None,))[0]  # PyMySQL: (code, message)
    return getattr(original, "sqlstate", None) == "55P03" or code == 1205


def pauses(rng: random.Random | None = None) -> Iterator[float]:
    """Growing pauses with jitter: replicas retrying together spread apart."""
    rng = rng or random.Random()
    pause = FIRST_PAUSE
    while True:
        yield pause * rng.uniform(0.5, 1.0)
        pause = min(pause * 2, MAX_PAUSE)


def schedule(rng: random.Random | None = None) -> Iterator[tuple[float, float]]:
    """(lock timeout, pause after it) per attempt, seconds, when MIGRATION_LOCK_TIMEOUT is not set."""
    rng = rng or random.Random()
    for attempts, timeout, pause in SCHEDULE:
        for _ in range(attempts) if attempts is not None else itertools.count():
            yield timeout, pause * rng.uniform(0.5, 1.0)


def _duration(seconds: float) -> str:
    """150ms, 1s: as PostgreSQL takes a duration, and as messages name it."""
    return f"{seconds:g}s" if seconds >= 1 else f"{round(seconds * 1000)}ms"


def _is_mariadb(connection: Connection) -> bool:
    return connection.dialect.name == "mariadb" or bool(getattr(connection.dialect, "is_mariadb", False))


def use_lock_timeout(connection: Connection, seconds: float) -> str:
    """Set one attempt's lock timeout on the session (outside a transaction); what the server will wait.

    PostgreSQL: lock_timeout. MySQL/MariaDB: lock_wait_timeout (metadata locks,
    the ones later queries queue behind) in whole seconds; below a second MariaDB
    does not wait at all (0: NOWAIT), MySQL waits 1 s. innodb_lock_wait_timeout
    (row locks, which queue nothing behind them) 1 s at least.
    """
    if connection.dialect.name == "postgresql":
        waited = _duration(seconds)
        connection.execute(text("SELECT set_config('lock_timeout', :value, false)"), {"value": waited})
    else:
        connection.exec_driver_sql(mysql_lock_waits(connection, seconds))
        waited = f"{_mysql_wait(connection, seconds)}s"
    connection.commit()
    return waited


def _mysql_wait(connection: Connection, seconds: float) -> int:
    """The metadata lock wait MySQL/MariaDB take for `seconds`: whole seconds, MariaDB 0 below 1."""
    return 0 if seconds < 1 and _is_mariadb(connection) else max(1, math.ceil(seconds))


def mysql_lock_waits(connection: Connection, seconds: float) -> str:
    """The SET of one attempt's lock waits on MySQL/MariaDB (whole seconds: safe to inline)."""
    wait, whole = _mysql_wait(connection, seconds), max(1, math.ceil(seconds))
    return f"SET SESSION lock_wait_timeout = {wait}, SESSION innodb_lock_wait_timeout = {whole}"


# The session's lock timeouts as the schedule finds them, and how to set them back.
READ_LOCK_TIMEOUTS = {
    "postgresql": "SELECT current_setting('lock_timeout')",
    "mysql": "SELECT @@SESSION.lock_wait_timeout, @@SESSION.innodb_lock_wait_timeout",
}
SET_LOCK_TIMEOUTS = {
    "postgresql": "SELECT set_config('lock_timeout', :a, false)",
    "mysql": "SET SESSION lock_wait_timeout = :a, SESSION innodb_lock_wait_timeout = :b",
}


@contextmanager
def _lock_timeouts_kept(connection: Connection) -> Iterator[None]:
    """Give the session its lock timeouts back after the schedule: runtime resets the session it
    opened, but a Connection the caller handed over keeps its own settings."""
    backend = "postgresql" if connection.dialect.name == "postgresql" else "mysql"
    before = connection.execute(text(READ_LOCK_TIMEOUTS[backend])).one()
    connection.commit()

    def set_back() -> None:
        if connection.in_transaction() or connection.invalidated:
            return
        with suppress(DBAPIError):
            connection.execute(text(SET_LOCK_TIMEOUTS[backend]), dict(zip("ab", before, strict=False)))
            connection.commit()

    try:
        yield
    except DBAPIError:
        set_back()
        raise
    set_back()


class RevisionWatch:
    """What the revision being run has done so far, seen through the connection's events.

    A statement on alembic_version ends one revision (Alembic records each
    revision last, in its transaction) and so resets the record. On
    PostgreSQL a thread with a connection of its own asks, while a statement
    waits, which sessions block it (pg_blocking_pids).
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.statements_done = 0
        self.dropped_triggers: set[str] = set()
        self.autocommit = False
        self.blockers: list[str] = []
        self._waiting_since: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        if connection.dialect.name == "postgresql" and not connection.dialect.is_async:
            self._pid = _backend_pid(connection)
        if self._pid is not None:
            self._thread = threading.Thread(target=self._watch, name="lock-blockers", daemon=True)

    def __enter__(self) -> RevisionWatch:
        event.listen(self.connection, "before_cursor_execute", self._before)
        event.listen(self.connection, "after_cursor_execute", self._after)
        if self._thread is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.connection, "before_cursor_execute", self._before)
        event.remove(self.connection, "after_cursor_execute", self._after)
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _before(
        self, conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        if "alembic_version" in statement:
            self.statements_done, self.autocommit, self.blockers = 0, False, []
            self.dropped_triggers = set()
            return
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            self.autocommit = True
        self._waiting_since = time.monotonic()

    def _after(
        self, conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        self._waiting_since = None
        # Reads change nothing, repeatable statements may run again; any other statement may have
        # committed (MySQL DDL) and must not.
        if "alembic_version" in statement or READS.match(statement):
            return
        dropped, created = DROPPED_TRIGGER.match(statement), CREATED_TRIGGER.match(statement)
        if dropped:
            self.dropped_triggers.add(dropped[1])
        if created and created[1] in self.dropped_triggers:
            return
        if not REPEATABLE.search(statement):
            self.statements_done += 1

    def _watch(self) -> None:
        watcher: Connection | None = None
        try:
            while not self._stop.wait(WATCH_SECONDS):
                since = self._waiting_since
                if since is None or time.monotonic() - since < WATCH_SECONDS:
                    continue
                if watcher is None:
                    # AUTOCOMMIT: the watcher holds no snapshot and no lock.
                    watcher = self.connection.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                rows = watcher.execute(BLOCKERS, {"pid": self._pid}).all()
                if rows:
                    self.blockers = [describe(*row) for row in rows]
        except DBAPIError:
            pass  # naming the blockers is a courtesy; the retries go on without it
        finally:
            if watcher is not None:
                watcher.close()

    def why_not_retry(self) -> str | None:
        if self.autocommit:
            return messages.text("lock_retry_autocommit")
        if self.connection.dialect.name in ("mysql", "mariadb") and self.statements_done:
            return messages.text("lock_retry_mysql", done=str(self.statements_done))
        return None


def _backend_pid(connection: Connection) -> int | None:
    """The server process of this connection, from the driver (no query: no transaction begun)."""
    dbapi_connection = connection.connection.dbapi_connection
    info: Any = getattr(dbapi_connection, "info", None)  # psycopg 3
    if hasattr(info, "backend_pid"):
        return cast(int, info.backend_pid)
    get_pid = getattr(dbapi_connection, "get_backend_pid", None)  # psycopg2
    return get_pid() if get_pid else None


def describe(pid: int, state: str | None, query: str | None) -> str:
    words = " ".join((query or "").split()[:6])
    return f"pid {pid} ({state or '?'}: {words})"


class Attempts:
    """The attempts of one run: each one's lock timeout, the pause after it, and the budget they share."""

    def __init__(self, connection: Connection, budget: float, explicit: bool) -> None:
        self.connection = connection
        self.budget = budget
        self.explicit = explicit
        self.timeout = _timeout_setting("MIGRATION_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)
        if explicit and connection.dialect.name in ("mysql", "mariadb"):
            self.timeout = f"{_mysql_seconds(self.timeout)}s"  # what the server really waits
        self._schedule: Iterator[tuple[float, float]] = (
            ((_seconds(self.timeout), pause) for pause in pauses()) if explicit else schedule()
        )
        self.number = 1
        self._seconds, self._pause = next(self._schedule)
        self._started: float | None = None
        self.gave_up = False

    def start(self, execute: Callable[[str], None] | None = None) -> None:
        """Set this attempt's lock timeout: on the session, or through `execute` (a DBAPI cursor's)."""
        if self.explicit:
            return  # runtime._apply_timeouts set it once, for every attempt
        if execute is None:
            self.timeout = use_lock_timeout(self.connection, self._seconds)
            return
        execute(mysql_lock_waits(self.connection, self._seconds))
        self.timeout = f"{_mysql_wait(self.connection, self._seconds)}s"

    def give_way(
        self, statement: str, blockers: str, reason: str | None = None, *, rolled_back: bool = True
    ) -> float:
        """After a lock timeout: the pause before the next attempt, said on stderr; GiveUp when none is left."""
        self._started = self._started or time.monotonic()
        if reason is None and time.monotonic() - self._started + self._pause > self.budget:
            reason = messages.text(
                "lock_retry_budget", budget=_budget_name(self.budget), tries=str(self.number)
            )
        if reason is not None:
            print(reason, file=sys.stderr)
            self.gave_up = True
            raise GiveUp
        pause = self._pause
        self.number += 1
        fields = {
            "attempt": str(self.number),
            "timeout": self.timeout,
            "statement": " ".join(statement.split()[:8]),
            "blockers": blockers or messages.text("lock_retry_unknown"),
            "pause": f"{pause:.1f}",
        }
        # Rolled back: the revision runs again from its top; else only the blocked statement does.
        line = (
            messages.text("lock_retry", **fields)
            if rolled_back
            else messages.text("lock_retry_statement", **fields)
        )
        print(line, file=sys.stderr, flush=True)
        self._seconds, self._pause = next(self._schedule)
        return pause


class GiveUp(Exception):
    """No attempt is left: the lock timeout that ended the last one goes to the caller."""


# DDL: MySQL/MariaDB commit what came before it, then take the metadata lock. A lock timeout there
# means the statement did nothing, and nothing before it can be undone: retry that statement alone.
DDL = re.compile(r"\s*(ALTER|CREATE|DROP|RENAME|TRUNCATE)\b", re.IGNORECASE)


@contextmanager
def _mysql_statement_retries(connection: Connection, attempts: Attempts) -> Iterator[None]:
    """On MySQL/MariaDB a DDL statement that hits the lock timeout waits and runs again in place.

    The revision-level retry would have to run the statements before it again, and they are
    committed; a background thread of the server's (InnoDB statistics, purge) holding a table's
    metadata lock for a moment would then fail a revision that only had to wait.
    """
    if connection.dialect.name not in ("mysql", "mariadb"):
        yield
        return
    engine = connection.engine

    def execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        if context.root_connection is not connection or not DDL.match(statement):
            return False  # SQLAlchemy runs it as usual
        while True:
            try:
                cursor.execute(statement, parameters)
                return True
            except connection.dialect.loaded_dbapi.OperationalError as error:
                if (error.args or (None,))[0] != 1205:
                    raise
                try:
                    pause = attempts.give_way(statement, "", rolled_back=False)
                except GiveUp:
                    raise error from None
                time.sleep(pause)
                attempts.start(cursor.execute)

    def execute_no_params(cursor: Any, statement: str, context: Any) -> bool:
        return execute(cursor, statement, None, context)

    event.listen(engine, "do_execute", execute)
    event.listen(engine, "do_execute_no_params", execute_no_params)
    try:
        yield
    finally:
        event.remove(engine, "do_execute", execute)
        event.remove(engine, "do_execute_no_params", execute_no_params)


def run_with_lock_retries(connection: Connection, run_migrations: Callable[[], None]) -> None:
    """Call run_migrations(), and again after a pause each time a revision hits the lock timeout."""
    # Inside a transaction of the caller's (a test's), a failed attempt cannot be
    # rolled back on its own: no retries there.
    if connection.dialect.name not in ("postgresql", "mysql", "mariadb") or connection.in_transaction():
        run_migrations()
        return
    budget = _seconds(_timeout_setting("MIGRATION_LOCK_RETRY_BUDGET", DEFAULT_BUDGET))
    if budget <= 0:  # retries turned off: the first lock timeout fails the run
        run_migrations()
        return
    explicit = bool(os.environ.get("MIGRATION_LOCK_TIMEOUT", "").strip())
    attempts = Attempts(connection, budget, explicit)
    with (
        _lock_timeouts_kept(connection) if not explicit else nullcontext(),
        RevisionWatch(connection) as watch,
        _mysql_statement_retries(connection, attempts),
    ):
        attempts.start()
        while True:
            try:
                run_migrations()
                return
            except DBAPIError as error:
                if not is_lock_timeout(error):
                    raise
                # What this attempt waited, for the one-line message if it is the last.
                setattr(error, LOCK_TIMEOUT_WAITED, attempts.timeout)
                if attempts.gave_up:  # the statement-level retries spent the budget, and said so
                    raise
                try:
                    pause = attempts.give_way(
                        str(error.statement or ""), ", ".join(watch.blockers), watch.why_not_retry()
                    )
                except GiveUp:
                    raise error from None
                watch.blockers = []
                time.sleep(pause)
                attempts.start()


def _mysql_seconds(duration: str) -> int:
    """MySQL/MariaDB lock waits count whole seconds, at least 1 (as runtime sets them)."""
    return max(1, math.ceil(_seconds(duration)))


def _budget_name(seconds: float) -> str:
    return f"{seconds:g}s"


def offline_timeouts(migration_context: MigrationContext) -> None:
    """The lock (and statement) timeouts, as SQL at the top of `alembic upgrade --sql`."""
    lock_timeout = _timeout_setting("MIGRATION_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)
    statement_timeout = _timeout_setting("MIGRATION_STATEMENT_TIMEOUT", None)
    backend = migration_context.dialect.name
    if backend == "postgresql":
        migration_context.execute(f"SET lock_timeout = '{lock_timeout}'")
        if statement_timeout is not None:
            migration_context.execute(f"SET statement_timeout = '{statement_timeout}'")
    elif backend in ("mysql", "mariadb") and _seconds(lock_timeout) > 0:
        seconds = _mysql_seconds(lock_timeout)
        migration_context.execute(f"SET SESSION lock_wait_timeout = {seconds}")
        migration_context.execute(f"SET SESSION innodb_lock_wait_timeout = {seconds}")

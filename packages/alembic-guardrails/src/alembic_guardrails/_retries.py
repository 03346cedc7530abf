"""Lock retries: a revision that waits for a table lock gives way, then tries again.

On PostgreSQL a DDL statement waiting for its lock queues every later query on
that table behind it, plain SELECTs included (MySQL/MariaDB metadata locks
queue the same way). So each attempt waits at most MIGRATION_LOCK_TIMEOUT
(default 500ms); when it runs out, the revision's transaction rolls back, the
queue drains, and after a growing, jittered pause the revision is tried again,
until MIGRATION_LOCK_RETRY_BUDGET (default 1min, 0: no retries) is spent. Then
the run fails with runtime.explain_failures' one-line message, the database
at the last good revision.

A retry calls Alembic's run_migrations() again: with transaction_per_migration
each revision commits on its own, so Alembic re-reads alembic_version and goes
on from the last committed revision. Not retried, and said why:
- a revision that ran statements in `autocommit_block()` (they are committed:
  running it again would repeat them);
- on MySQL/MariaDB, a revision that already ran statements before the blocked
  one (DDL commits as it goes there: they cannot be rolled back).

`offline_timeouts` writes the same lock timeout at the top of `--sql` output,
so a DBA running the script gets the bound too.
"""

from __future__ import annotations

import math
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, cast

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, event, text
from sqlalchemy.exc import DBAPIError

from . import _messages as messages
from ._runtime import DEFAULT_LOCK_TIMEOUT, _seconds, _timeout_setting

DEFAULT_BUDGET = "1min"
# Pause before the second attempt; it doubles each time, up to MAX_PAUSE. A
# pause is time the blocked queue drains and traffic flows; a short maximum
# keeps the migration close behind the moment the blocker ends.
FIRST_PAUSE = 0.2
MAX_PAUSE = 1.0
# How often the watcher asks PostgreSQL who blocks a waiting statement.
WATCH_SECONDS = 0.1
READS = re.compile(r"\s*(SELECT|SHOW)\b", re.IGNORECASE)
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
            return
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            self.autocommit = True
        self._waiting_since = time.monotonic()

    def _after(
        self, conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        self._waiting_since = None
        # Reads change nothing; any other statement may have committed (MySQL DDL).
        if "alembic_version" not in statement and not READS.match(statement):
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
    timeout = _timeout_setting("MIGRATION_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)
    if connection.dialect.name in ("mysql", "mariadb"):
        timeout = f"{_mysql_seconds(timeout)}s"  # what the server really waits
    started = None
    with RevisionWatch(connection) as watch:
        for attempt, pause in enumerate(pauses(), start=2):
            try:
                run_migrations()
                return
            except DBAPIError as error:
                if not is_lock_timeout(error):
                    raise
                started = started or time.monotonic()
                reason = watch.why_not_retry()
                if reason is None and time.monotonic() - started + pause > budget:
                    reason = messages.text(
                        "lock_retry_budget", budget=_budget_name(budget), tries=str(attempt - 1)
                    )
                if reason is not None:
                    print(reason, file=sys.stderr)
                    raise
                blocked_by = ", ".join(watch.blockers) or messages.text("lock_retry_unknown")
                statement = " ".join(str(error.statement or "").split()[:8])
                print(
                    messages.text(
                        "lock_retry",
                        attempt=str(attempt),
                        timeout=timeout,
                        statement=statement,
                        blockers=blocked_by,
                        pause=f"{pause:.1f}",
                    ),
                    file=sys.stderr,
                    flush=True,
                )
                watch.blockers = []
                time.sleep(pause)


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

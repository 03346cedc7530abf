"""One migration run at a time per database, whatever starts them.

Several replicas starting at once each run `alembic upgrade head`. Each run
first takes the database's own lock, held by the session (or the process), so
the database (or the kernel) releases it when the process dies:

- PostgreSQL: a session-level advisory lock (advisory locks are per database);
- MySQL / MariaDB: GET_LOCK, on a name that includes the database (its locks
  are server-wide);
- SQLite: an exclusive lock on a file beside the database file.

Once the lock is held, the first run builds the schema and the others find it
at head and do nothing. A run that waits says once who holds the lock.

Waiting is a loop of short tries rather than one blocking call: on PostgreSQL a
statement blocked for the whole of a long migration would pin its snapshot, and
VACUUM could not clean up behind that migration's backfill meanwhile.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL

from . import _messages as messages

try:
    import fcntl
except ImportError:  # Windows: no flock, but msvcrt's byte-range locks do the same job.
    fcntl = None  # type: ignore[assignment]  # checked before every use
    import msvcrt

# alembic.ini's `migration_lock_name`, set by Guardrails.from_config: runs that share a
# name wait for each other. Projects sharing one database with one alembic_version table
# must share it too; by default it is the version table's name.
LOCK_NAME = "alembic-migrations:alembic_version"


def set_lock_name(name: str) -> None:
    global LOCK_NAME
    LOCK_NAME = name


def pg_lock_key() -> int:
    """pg_advisory_lock takes a bigint key; a stable hash of the name keeps it readable."""
    return zlib.crc32(LOCK_NAME.encode())


# MySQL limits lock names to 64 characters.
MYSQL_NAME_LIMIT = 64
# Seconds between two tries while another run holds the lock.
POLL_SECONDS = 0.2

# A child of Alembic's logger, so alembic.ini shows it with no setup.
log = logging.getLogger("alembic.lock")


def _wait_for(try_lock: Callable[[], bool], holder: Callable[[], str]) -> None:
    """Call try_lock until it succeeds, saying once that (and for whom) we wait."""
    if try_lock():
        return
    log.info(messages.text("lock_waiting", holder=holder()))
    started = time.monotonic()
    while not try_lock():
        time.sleep(POLL_SECONDS)
    log.info(messages.text("lock_got", seconds=time.monotonic() - started))


def _release_on_exit(connection: Connection, release: Callable[[], None]) -> Iterator[None]:
    try:
        yield
    except BaseException:
        # The original error is the one worth reporting, whatever release says.
        try:
            release()
        except Exception:  # noqa: BLE001 - any failure: the session cannot be trusted
            # The error may have taken the session with it (the server then
            # freed its locks), or left it unable to answer. Either way a pool
            # must not keep it: a session-level lock survives rollback, and an
            # application that migrates at start-up keeps its Engine, so every
            # other replica would wait forever. Closing the session frees it.
            with suppress(Exception):
                connection.invalidate()
        raise
    else:
        release()


@contextmanager
def _postgresql_lock(connection: Connection) -> Iterator[None]:
    if (connection.dialect.server_version_info or (0,)) >= (14,):
        # A client killed mid-statement leaves its backend running that
        # statement, lock held; with this, the backend notices within a second.
        connection.execute(text("SET client_connection_check_interval = '1s'"))
    key = {"key": pg_lock_key()}

    def try_lock() -> bool:
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar()
        # SQLAlchemy 2 autobegan a transaction for that SELECT: end it, or every
        # migration that follows would run inside it.
        connection.commit()
        return bool(got)

    def holder() -> str:
        pid = connection.execute(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND classid = 0 AND CAST(objid AS bigint) = :key AND objsubid = 1"
            ),
            key,
        ).scalar()
        connection.commit()
        return f"PostgreSQL backend pid {pid}" if pid else "it has just released it"

    def release() -> None:
        connection.rollback()
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
        connection.commit()

    _wait_for(try_lock, holder)
    yield from _release_on_exit(connection, release)


def mysql_lock_name(database: str) -> str:
    name = f"{LOCK_NAME}@{database}"
    if len(name) > MYSQL_NAME_LIMIT:
        name = f"alembic-migrations:{zlib.crc32(name.encode()):08x}"
    return name


@contextmanager
def _mysql_lock(connection: Connection) -> Iterator[None]:
    database = connection.execute(text("SELECT DATABASE()")).scalar()
    name = {"name": mysql_lock_name(database or "")}

    def try_lock() -> bool:
        # 1: acquired; 0: held by another session; NULL: an error. A zero
        # timeout makes it a try, like pg_try_advisory_lock: _wait_for polls.
        # (A negative timeout means "forever" to MySQL but is an error to MariaDB.)
        got = connection.execute(text("SELECT GET_LOCK(:name, 0)"), name).scalar()
        connection.commit()
        return got == 1

    def holder() -> str:
        connection_id = connection.execute(text("SELECT IS_USED_LOCK(:name)"), name).scalar()
        connection.commit()
        return f"MySQL connection id {connection_id}" if connection_id else "it has just released it"

    def release() -> None:
        connection.rollback()
        connection.execute(text("SELECT RELEASE_LOCK(:name)"), name)
        connection.commit()

    _wait_for(try_lock, holder)
    yield from _release_on_exit(connection, release)


def sqlite_lock_file(url: URL) -> Path | None:
    """The lock file beside the database file; None for a private in-memory database."""
    database = url.database or ""
    if database.startswith("file:"):  # a URI filename: file:path?mode=...
        database = database[len("file:") :].split("?")[0]
    if database in ("", ":memory:") or url.query.get("mode") == "memory":
        return None
    path = Path(database)
    return path.with_name(path.name + ".migration-lock")


def _try_lock_file(handle: Any) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


@contextmanager
def _sqlite_lock(url: URL) -> Iterator[None]:
    lock_file = sqlite_lock_file(url)
    if lock_file is None:
        yield  # a private in-memory database has no other writers
        return
    # The kernel releases the lock when the process dies, whatever the way.
    with open(lock_file, "a+") as handle:
        handle.seek(0)  # msvcrt locks bytes from the current position
        _wait_for(lambda: _try_lock_file(handle), lambda: f"lock file {lock_file}")
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)
            else:
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


@contextmanager
def migration_lock(connection: Connection) -> Iterator[None]:
    """Hold the database's migration lock for the duration of the block."""
    backend = connection.dialect.name
    if backend == "postgresql":
        lock = _postgresql_lock(connection)
    elif backend in ("mysql", "mariadb"):
        lock = _mysql_lock(connection)
    elif backend == "sqlite":
        lock = _sqlite_lock(connection.engine.url)
    else:
        raise NotImplementedError(f"no migration lock for the {backend} dialect")
    with lock:
        yield

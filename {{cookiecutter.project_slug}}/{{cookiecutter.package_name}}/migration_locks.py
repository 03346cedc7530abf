"""One migration run at a time per database, whatever starts them.

Several replicas starting at once each run `alembic upgrade head`. Each run
first takes the database's own lock, held by the session (or the process),
so the database releases it when the process dies:

- PostgreSQL: a session-level advisory lock;
- MySQL / MariaDB: GET_LOCK;
- SQLite: an exclusive file lock on a file beside the database.

Once the lock is held, the first run builds the schema and the others find
it at head and do nothing.
"""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, text

LOCK_NAME = "alembic-migrations:{{ cookiecutter.package_name }}"
# pg_advisory_lock takes a bigint key; a stable hash of the name keeps it readable.
PG_LOCK_KEY = zlib.crc32(LOCK_NAME.encode())


@contextmanager
def _postgresql_lock(connection: Connection) -> Iterator[None]:
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": PG_LOCK_KEY})
    # SQLAlchemy 2 autobegan a transaction for that SELECT: end it, or every
    # migration that follows would run inside it.
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PG_LOCK_KEY})
        connection.commit()


@contextmanager
def _mysql_lock(connection: Connection) -> Iterator[None]:
    # A negative timeout waits for as long as it takes, like pg_advisory_lock.
    connection.execute(text("SELECT GET_LOCK(:name, -1)"), {"name": LOCK_NAME})
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        connection.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": LOCK_NAME})
        connection.commit()


@contextmanager
def _sqlite_lock(database: str | None) -> Iterator[None]:
    if not database or database == ":memory:" or database.startswith("file:"):
        yield  # a private in-memory database has no other writers
        return
    lock_file = Path(database).with_name(Path(database).name + ".migration-lock")
    with open(lock_file, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released by the kernel if the process dies
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def migration_lock(connection: Connection) -> Iterator[None]:
    """Hold the database's migration lock for the duration of the block."""
    backend = connection.dialect.name
    if backend == "postgresql":
        lock = _postgresql_lock(connection)
    elif backend in ("mysql", "mariadb"):
        lock = _mysql_lock(connection)
    elif backend == "sqlite":
        lock = _sqlite_lock(connection.engine.url.database)
    else:
        raise NotImplementedError(f"no migration lock for the {backend} dialect")
    with lock:
        yield

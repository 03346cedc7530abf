"""A failed migration in a long-running process leaves the migration lock free at once.

An application that migrates at start-up calls `alembic.command.upgrade(cfg, "head")`
from Python with its own pooled Engine in `config.attributes["connection"]`.
When a revision fails (an error, or Ctrl-C inside it) the process lives on and
keeps that Engine, its connection back in the pool. PostgreSQL advisory locks
and MariaDB GET_LOCK belong to the session and survive a rollback: a lock left
on that pooled connection would make every other replica wait forever. So
another session must get the lock immediately, on all three databases. Nor may the application's own queries on that pooled
session inherit the migration's lock and statement timeouts.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from safety import FIRST_REVISION, environment, write_revision

FAILURES = {
    "error": 'op.execute("SELECT * FROM no_such_table")',
    "ctrl_c": "raise KeyboardInterrupt",
}

FAILED_WITH = {"error": ("ProgrammingError", "OperationalError"), "ctrl_c": ("KeyboardInterrupt",)}

# The application's start-up: its own pooled engine, handed over to Alembic.
# After the failure it says what the lock is called and how many connections
# its pool keeps, then stays alive (engine and pool kept) until told to stop.
APP = """
import sys

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from alembic_guardrails._locks import mysql_lock_name, pg_lock_key, sqlite_lock_file
from {package}.settings import database_url

engine = create_engine(database_url())
config = Config("alembic.ini")
config.attributes["connection"] = engine
try:
    command.upgrade(config, "head")
except BaseException as error:
    print("FAILED", type(error).__name__, flush=True)
else:
    print("UPGRADED", flush=True)
lock = {{"postgresql": pg_lock_key(), "sqlite": sqlite_lock_file(engine.url)}}.get(
    engine.dialect.name, mysql_lock_name(engine.url.database or "")
)
print("LOCK", lock, flush=True)
print("POOLED", engine.pool.checkedin(), flush=True)
with engine.connect() as connection:  # the pooled session the application's queries get next
    changed = {{
        "postgresql": "SELECT count(*) FROM pg_settings WHERE name IN "
        "('lock_timeout', 'statement_timeout') AND setting <> reset_val",
        "mysql": "SELECT (@@SESSION.lock_wait_timeout <> @@GLOBAL.lock_wait_timeout)"
        " + (@@SESSION.innodb_lock_wait_timeout <> @@GLOBAL.innodb_lock_wait_timeout)",
    }}.get(engine.dialect.name.replace("mariadb", "mysql"), "SELECT 0")
    print("TIMEOUTS_LEFT", connection.exec_driver_sql(changed).scalar(), flush=True)
sys.stdin.readline()
engine.dispose()
"""


def takes_the_lock_at_once(backend: str, url: str, lock: str) -> bool:
    """Another session's (or process's) non-blocking try for the migration lock."""
    if backend == "sqlite":
        with open(lock, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(handle, fcntl.LOCK_UN)
            return True
    try_lock, unlock = {
        "postgresql": ("SELECT pg_try_advisory_lock(:lock)", "SELECT pg_advisory_unlock(:lock)"),
        "mysql": ("SELECT GET_LOCK(:lock, 0)", "SELECT RELEASE_LOCK(:lock)"),
    }[backend]
    params = {"lock": int(lock) if backend == "postgresql" else lock}
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as session:
            got = session.execute(text(try_lock), params).scalar()
            if got:
                session.execute(text(unlock), params)
            return bool(got)
    finally:
        engine.dispose()


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_a_failed_migration_on_a_handed_over_engine_frees_the_lock(database, bake, failure):
    backend, url = database
    project = bake(database=backend)
    write_revision(project, "fail0001", FIRST_REVISION, FAILURES[failure])
    (project.path / "app_start.py").write_text(APP.format(package=project.context["package_name"]))

    app = subprocess.Popen(
        [sys.executable, "app_start.py"],
        cwd=project.path,
        env=environment(DATABASE_URL=url, MIGRATION_STATEMENT_TIMEOUT="20s"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        said = {}
        for _ in range(4):
            word, _, rest = app.stdout.readline().partition(" ")
            said[word] = rest.strip()
        # SQLite says OperationalError for a missing table, the servers ProgrammingError.
        assert said.get("FAILED") in FAILED_WITH[failure], said
        if backend != "sqlite":
            # The application's engine kept its connection, as a live pool does.
            assert int(said["POOLED"]) >= 1, said
        assert takes_the_lock_at_once(backend, url, said["LOCK"]), (
            "the failed migration left the migration lock held by the application's process"
        )
        # Nor do the migration's lock and statement timeouts stay on the session
        # the application's own queries get from its pool.
        assert said["TIMEOUTS_LEFT"] == "0", said
    finally:
        app.communicate("\n", timeout=60)

"""A migration waits for a table lock at most MIGRATION_LOCK_TIMEOUT (default 500ms without retries).

PostgreSQL (lock_timeout) and MySQL/MariaDB (lock_wait_timeout for table and
metadata locks, innodb_lock_wait_timeout for row locks; whole seconds), each
tried with a table lock and a row lock.

Blocked behind another session it fails within that time with a message that
says it was a lock timeout and on which statement, leaves the previous
revision in place, and succeeds once the lock is gone. Retries are off here
(MIGRATION_LOCK_RETRY_BUDGET=0); tests/test_lock_retries.py covers them. MIGRATION_STATEMENT_TIMEOUT
caps each statement the same way.
"""

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from baked import BIN
from safety import FIRST_REVISION, current, execute, query, tables, write_revision

ADD_NICKNAME = """
op.create_table("side", sa.Column("id", sa.Integer, primary_key=True))
op.add_column("users", sa.Column("nickname", sa.String(20), nullable=True))
"""
DROP_NICKNAME = """
op.drop_column("users", "nickname")
op.drop_table("side")
"""
# Says which timeouts the migration runs under, then runs for SLEEP seconds.
SHOW_TIMEOUTS = """
bind = op.get_bind()
for name in ("lock_timeout", "statement_timeout"):
    print(f"{name}=" + bind.exec_driver_sql(f"SHOW {name}").scalar())
op.execute(f"SELECT pg_sleep({float(os.environ.get('SLEEP', '0'))})")
"""


# Per backend and kind of lock: how live traffic locks users, the revision that
# then waits, and the statement the timeout message must name.
# MySQL cannot roll DDL back, so its ALTER revision is that one ALTER: nothing
# is left behind when it times out. PostgreSQL's creates a table first, to show
# the whole revision rolls back. A row lock (SELECT ... FOR UPDATE in an open
# transaction) blocks an UPDATE: on MySQL/MariaDB that wait is
# innodb_lock_wait_timeout's (50 s by default), not lock_wait_timeout's.
RENAME = "op.execute(\"UPDATE users SET name = 'renamed' WHERE id = 1\")"
ROW_LOCK = ("SELECT * FROM users WHERE id = 1 FOR UPDATE", RENAME, "pass", "UPDATE users SET name")
BLOCKED = {
    ("postgresql", "table"): (
        "LOCK TABLE users IN ACCESS EXCLUSIVE MODE",
        ADD_NICKNAME,
        DROP_NICKNAME,
        "ALTER TABLE users ADD COLUMN nickname",
    ),
    ("postgresql", "row"): ROW_LOCK,
    ("mysql", "table"): (
        "LOCK TABLES users WRITE",
        'op.add_column("users", sa.Column("nickname", sa.String(20), nullable=True))',
        'op.drop_column("users", "nickname")',
        "ALTER TABLE users ADD COLUMN nickname",
    ),
    ("mysql", "row"): ROW_LOCK,
}


@pytest.mark.parametrize(("backend", "kind"), sorted(BLOCKED))
def test_a_blocked_migration_times_out_then_succeeds(request, bake, backend, kind):
    url = request.getfixturevalue(f"{backend}_url")
    lock, upgrade, downgrade, statement = BLOCKED[backend, kind]
    project = bake(database=backend)
    env = {"DATABASE_URL": url, "MIGRATION_LOCK_TIMEOUT": "1s", "MIGRATION_LOCK_RETRY_BUDGET": "0"}
    project.alembic("upgrade", "head", env=env)
    execute(url, "INSERT INTO users (id, name) VALUES (1, 'first')")
    write_revision(project, "nick0001", FIRST_REVISION, upgrade, downgrade)

    # No pool: closing the session ends it, and with it the lock.
    blocker = create_engine(url, poolclass=NullPool)
    with blocker.connect() as session:
        # Live traffic's lock: held until this session's transaction (PostgreSQL,
        # row locks) or the session itself (MySQL LOCK TABLES) ends.
        session.execute(text(lock))
        started = time.monotonic()
        # Without a lock timeout the upgrade would wait as long as the blocker
        # (or the server's default): the subprocess timeout bounds that.
        result = project.run(str(BIN / "alembic"), "upgrade", "head", env=env, timeout=40)
        elapsed = time.monotonic() - started
        assert result.returncode != 0
        # "FAILED: <message>" on stderr (never into `--sql` output), on one line.
        (failed,) = [line for line in result.stderr.splitlines() if line.startswith("FAILED")]
        assert "lock timeout: waited more than 1s" in failed
        assert statement in failed
        assert "Traceback" not in result.stdout + result.stderr
        assert "Lock retr" not in result.stderr  # MIGRATION_LOCK_RETRY_BUDGET=0: no retries
        assert elapsed < 20, f"the blocked upgrade took {elapsed:.1f} s to give up"

    # Once the blocker is gone (its lock also blocks reading users on PostgreSQL):
    # nothing of the failed revision is left.
    assert current(project, env) == FIRST_REVISION
    assert query(url, "SELECT name FROM users") == [("first",)]
    if backend == "postgresql":
        assert "side" not in tables(url)  # the revision rolled back whole
    project.alembic("upgrade", "head", env=env)
    assert current(project, env) == "nick0001"
    assert query(url, "SELECT name FROM users") == [("renamed" if kind == "row" else "first",)]


def test_timeouts_come_from_the_environment(postgresql_url, bake):
    project = bake(database="postgresql")
    env = {"DATABASE_URL": postgresql_url}
    write_revision(project, "show0001", FIRST_REVISION, SHOW_TIMEOUTS)

    default = project.alembic("upgrade", "head", env=env)
    # Unset, with the lock retries on: the retries' schedule, 150ms for the first attempts.
    assert "lock_timeout=150ms" in default.stdout and "statement_timeout=0" in default.stdout
    retries_off = {**env, "MIGRATION_LOCK_RETRY_BUDGET": "0"}  # a single attempt: 500ms
    project.alembic("downgrade", FIRST_REVISION, env=env)
    single = project.alembic("upgrade", "head", env=retries_off)
    assert "lock_timeout=500ms" in single.stdout
    project.alembic("downgrade", FIRST_REVISION, env=env)

    configured = {**env, "MIGRATION_LOCK_TIMEOUT": "3s", "MIGRATION_STATEMENT_TIMEOUT": "500ms", "SLEEP": "5"}
    cancelled = project.alembic("upgrade", "head", env=configured, check=False)
    assert "lock_timeout=3s" in cancelled.stdout and "statement_timeout=500ms" in cancelled.stdout
    assert cancelled.returncode != 0
    assert "statement timeout: a statement ran longer than 500ms" in cancelled.stderr
    assert "SELECT pg_sleep(5.0)" in cancelled.stderr
    assert current(project, env) == FIRST_REVISION

    wrong = project.alembic("upgrade", "head", env={**env, "MIGRATION_LOCK_TIMEOUT": "soon"}, check=False)
    assert wrong.returncode != 0
    assert "MIGRATION_LOCK_TIMEOUT='soon' is not a duration" in wrong.stderr

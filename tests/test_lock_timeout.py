"""A migration waits for a table lock at most MIGRATION_LOCK_TIMEOUT (default 500ms).

PostgreSQL (lock_timeout) and MySQL/MariaDB (lock_wait_timeout, whole seconds).

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
from safety import FIRST_REVISION, current, tables, write_revision

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


# Per backend: how live traffic locks users, and the revision that then waits.
# MySQL cannot roll DDL back, so its revision is the one ALTER: nothing is left
# behind when that ALTER times out. PostgreSQL's creates a table first, to show
# the whole revision rolls back.
BLOCKED = {
    "postgresql": ("LOCK TABLE users IN ACCESS EXCLUSIVE MODE", ADD_NICKNAME, DROP_NICKNAME),
    "mysql": (
        "LOCK TABLES users WRITE",
        'op.add_column("users", sa.Column("nickname", sa.String(20), nullable=True))',
        'op.drop_column("users", "nickname")',
    ),
}


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_a_migration_blocked_by_a_table_lock_times_out_then_succeeds(request, bake, backend):
    url = request.getfixturevalue(f"{backend}_url")
    lock, upgrade, downgrade = BLOCKED[backend]
    project = bake(database=backend)
    env = {"DATABASE_URL": url, "MIGRATION_LOCK_TIMEOUT": "1s", "MIGRATION_LOCK_RETRY_BUDGET": "0"}
    project.alembic("upgrade", "head", env=env)
    write_revision(project, "nick0001", FIRST_REVISION, upgrade, downgrade)

    # No pool: closing the session ends it, and with it the lock.
    blocker = create_engine(url, poolclass=NullPool)
    with blocker.connect() as session:
        # Live traffic's lock: held until this session's transaction (PostgreSQL)
        # or the session itself (MySQL LOCK TABLES) ends.
        session.execute(text(lock))
        started = time.monotonic()
        # Without a lock timeout the upgrade would wait as long as the blocker:
        # the subprocess timeout turns that into a failure instead of a hang.
        result = project.run(str(BIN / "alembic"), "upgrade", "head", env=env, timeout=60)
        elapsed = time.monotonic() - started
        assert result.returncode != 0
        # Alembic prints "FAILED: <message>" on stdout.
        assert "lock timeout: waited more than 1s" in result.stdout
        assert "Lock retr" not in result.stderr  # MIGRATION_LOCK_RETRY_BUDGET=0: no retries
        assert "ALTER TABLE users ADD COLUMN nickname" in result.stdout
        assert elapsed < 20, f"the blocked upgrade took {elapsed:.1f} s to give up"
        assert current(project, env) == FIRST_REVISION
        if backend == "postgresql":
            assert "side" not in tables(url)  # the revision rolled back whole

    project.alembic("upgrade", "head", env=env)  # the blocker is gone
    assert current(project, env) == "nick0001"


def test_timeouts_come_from_the_environment(postgresql_url, bake):
    project = bake(database="postgresql")
    env = {"DATABASE_URL": postgresql_url}
    write_revision(project, "show0001", FIRST_REVISION, SHOW_TIMEOUTS)

    default = project.alembic("upgrade", "head", env=env)
    assert "lock_timeout=500ms" in default.stdout and "statement_timeout=0" in default.stdout
    project.alembic("downgrade", FIRST_REVISION, env=env)

    configured = {**env, "MIGRATION_LOCK_TIMEOUT": "3s", "MIGRATION_STATEMENT_TIMEOUT": "500ms", "SLEEP": "5"}
    cancelled = project.alembic("upgrade", "head", env=configured, check=False)
    assert "lock_timeout=3s" in cancelled.stdout and "statement_timeout=500ms" in cancelled.stdout
    assert cancelled.returncode != 0
    assert "statement timeout: a statement ran longer than 500ms" in cancelled.stdout
    assert "SELECT pg_sleep(5.0)" in cancelled.stdout
    assert current(project, env) == FIRST_REVISION

    wrong = project.alembic("upgrade", "head", env={**env, "MIGRATION_LOCK_TIMEOUT": "soon"}, check=False)
    assert wrong.returncode != 0
    assert "MIGRATION_LOCK_TIMEOUT='soon' is not a duration" in wrong.stdout

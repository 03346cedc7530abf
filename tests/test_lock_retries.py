"""Lock retries: a blocked revision gives way, waits, and tries again within a budget.

PostgreSQL and MariaDB, with live traffic's lock held by another session: the
upgrade gets through once that session ends, saying on each retry who blocked
it; with a budget too short it fails with the one-line lock-timeout message and
the database at the last good revision; a revision that cannot be retried
safely is not, and the run says why. Offline SQL carries the lock timeout.
"""

import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from safety import FIRST_REVISION, current, query, write_revision

ADD_NICKNAME = 'op.add_column("users", sa.Column("nickname", sa.String(20), nullable=True))'
DROP_NICKNAME = 'op.drop_column("users", "nickname")'
# Live traffic: a transaction that has read users holds a lock that the ALTER
# must wait for (PostgreSQL ACCESS SHARE; MySQL/MariaDB a shared metadata lock).
READ_IN_TRANSACTION = "SELECT count(*) FROM users"


def hold_read_lock(url: str, seconds: float) -> threading.Thread:
    """A session reading users in a transaction that lasts `seconds`; started, lock held on return."""
    engine = create_engine(url, poolclass=NullPool)
    holding = threading.Event()

    def hold() -> None:
        with engine.connect() as session:
            session.execute(text(READ_IN_TRANSACTION))
            holding.set()
            time.sleep(seconds)
            session.rollback()
        engine.dispose()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert holding.wait(30), "the blocking session never started"
    return thread


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_a_blocked_revision_is_retried_until_the_blocker_ends(request, bake, backend):
    url = request.getfixturevalue(f"{backend}_url")
    project = bake(database=backend)
    env = {"DATABASE_URL": url}  # the defaults: 500ms per attempt, a minute in all
    project.alembic("upgrade", "head", env=env)
    write_revision(project, "nick0001", FIRST_REVISION, ADD_NICKNAME, DROP_NICKNAME)

    blocker = hold_read_lock(url, seconds=4)
    started = time.monotonic()
    result = project.alembic("upgrade", "head", env=env)
    elapsed = time.monotonic() - started
    blocker.join()

    assert current(project, env) == "nick0001"
    retries = [line for line in result.stderr.splitlines() if line.startswith("Lock retry")]
    assert len(retries) >= 2, result.stderr
    assert retries[0].startswith("Lock retry 2: waited 500ms (MIGRATION_LOCK_TIMEOUT)")
    assert "ALTER TABLE users ADD COLUMN nickname" in retries[0]
    if backend == "postgresql":
        # pg_blocking_pids named the session and the first words of its query.
        assert "(idle in transaction: SELECT count(*) FROM users)" in retries[0]
    # Done soon after the blocker ended: the pauses stay short.
    assert elapsed < 4 + 3, f"the upgrade finished {elapsed - 4:.1f} s after the blocker ended"


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_a_spent_budget_fails_with_one_line_at_the_last_good_revision(request, bake, backend):
    url = request.getfixturevalue(f"{backend}_url")
    project = bake(database=backend)
    env = {"DATABASE_URL": url, "MIGRATION_LOCK_RETRY_BUDGET": "2s"}
    project.alembic("upgrade", "head", env=env)
    write_revision(project, "nick0001", FIRST_REVISION, ADD_NICKNAME, DROP_NICKNAME)

    blocker = hold_read_lock(url, seconds=8)
    started = time.monotonic()
    result = project.alembic("upgrade", "head", env=env, check=False)
    elapsed = time.monotonic() - started
    blocker.join()

    assert result.returncode != 0
    assert "Lock retries: gave up after" in result.stderr
    assert "(MIGRATION_LOCK_RETRY_BUDGET) is spent" in result.stderr
    assert "FAILED: lock timeout: waited more than 500ms" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert elapsed < 8, f"a 2s budget took {elapsed:.1f} s"
    assert current(project, env) == FIRST_REVISION
    columns = "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'"
    assert ("nickname",) not in query(url, columns)


def upgrade_while_blocked(project, env: dict[str, str], seconds: float):
    """`alembic upgrade head` while a reader holds its lock; it must fail without retrying."""
    blocker = hold_read_lock(env["DATABASE_URL"], seconds)
    result = project.alembic("upgrade", "head", env=env, check=False)
    blocker.join()
    assert result.returncode != 0
    assert "Lock retry" not in result.stderr
    return result


def test_a_revision_with_an_autocommit_block_is_not_retried(postgresql_url, bake):
    project = bake(database="postgresql")
    env = {"DATABASE_URL": postgresql_url}
    project.alembic("upgrade", "head", env=env)
    upgrade = """
    with op.get_context().autocommit_block():
        op.execute("CREATE TABLE audit (id integer PRIMARY KEY)")
    op.add_column("users", sa.Column("nickname", sa.String(20), nullable=True))
    """
    write_revision(project, "auto0001", FIRST_REVISION, upgrade)

    result = upgrade_while_blocked(project, env, seconds=3)
    assert "not retrying, this revision ran statements in autocommit_block()" in result.stderr
    assert "FAILED: lock timeout" in result.stdout
    assert current(project, env) == FIRST_REVISION


def test_on_mariadb_a_revision_blocked_after_its_first_statement_is_not_retried(mysql_url, bake):
    project = bake(database="mysql")
    env = {"DATABASE_URL": mysql_url}
    project.alembic("upgrade", "head", env=env)
    upgrade = f"""
    op.create_table("side", sa.Column("id", sa.Integer, primary_key=True))
    {ADD_NICKNAME}
    """
    write_revision(project, "side0001", FIRST_REVISION, upgrade)

    result = upgrade_while_blocked(project, env, seconds=4)
    assert "this revision's first 1 statement(s) already committed" in result.stderr
    assert current(project, env) == FIRST_REVISION


@pytest.mark.parametrize(
    ("backend", "settings"),
    [
        ("postgresql", ["SET lock_timeout = '500ms';"]),
        ("mysql", ["SET SESSION lock_wait_timeout = 1;", "SET SESSION innodb_lock_wait_timeout = 1;"]),
    ],
)
def test_offline_sql_starts_with_the_lock_timeout(bake, backend, settings):
    project = bake(database=backend)
    url = {"postgresql": "postgresql://u@db/x", "mysql": "mysql+pymysql://u@db/x"}[backend]
    sql = project.alembic("upgrade", "head", "--sql", env={"DATABASE_URL": url}).stdout
    statements = [line for line in sql.splitlines() if line and not line.startswith("--")]
    assert statements[: len(settings)] == settings

    configured = {"DATABASE_URL": url, "MIGRATION_LOCK_TIMEOUT": "2s", "MIGRATION_STATEMENT_TIMEOUT": "1min"}
    sql = project.alembic("upgrade", "head", "--sql", env=configured).stdout
    if backend == "postgresql":
        assert "SET lock_timeout = '2s';\n\nSET statement_timeout = '1min';" in sql
    else:
        assert "SET SESSION lock_wait_timeout = 2;" in sql

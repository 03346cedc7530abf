"""Lock retries: a blocked revision gives way, waits, and tries again within a budget.

PostgreSQL and MariaDB, with live traffic's lock held by another session: the
upgrade gets through once that session ends, saying on each retry who blocked
it; with a budget too short it fails with the one-line lock-timeout message and
the database at the last good revision; a revision that cannot be retried
safely is not, and the run says why. Offline SQL carries the lock timeout.
"""

import subprocess
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from baked import BIN
from safety import FIRST_REVISION, current, environment, query, wait_until, write_revision

ADD_NICKNAME = 'op.add_column("users", sa.Column("nickname", sa.String(20), nullable=True))'
DROP_NICKNAME = 'op.drop_column("users", "nickname")'
# Live traffic: a transaction that has read users holds a lock that the ALTER
# must wait for (PostgreSQL ACCESS SHARE; MySQL/MariaDB a shared metadata lock).
READ_IN_TRANSACTION = "SELECT count(*) FROM users"
# How a third session sees the migration waiting for its lock on users.
MIGRATION_WAITING = {
    "postgresql": "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'users'::regclass",
    "mysql": "SELECT count(*) FROM information_schema.processlist WHERE state = 'Waiting for table metadata lock'",
}


class ReadLock:
    """A session reading users in a transaction, holding its lock until release()."""

    def __init__(self, url: str):
        self.engine = create_engine(url, poolclass=NullPool)
        self.released = threading.Event()
        holding = threading.Event()

        def hold() -> None:
            with self.engine.connect() as session:
                session.execute(text(READ_IN_TRANSACTION))
                holding.set()
                self.released.wait(120)
                session.rollback()

        self.thread = threading.Thread(target=hold, daemon=True)
        self.thread.start()
        assert holding.wait(30), "the blocking session never started"

    def release(self) -> None:
        self.released.set()
        self.thread.join()
        self.engine.dispose()


def start_upgrade(project, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "alembic"), "upgrade", "head"],
        cwd=project.path,
        env=environment(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def migration_waits(backend: str, url: str) -> None:
    """Return once the migration waits for its lock (Alembic's start-up takes a while on a busy machine)."""
    wait_until(lambda: query(url, MIGRATION_WAITING[backend])[0][0] > 0, "the migration to wait for its lock")


def finish(process: subprocess.Popen) -> subprocess.CompletedProcess:
    stdout, stderr = process.communicate(timeout=180)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def upgrade_while_locked(project, backend: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`alembic upgrade head` while a reader holds its lock for as long as the upgrade runs."""
    lock = ReadLock(env["DATABASE_URL"])
    try:
        process = start_upgrade(project, env)
        migration_waits(backend, env["DATABASE_URL"])
        return finish(process)
    finally:
        lock.release()


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_a_blocked_revision_is_retried_until_the_blocker_ends(request, bake, backend):
    url = request.getfixturevalue(f"{backend}_url")
    project = bake(database=backend)
    env = {"DATABASE_URL": url}  # the defaults: 500ms per attempt, a minute in all
    project.alembic("upgrade", "head", env=env)
    write_revision(project, "nick0001", FIRST_REVISION, ADD_NICKNAME, DROP_NICKNAME)

    lock = ReadLock(url)
    process = start_upgrade(project, env)
    migration_waits(backend, url)
    time.sleep(3)  # a few attempts time out meanwhile
    lock.release()
    released = time.monotonic()
    result = finish(process)
    after_release = time.monotonic() - released

    assert result.returncode == 0, result.stdout + result.stderr
    assert current(project, env) == "nick0001"
    retries = [line for line in result.stderr.splitlines() if line.startswith("Lock retry")]
    assert retries, result.stderr
    waited = {"postgresql": "500ms", "mysql": "1s"}[backend]  # MySQL waits whole seconds
    assert retries[0].startswith(f"Lock retry 2: waited {waited} (MIGRATION_LOCK_TIMEOUT)")
    assert "ALTER TABLE users ADD COLUMN nickname" in retries[0]
    if backend == "postgresql":
        # pg_blocking_pids named the session and the first words of its query.
        assert "(idle in transaction: SELECT count(*) FROM users)" in retries[0]
    # Done soon after the blocker ended: the pauses stay short.
    assert after_release < 10, f"the upgrade finished {after_release:.1f} s after the blocker ended"


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_a_spent_budget_fails_with_one_line_at_the_last_good_revision(request, bake, backend):
    url = request.getfixturevalue(f"{backend}_url")
    project = bake(database=backend)
    env = {"DATABASE_URL": url, "MIGRATION_LOCK_RETRY_BUDGET": "2s"}
    project.alembic("upgrade", "head", env=env)
    write_revision(project, "nick0001", FIRST_REVISION, ADD_NICKNAME, DROP_NICKNAME)

    result = upgrade_while_locked(project, backend, env)

    assert result.returncode != 0
    assert "Lock retries: gave up after" in result.stderr
    assert "(MIGRATION_LOCK_RETRY_BUDGET) is spent" in result.stderr
    # One line that names the revision, the lock timeout, and where the database stands.
    assert "FAILED: revision nick0001 (" in result.stderr
    assert "failed: lock timeout: waited more than 500ms" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert current(project, env) == FIRST_REVISION
    columns = "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'"
    assert ("nickname",) not in query(url, columns)


def not_retried(project, backend: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = upgrade_while_locked(project, backend, env)
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

    result = not_retried(project, "postgresql", env)
    assert "not retrying, this revision ran statements in autocommit_block()" in result.stderr
    assert "FAILED: revision auto0001 (" in result.stderr
    assert "failed: lock timeout" in result.stderr
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

    result = not_retried(project, "mysql", env)
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

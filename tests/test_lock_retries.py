"""Lock retries: a blocked revision gives way, waits, and tries again within a budget.

PostgreSQL and MariaDB, with live traffic's lock held by another session: the
upgrade gets through once that session ends, saying on each retry who blocked
it; with a budget too short it fails with the one-line lock-timeout message and
the database at the last good revision; a revision that cannot be retried
safely is not, and the run says why. Offline SQL carries the lock timeout. By
default each attempt waits 250 ms at most (read back from the server), so
queries queued behind a waiting ALTER do too.
"""

import itertools
import re
import subprocess
import threading
import time

import pytest
from alembic_guardrails import _retries
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from baked import BIN
from safety import FIRST_REVISION, current, environment, execute, query, write_revision

ADD_NICKNAME = 'op.add_column("users", sa.Column("nickname", sa.String(20), nullable=True))'
DROP_NICKNAME = 'op.drop_column("users", "nickname")'
# Live traffic: a transaction that has read users holds a lock that the ALTER
# must wait for (PostgreSQL ACCESS SHARE; MySQL/MariaDB a shared metadata lock).
READ_IN_TRANSACTION = "SELECT count(*) FROM users"


class ReadLock:
    """A session reading users in a transaction, holding its lock until release()."""

    READ = READ_IN_TRANSACTION

    def __init__(self, url: str):
        self.engine = create_engine(url, poolclass=NullPool)
        self.released = threading.Event()
        holding = threading.Event()

        def hold() -> None:
            with self.engine.connect() as session:
                session.execute(text(self.READ))
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


# The test's own database: MySQL's information_schema lists every database's tables (other
# tests, running alongside, have a users table too).
THIS_SCHEMA = {"postgresql": "current_schema()", "mysql": "DATABASE()"}


def users_columns(url: str, backend: str) -> set[str]:
    sql = (
        "SELECT column_name FROM information_schema.columns "
        f"WHERE table_name = 'users' AND table_schema = {THIS_SCHEMA[backend]}"
    )
    return {name for (name,) in query(url, sql)}


def start_upgrade(project, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "alembic"), "upgrade", "head"],
        cwd=project.path,
        env=environment(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class Upgrade:
    """`alembic upgrade head` running in the background, its output read as it comes.

    Its first lock timeout (a "Lock retry" line, or the line saying why it is not
    retried) shows it was blocked: on MariaDB the default attempts do not wait
    for the lock at all (NOWAIT), so no third session would see them waiting.
    """

    def __init__(self, project, env: dict[str, str]):
        self.process = start_upgrade(project, env)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.blocked = threading.Event()
        self.readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._read, args=(self.process.stderr, self.stderr), daemon=True),
        ]
        for reader in self.readers:
            reader.start()

    def _read(self, stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line)
            if line.startswith(("Lock retr", "FAILED")):
                self.blocked.set()
        if lines is self.stderr:
            self.blocked.set()  # ended: nothing more to wait for

    def wait_blocked(self) -> None:
        """Return once the migration has hit its lock timeout (Alembic's start-up takes a while on a busy machine)."""
        assert self.blocked.wait(120), "the migration never hit its lock timeout"

    def finish(self) -> subprocess.CompletedProcess:
        self.process.wait(timeout=180)
        for reader in self.readers:
            reader.join()
        return subprocess.CompletedProcess(
            self.process.args, self.process.returncode, "".join(self.stdout), "".join(self.stderr)
        )


def upgrade_while_locked(project, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`alembic upgrade head` while a reader holds its lock for as long as the upgrade runs."""
    lock = ReadLock(env["DATABASE_URL"])
    try:
        upgrade = Upgrade(project, env)
        upgrade.wait_blocked()
        return upgrade.finish()
    finally:
        lock.release()


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_a_blocked_revision_is_retried_until_the_blocker_ends(request, bake, backend):
    url = request.getfixturevalue(f"{backend}_url")
    project = bake(database=backend)
    env = {"DATABASE_URL": url}  # the defaults: short attempts (150ms at first), a minute in all
    project.alembic("upgrade", "head", env=env)
    write_revision(project, "nick0001", FIRST_REVISION, ADD_NICKNAME, DROP_NICKNAME)

    lock = ReadLock(url)
    upgrade = Upgrade(project, env)
    upgrade.wait_blocked()
    time.sleep(3)  # a few attempts time out meanwhile
    lock.release()
    released = time.monotonic()
    result = upgrade.finish()
    after_release = time.monotonic() - released

    assert result.returncode == 0, result.stdout + result.stderr
    assert current(project, env) == "nick0001"
    retries = [line for line in result.stderr.splitlines() if line.startswith("Lock retry")]
    assert retries, result.stderr
    waited = {"postgresql": "150ms", "mysql": "0s"}[backend]  # MariaDB: whole seconds, 0 (NOWAIT) below 1 s
    assert retries[0].startswith(f"Lock retry 2: waited {waited} (MIGRATION_LOCK_TIMEOUT)")
    assert "ALTER TABLE users ADD COLUMN nickname" in retries[0]
    if backend == "postgresql":
        # pg_blocking_pids named the session and the first words of its query (the watcher
        # asks while the statement waits: an attempt that ends first may say "another session").
        assert any("(idle in transaction: SELECT count(*) FROM users)" in line for line in retries), retries
    # Done soon after the blocker ended: the pauses stay short.
    assert after_release < 10, f"the upgrade finished {after_release:.1f} s after the blocker ended"


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_a_spent_budget_fails_with_one_line_at_the_last_good_revision(request, bake, backend):
    url = request.getfixturevalue(f"{backend}_url")
    project = bake(database=backend)
    env = {"DATABASE_URL": url, "MIGRATION_LOCK_RETRY_BUDGET": "2s"}
    project.alembic("upgrade", "head", env=env)
    write_revision(project, "nick0001", FIRST_REVISION, ADD_NICKNAME, DROP_NICKNAME)

    result = upgrade_while_locked(project, env)

    assert result.returncode != 0
    assert "Lock retries: gave up after" in result.stderr
    assert "(MIGRATION_LOCK_RETRY_BUDGET) is spent" in result.stderr
    # One line that names the revision, the lock timeout, and where the database stands.
    assert "FAILED: revision nick0001 (" in result.stderr
    # What the last attempt waited (the schedule's first step, within a 2 s budget).
    waited = {"postgresql": "150ms", "mysql": "0s"}[backend]
    assert f"failed: lock timeout: waited more than {waited} (MIGRATION_LOCK_TIMEOUT)" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert current(project, env) == FIRST_REVISION
    assert "nickname" not in users_columns(url, backend)


# The stall target (issue 19): a query queued behind a waiting ALTER waits 250 ms at most.
STALL_TARGET = 0.25
# Prints the lock wait this attempt runs under, as the server has it, then waits for its lock.
SHOW_LOCK_WAIT = {
    "postgresql": "SHOW lock_timeout",
    "mysql": "SELECT @@SESSION.lock_wait_timeout",
}


def _seconds(shown: str) -> float:
    """PostgreSQL's `SHOW lock_timeout` (150ms, 1s) or MySQL's whole seconds."""
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|min)?", shown).groups()
    return float(number) * {"ms": 1e-3, "s": 1, "min": 60, None: 1}[unit]


def test_the_default_schedule_keeps_each_attempt_within_the_stall_target():
    """The first attempts, for longer than the stall benchmark's long transaction (5 s), wait
    250 ms at most each; longer waits come only after many failed attempts."""
    short = [timeout for timeout, _ in itertools.islice(_retries.schedule(), 200)]
    first_long = next(i for i, timeout in enumerate(short) if timeout > STALL_TARGET)
    assert first_long >= 20
    # Even with the shortest pauses (half the nominal), the short attempts last beyond 5 s.
    shortest = sum(
        timeout + pause * 0.5 for attempts, timeout, pause in _retries.SCHEDULE[:1] for _ in range(attempts)
    )
    assert shortest > 5, shortest


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_by_default_each_attempt_waits_250ms_at_most(request, bake, backend):
    url = request.getfixturevalue(f"{backend}_url")
    project = bake(database=backend)
    env = {"DATABASE_URL": url}  # MIGRATION_LOCK_TIMEOUT not set
    project.alembic("upgrade", "head", env=env)
    show = f'print("LOCK_WAIT=" + str(op.get_bind().exec_driver_sql("{SHOW_LOCK_WAIT[backend]}").scalar()))'
    # PostgreSQL runs the revision again on each attempt: the first line prints every attempt's
    # wait. MariaDB runs the blocked ALTER again alone: the last line prints the last attempt's.
    upgrade = f"""
    {show}
    {ADD_NICKNAME}
    {show}
    """
    write_revision(project, "nick0001", FIRST_REVISION, upgrade, DROP_NICKNAME)

    lock = ReadLock(url)
    upgrade = Upgrade(project, env)
    upgrade.wait_blocked()
    time.sleep(2)  # several attempts meanwhile
    lock.release()
    result = upgrade.finish()

    assert result.returncode == 0, result.stdout + result.stderr
    waits = [_seconds(shown) for shown in re.findall(r"LOCK_WAIT=(\S+)", result.stdout)]
    assert len(waits) >= {"postgresql": 4, "mysql": 2}[backend], result.stdout + result.stderr
    assert result.stderr.count("Lock retry") >= 3, result.stderr
    assert max(waits) <= STALL_TARGET, waits
    if backend == "mysql":
        assert set(waits) == {0}, waits  # MariaDB waits whole seconds: below one, not at all (NOWAIT)


def not_retried(project, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = upgrade_while_locked(project, env)
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

    result = not_retried(project, env)
    assert "not retrying, this revision ran statements in autocommit_block()" in result.stderr
    assert "FAILED: revision auto0001 (" in result.stderr
    assert "failed: lock timeout" in result.stderr
    assert current(project, env) == FIRST_REVISION


def test_on_mariadb_a_blocked_statement_after_committed_ones_is_retried_alone(mysql_url, bake):
    project = bake(database="mysql")
    env = {"DATABASE_URL": mysql_url}
    project.alembic("upgrade", "head", env=env)
    upgrade = f"""
    op.create_table("side", sa.Column("id", sa.Integer, primary_key=True))
    {ADD_NICKNAME}
    """
    write_revision(project, "side0001", FIRST_REVISION, upgrade)

    lock = ReadLock(mysql_url)
    upgrade = Upgrade(project, env)
    upgrade.wait_blocked()
    time.sleep(1)
    lock.release()
    result = upgrade.finish()

    # CREATE TABLE side committed before the ALTER waited: only the ALTER ran again.
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the statements before it stay done (MySQL/MariaDB commit DDL as they go)" in result.stderr
    assert current(project, env) == "side0001"
    assert query(mysql_url, "SELECT count(*) FROM side") == [(0,)]
    assert "nickname" in users_columns(mysql_url, "mysql")


class RowLock(ReadLock):
    """A session holding users' rows locked (FOR UPDATE) until release(): an UPDATE waits on InnoDB."""

    READ = "SELECT * FROM users FOR UPDATE"


def test_on_mariadb_a_row_lock_after_committed_statements_is_not_retried(mysql_url, bake):
    project = bake(database="mysql")
    env = {"DATABASE_URL": mysql_url}
    project.alembic("upgrade", "head", env=env)
    execute(mysql_url, "INSERT INTO users (name) VALUES ('held')")
    upgrade = """
    op.create_table("side", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("UPDATE users SET name = 'changed'")
    """
    write_revision(project, "side0001", FIRST_REVISION, upgrade)

    lock = RowLock(mysql_url)
    try:
        result = Upgrade(project, env).finish()
    finally:
        lock.release()
    assert result.returncode != 0
    assert "Lock retry" not in result.stderr
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

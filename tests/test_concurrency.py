"""Several `alembic upgrade head` at once on one database: serialized by the database's own lock.

On each backend (PostgreSQL advisory lock, MariaDB GET_LOCK, a file lock
beside the SQLite file): eight runs released together all succeed and build
the schema once; a run killed while holding the lock lets the next one in.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys

from baked import BIN
from safety import FIRST_REVISION, environment, query, tables, wait_until, write_revision

RUNS = 8
WAITING = "Waiting for the migration lock"

# A revision slow enough that every run released at once finds it still going.
# HOLDING (a file) says "the lock is held now": upgrade() only runs under it.
# On PostgreSQL it waits inside a statement: a client killed then leaves its
# backend busy, and the lock must still be released within moments.
SLOW_UPGRADE = """
if os.environ.get("HOLDING"):
    open(os.environ["HOLDING"], "w").close()
seconds = float(os.environ.get("HOLD_SECONDS", "0"))
if op.get_bind().dialect.name == "postgresql":
    op.execute(f"SELECT pg_sleep({seconds})")
else:
    time.sleep(seconds)
op.create_table("extra", sa.Column("id", sa.Integer, primary_key=True))
"""

# Eight processes running Alembic's own command-line entry point (what the
# `alembic` script calls). One launcher pays the imports, forks the eight, and
# releases them together by closing a pipe they all wait on: they reach the
# lock within milliseconds of each other, not seconds apart as eight cold
# interpreters would on a small machine. Prints the exit codes as JSON.
LAUNCHER = """
import json, os, sys, traceback
from alembic.config import main
import alembic_guardrails._runtime, {package}.models
logs, runs, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
release, let_go = os.pipe()
children = []
for number in range(runs):
    sys.stdout.flush(), sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(let_go)
        log = os.open(os.path.join(logs, f"run{{number}}.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(log, 1), os.dup2(log, 2)
        os.read(release, 1)  # returns when the parent closes let_go
        try:
            main(argv=argv, prog="alembic")
            code = 0
        except SystemExit as error:
            code = error.code if isinstance(error.code, int) else 1
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush(), sys.stderr.flush()
        os._exit(code & 0xFF)
    children.append(pid)
os.close(let_go)
print(json.dumps([os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]))
"""


def start_lock_holder(project, url: str, tmp_path) -> subprocess.Popen:
    """`alembic upgrade head` stuck in a slow revision, holding the lock (log: holder.log)."""
    write_revision(project, "slow0001", FIRST_REVISION, SLOW_UPGRADE, 'op.drop_table("extra")')
    holding, log = tmp_path / "holding", tmp_path / "holder.log"
    with log.open("w") as output:
        holder = subprocess.Popen(
            [str(BIN / "alembic"), "upgrade", "head"],
            cwd=project.path,
            env=environment(DATABASE_URL=url, HOLDING=str(holding), HOLD_SECONDS="300"),
            stdout=output,
            stderr=output,
        )
    wait_until(lambda: holding.exists() or holder.poll() is not None, "the holder to take the lock")
    if holder.poll() is not None:
        raise AssertionError(f"the lock holder exited early:\n{log.read_text()}")
    return holder


def test_eight_upgrades_at_once_build_the_schema_once(database, bake, tmp_path):
    backend, url = database
    project = bake(database=backend)
    write_revision(project, "slow0001", FIRST_REVISION, SLOW_UPGRADE, 'op.drop_table("extra")')
    # Waits for the migration lock last longer than lock_timeout: a waiting run
    # must not be cut short by it (it is set once the lock is held).
    env = environment(DATABASE_URL=url, HOLD_SECONDS="1", MIGRATION_LOCK_TIMEOUT="1s")
    launcher = LAUNCHER.format(package=project.context["package_name"])
    result = subprocess.run(
        [sys.executable, "-c", launcher, str(tmp_path), str(RUNS), "upgrade", "head"],
        cwd=project.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    codes = json.loads(result.stdout)
    logs = [(tmp_path / f"run{number}.log").read_text() for number in range(RUNS)]
    for code, log in zip(codes, logs, strict=True):
        assert code == 0, log
    everything = "".join(logs)
    # Each revision ran once, in one process; the others found it done.
    assert everything.count(f"Running upgrade  -> {FIRST_REVISION}") == 1, everything
    assert everything.count(f"Running upgrade {FIRST_REVISION} -> slow0001") == 1, everything
    assert WAITING in everything  # the runs did collide on the lock
    assert query(url, "SELECT version_num FROM alembic_version") == [("slow0001",)]
    assert {"users", "extra"} <= tables(url)


def test_a_killed_lock_holder_lets_the_next_run_in(database, bake, tmp_path):
    backend, url = database
    project = bake(database=backend)
    waiter_log = tmp_path / "waiter.log"
    alembic = [str(BIN / "alembic"), "upgrade", "head"]

    waiter = None
    holder = start_lock_holder(project, url, tmp_path)
    try:
        with waiter_log.open("w") as output:
            waiter = subprocess.Popen(
                alembic, cwd=project.path, env=environment(DATABASE_URL=url), stdout=output, stderr=output
            )
        wait_until(lambda: WAITING in waiter_log.read_text() or waiter.poll() is not None, "the waiter")
        assert waiter.poll() is None, waiter_log.read_text()  # it waits for the holder

        holder.send_signal(signal.SIGKILL)  # no cleanup code runs: the database must notice
        holder.wait()
        assert waiter.wait(timeout=60) == 0, waiter_log.read_text()
    finally:
        for process in (holder, waiter):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()

    assert f"Running upgrade {FIRST_REVISION} -> slow0001" in waiter_log.read_text()
    assert query(url, "SELECT version_num FROM alembic_version") == [("slow0001",)]
    assert "extra" in tables(url)


def test_read_only_commands_answer_while_a_migration_holds_the_lock(database, bake, tmp_path):
    backend, url = database
    project = bake(database=backend)
    holder = start_lock_holder(project, url, tmp_path)
    try:
        # `alembic current` and `alembic check` never change the database: they
        # answer at once instead of queueing behind the running migration.
        current = project.alembic("current", env=environment(DATABASE_URL=url))
        assert current.stdout.split() == [FIRST_REVISION]
        assert WAITING not in current.stdout + current.stderr
    finally:
        holder.kill()
        holder.wait()

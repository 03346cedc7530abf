"""The second tutorial's "add user status", with the batched backfill, through the real CLI.

Revision 1 adds the nullable column; revision 2 backfills it in batches and
sets NOT NULL. A backfill interrupted half-way keeps the batches it committed,
leaves alembic_version at revision 1, and a re-run resumes. Offline (`--sql`)
it renders plain SQL.
"""

import re
import subprocess

from sqlalchemy import create_engine, inspect

from baked import BIN
from safety import FIRST_REVISION, current, environment, execute, query, wait_until, write_revision

USERS = 1000
ADD_STATUS = """
op.add_column("users", sa.Column("status", sa.String(length=20), nullable=True))
"""
DROP_STATUS = """
with op.batch_alter_table("users") as batch_op:
    batch_op.drop_column("status")
"""
BACKFILL_STATUS = """
pause = float(os.environ.get("BACKFILL_PAUSE", "0"))  # lets a test interrupt it
backfill(op, "users", {"status": "active"}, where="status IS NULL", batch_size=100, pause=pause)
# batch_alter_table: SQLite cannot ALTER a column in place.
with op.batch_alter_table("users") as batch_op:
    batch_op.alter_column("status", existing_type=sa.String(length=20), nullable=False)
"""
STATUS_NULLABLE = """
with op.batch_alter_table("users") as batch_op:
    batch_op.alter_column("status", existing_type=sa.String(length=20), nullable=True)
"""


def tutorial_project(bake, backend):
    project = bake(database=backend)
    write_revision(project, "status01", FIRST_REVISION, ADD_STATUS, DROP_STATUS, message="add user status")
    imports = "\nfrom alembic_guardrails.backfill import backfill\n"
    backfill_revision = write_revision(
        project,
        "status02",
        "status01",
        BACKFILL_STATUS,
        STATUS_NULLABLE,
        imports=imports,
        message="backfill user status",
    )
    return project, backfill_revision


def add_users(url: str) -> None:
    """USERS users, ten of them already with a status the backfill must keep."""
    rows = [{"name": f"user {n}", "status": "blocked" if n % 100 == 0 else None} for n in range(1, USERS + 1)]
    execute(url, "INSERT INTO users (name, status) VALUES (:name, :status)", rows)


def statuses(url: str) -> dict:
    return dict(query(url, "SELECT status, COUNT(*) FROM users GROUP BY status"))


def status_nullable(url: str) -> bool:
    engine = create_engine(url)
    try:
        return {c["name"]: c for c in inspect(engine).get_columns("users")}["status"]["nullable"]
    finally:
        engine.dispose()


def test_add_user_status_backfills_in_batches_then_sets_not_null(database, bake):
    backend, url = database
    project, _ = tutorial_project(bake, backend)
    env = {"DATABASE_URL": url}
    project.alembic("upgrade", "status01", env=env)
    add_users(url)

    result = project.alembic("upgrade", "head", env=env)
    # Progress, in Alembic's log: 1,000 keys in batches of 100.
    batches = re.search(r"users: backfill done, 990 rows updated in (\d+) batches", result.stderr)
    assert batches and int(batches.group(1)) >= USERS // 100, result.stderr
    assert statuses(url) == {"active": USERS - 10, "blocked": 10}
    assert status_nullable(url) is False
    assert query(url, "SELECT version_num FROM alembic_version") == [("status02",)]

    project.alembic("downgrade", FIRST_REVISION, env=env)
    assert query(url, "SELECT version_num FROM alembic_version") == [(FIRST_REVISION,)]


def test_a_backfill_of_an_empty_table_says_there_is_nothing_to_do(database, bake):
    backend, url = database
    project, _ = tutorial_project(bake, backend)
    env = {"DATABASE_URL": url}

    result = project.alembic("upgrade", "head", env=env)
    assert "users: backfill has nothing to do, the table is empty" in result.stderr
    assert "None" not in result.stderr and "batches" not in result.stderr
    assert query(url, "SELECT version_num FROM alembic_version") == [("status02",)]
    assert status_nullable(url) is False


def test_offline_sql_renders_the_backfill_as_plain_sql(database, bake):
    backend, url = database
    project = bake(database=backend)
    write_revision(project, "status01", FIRST_REVISION, ADD_STATUS, DROP_STATUS, message="add user status")
    # The backfill alone: offline, SQLite's batch_alter_table needs copy_from=
    # (Alembic cannot reflect a table that is not there), whatever backfill does.
    imports = "\nfrom alembic_guardrails.backfill import backfill\n"
    only_backfill = 'backfill(op, "users", {"status": "active"}, where="status IS NULL", batch_size=100)'
    write_revision(project, "status02", "status01", only_backfill, imports=imports)

    result = project.alembic("upgrade", "head", "--sql", env={"DATABASE_URL": url})
    assert "UPDATE users SET status = 'active' WHERE status IS NULL;" in result.stdout
    assert "-- backfill('users'): online, this UPDATE runs in batches of 100 keys" in result.stdout


def test_an_interrupted_backfill_keeps_its_batches_and_a_rerun_resumes(database, bake, tmp_path):
    backend, url = database
    project, _ = tutorial_project(bake, backend)
    env = {"DATABASE_URL": url}
    project.alembic("upgrade", "status01", env=env)
    add_users(url)

    # Killed in the middle of the backfill, as a deploy that times out would be.
    log = tmp_path / "upgrade.log"
    with log.open("w") as output:
        upgrade = subprocess.Popen(
            [str(BIN / "alembic"), "upgrade", "head"],
            cwd=project.path,
            env=environment(DATABASE_URL=url, BACKFILL_PAUSE="0.5"),
            stdout=output,
            stderr=output,
        )
    try:
        # Committed batches are visible from another connection while it runs;
        # one transaction for the whole backfill would show nothing until the end.
        wait_until(lambda: statuses(url).get("active", 0) >= 300 or upgrade.poll() is not None, "3 batches")
        assert upgrade.poll() is None, log.read_text()
    finally:
        upgrade.kill()  # SIGKILL: no cleanup code runs
        upgrade.wait()

    done = statuses(url).get("active", 0)
    assert 300 <= done < USERS - 10
    assert current(project, env) == "status01"  # the revision is not recorded
    assert status_nullable(url) is True  # NOT NULL was never reached

    rerun = project.alembic("upgrade", "head", env=env)
    assert f"users: backfill done, {USERS - 10 - done} rows updated in " in rerun.stderr
    assert statuses(url) == {"active": USERS - 10, "blocked": 10}
    assert query(url, "SELECT version_num FROM alembic_version") == [("status02",)]

"""What a newcomer's mistakes print through the real `alembic` CLI: one line, no traceback, no password.

Bad DATABASE_URL values, a URL in alembic.ini, a revision that fails, Ctrl-C
during an upgrade, APP_ENV and ALEMBIC_ENV disagreeing about production, and
`alembic` run from a subdirectory. Every error goes to stderr (never into `--sql` output).
"""

from __future__ import annotations

import fcntl
import importlib.util
import re
import signal
import subprocess
import sys
import time

import pytest

from baked import BIN
from conftest import bake_project
from safety import FIRST_REVISION, current, environment, execute, query, tables, wait_until, write_revision

SECRET = "Sekret-99"


@pytest.fixture(scope="module")
def sync_project(cookies_session):
    return bake_project(cookies_session, database="postgresql")


@pytest.fixture(scope="module")
def async_project(cookies_session):
    return bake_project(cookies_session, database="postgresql", use_async=True)


def assert_one_clean_line(result, *expected: str, secrets: tuple[str, ...] = (SECRET,)) -> str:
    """The command failed with one FAILED line holding `expected`, no traceback and no secret."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    for secret in secrets:
        assert secret not in output, output
    failed = [line for line in output.splitlines() if line.startswith("FAILED: ")]
    assert len(failed) == 1, output
    for part in expected:
        assert part in failed[0], output
    return failed[0]


def app_settings_error(project, url: str) -> str:
    """What the application's load_settings() raises for DATABASE_URL=url."""
    script = (
        f"from {project.context['package_name']}.settings import SettingsError, load_settings\n"
        "try:\n    load_settings()\nexcept SettingsError as error:\n    print(error)\n"
    )
    return project.run(sys.executable, "-c", script, env={"DATABASE_URL": url}, check=True).stdout.strip()


BAD_URLS = [
    (f"postgresq://app:{SECRET}@127.0.0.1/app", ["'postgresq'", "not a database", "postgresql://"]),
    (f"mysql+pymsql://app:{SECRET}@127.0.0.1/app", ["driver 'pymsql'", "mysql://", "mysql+pymysql"]),
    (
        f"mysql+mysqldb://app:{SECRET}@127.0.0.1/app",
        ["mysql+mysqldb driver, which is not installed", "mysql://"],
    ),
    (f"postgresql+asyncpg://app:{SECRET}@127.0.0.1/app", ["asyncio driver", "synchronous", "postgresql://"]),
    (
        f"mysql://root:{SECRET}@127.0.0.1:3306",
        ["names no database", "mysql://user:password@localhost:3306/dbname"],
    ),
]


@pytest.mark.parametrize(
    ("url", "expected"), BAD_URLS, ids=["scheme", "driver", "missing-driver", "async", "no-db"]
)
def test_a_bad_database_url_is_one_line(sync_project, url, expected):
    if "mysqldb" in url:
        assert importlib.util.find_spec("MySQLdb") is None, "this case needs MySQLdb absent"
    for command in (["current"], ["upgrade", "head", "--sql"]):
        line = assert_one_clean_line(
            sync_project.alembic(*command, env={"DATABASE_URL": url}, check=False), *expected
        )
    # The application gets the same line from its settings.
    assert line == f"FAILED: {app_settings_error(sync_project, url)}"


def test_an_unencoded_at_sign_in_the_password_is_named_without_the_password(sync_project):
    url = "postgresql://app:Summer@2024@127.0.0.1:5432/app"
    result = sync_project.alembic("current", env={"DATABASE_URL": url}, check=False)
    line = assert_one_clean_line(result, "more than one '@'", "%40", secrets=("Summer", "2024"))
    assert line == f"FAILED: {app_settings_error(sync_project, url)}"


def test_a_blocking_driver_in_an_async_project_is_one_line(async_project):
    url = f"postgresql+psycopg://app:{SECRET}@127.0.0.1/app"
    result = async_project.alembic("current", env={"DATABASE_URL": url}, check=False)
    assert_one_clean_line(result, "blocking driver", "asyncio", "postgresql://", "postgresql+asyncpg")


def test_a_url_in_alembic_ini_is_refused_on_every_command(bake, tmp_path):
    project = bake()
    project.edit(
        "alembic.ini", "[alembic]\n", f"[alembic]\nsqlalchemy.url = postgresql://scott:{SECRET}%40x@db/app\n"
    )
    local = tmp_path / "local.sqlite3"
    for command in (
        ["current"],
        ["upgrade", "head"],
        ["upgrade", "head", "--sql"],
        ["check"],
        ["downgrade", "base"],
    ):
        result = project.alembic(*command, env={"DATABASE_URL": f"sqlite:///{local}"}, check=False)
        assert_one_clean_line(result, "alembic.ini sets sqlalchemy.url", "DATABASE_URL", ".env")
    assert not local.exists()  # nothing ran against the local database meanwhile


FAILS_IN_A_HELPER = """
op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
check_login(op.get_bind())
"""
# Where a driver error would carry the password: the line must mask it.
HELPER = """

def check_login(bind):
    raise RuntimeError(f"login rejected for password {bind.engine.url.password}")
"""


def test_a_failed_revision_shows_its_own_frames_and_one_line(database, bake):
    backend, url = database
    password = {"postgresql": "hunter2"}.get(backend)
    if password:  # trust authentication ignores it: it is there to be hidden (decoded: hunter2@pw)
        url = url.replace("postgres@", f"postgres:{password}%40pw@")
    project = bake(database=backend)
    env = {"DATABASE_URL": url}
    write_revision(
        project, "good0001", FIRST_REVISION, 'op.create_table("good", sa.Column("id", sa.Integer))'
    )
    bad = write_revision(project, "bad00001", "good0001", FAILS_IN_A_HELPER, 'op.drop_table("half_done")')
    bad.write_text(bad.read_text() + HELPER)

    result = project.alembic("upgrade", "head", env=env, check=False)
    line = assert_one_clean_line(
        result,
        f"revision bad00001 ({bad.name}) failed: RuntimeError: login rejected",
        "the database is at good0001",
        secrets=(password,) if password else (),
    )
    leftovers = "MySQL/MariaDB cannot roll back DDL: what bad00001 changed before it stopped stays"
    assert (leftovers in line) == (backend == "mysql")
    # Both frames of the revision file, each with its source line; none of Alembic's.
    source = bad.read_text().splitlines()
    calls = source.index("    check_login(op.get_bind())") + 1
    raises = (
        source.index('    raise RuntimeError(f"login rejected for password {bind.engine.url.password}")') + 1
    )
    frames = [line for line in result.stderr.splitlines() if not line.startswith(("INFO", "FAILED: "))]
    assert frames == [
        f'  File "{bad}", line {calls}, in upgrade',
        "    check_login(op.get_bind())",
        f'  File "{bad}", line {raises}, in check_login',
        '    raise RuntimeError(f"login rejected for password {bind.engine.url.password}")',
    ], result.stderr
    assert query(url, "SELECT version_num FROM alembic_version") == [("good0001",)]
    assert ("half_done" in tables(url)) == (backend == "mysql")


# Says it is about to wait (a file appears), then waits where a long migration would.
SLEEPS = {
    "sqlite": "time.sleep(float(os.environ['SLEEP']))",
    "postgresql": "op.execute(f\"SELECT pg_sleep({os.environ['SLEEP']})\")",
    "mysql": "op.execute(f\"SELECT SLEEP({os.environ['SLEEP']})\")",
}
SLOW = """
op.create_table("slow", sa.Column("id", sa.Integer, primary_key=True))
open(os.environ["STARTED"], "w").close()
{sleep}
"""


def test_ctrl_c_during_an_upgrade_says_interrupted_and_releases_the_lock(database, bake, tmp_path):
    backend, url = database
    interrupt_a_slow_revision(bake(database=backend), backend, url, tmp_path)


def test_ctrl_c_in_an_async_project_while_the_driver_waits(postgresql_url, bake, tmp_path):
    # asyncio would otherwise cancel the task only once pg_sleep has finished.
    url = re.sub(r"^postgresql\+\w+://", "postgresql://", postgresql_url)
    interrupt_a_slow_revision(bake(database="postgresql", use_async=True), "postgresql", url, tmp_path)


def ctrl_c_during_upgrade(project, env: dict[str, str], wait) -> tuple[int, str, str]:
    """Start `alembic upgrade head`, call wait(process), send SIGINT as Ctrl-C does; its exit status and output.

    wait() may read the first lines of stderr: it returns them.
    """
    upgrade = subprocess.Popen(
        [str(BIN / "alembic"), "upgrade", "head"],
        cwd=project.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first_lines = wait(upgrade)
        upgrade.send_signal(signal.SIGINT)
        stdout, stderr = upgrade.communicate(timeout=30)
    finally:
        upgrade.kill()
    return upgrade.returncode, stdout, first_lines + stderr


def interrupt_a_slow_revision(project, backend: str, url: str, tmp_path) -> None:
    """SIGINT `alembic upgrade head` inside a slow revision; then check the output, lock and database."""
    write_revision(
        project, "good0001", FIRST_REVISION, 'op.create_table("good", sa.Column("id", sa.Integer))'
    )
    slow = write_revision(
        project, "slow0001", "good0001", SLOW.format(sleep=SLEEPS[backend]), 'op.drop_table("slow")'
    )
    started = tmp_path / "started"
    env = environment(DATABASE_URL=url, STARTED=str(started), SLEEP="120")

    def into_the_sleep(upgrade) -> str:
        wait_until(started.exists, "the slow revision to start")
        time.sleep(0.5)
        return ""

    returncode, stdout, stderr = ctrl_c_during_upgrade(project, env, into_the_sleep)
    output = stdout + stderr
    assert returncode == 130, output
    assert "Traceback" not in output, output
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(f"interrupted (Ctrl-C) while running revision slow0001 ({slow.name})"), output
    assert "the database is at good0001" in last and "the migration lock is released" in last
    assert f'File "{slow}"' in stderr and "site-packages" not in stderr

    # The next run takes the lock at once: nothing still holds it on the server.
    if backend == "mysql":
        execute(url, "DROP TABLE slow")  # MariaDB kept the CREATE TABLE (as the line says)
    began = time.monotonic()
    project.alembic("upgrade", "head", env={"DATABASE_URL": url, "STARTED": str(started), "SLEEP": "0"})
    assert time.monotonic() - began < 30
    assert current(project, {"DATABASE_URL": url}) == "slow0001"


def test_a_failing_first_revision_leaves_the_database_at_base(bake, tmp_path):
    project = bake()
    (first,) = project.versions()
    project.edit(
        str(first.relative_to(project.path)),
        "def downgrade",
        "    raise RuntimeError('boom')\n\n\ndef downgrade",
    )
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'first.sqlite3'}"}
    result = project.alembic("upgrade", "head", env=env, check=False)
    assert_one_clean_line(
        result, "failed: RuntimeError: boom", "the database is at base (no revision applied)"
    )
    assert "users" not in tables(env["DATABASE_URL"])  # SQLite's DDL rolled back with it


def test_an_unknown_revision_is_still_alembics_own_line(bake, tmp_path):
    project = bake()
    result = project.alembic(
        "upgrade", "nosuch", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}, check=False
    )
    assert_one_clean_line(result, "Can't locate revision identified by 'nosuch'")


def test_app_env_and_alembic_env_disagreeing_about_prod_is_announced_and_guards_downgrade(bake, tmp_path):
    project = bake()
    url = f"sqlite:///{tmp_path / 'envs.sqlite3'}"
    stray = {"DATABASE_URL": url, "APP_ENV": "prod", "ALEMBIC_ENV": "dev"}
    warning = "APP_ENV=prod but ALEMBIC_ENV=dev: migrations run as dev"

    upgrade = project.alembic("upgrade", "head", env=stray)
    assert warning in upgrade.stderr
    assert warning not in project.alembic("current", env=stray).stderr  # read-only: no noise
    head = current(project, stray)

    refused = project.alembic("downgrade", "base", env=stray, check=False)
    assert_one_clean_line(
        refused, "Refusing to downgrade", "APP_ENV=prod", "ALEMBIC_ENV=dev", "allow_downgrade=true"
    )
    assert warning in refused.stderr
    assert current(project, stray) == head and "users" in tables(url)

    allowed = project.alembic("-x", "allow_downgrade=true", "downgrade", "base", env=stray)
    assert warning in allowed.stderr
    assert "users" not in tables(url)

    # The other way round the production guard applies, and the disagreement is still said.
    reverse = {"DATABASE_URL": url, "APP_ENV": "dev", "ALEMBIC_ENV": "prod"}
    upgraded = project.alembic("upgrade", "head", env=reverse)
    assert "APP_ENV=dev but ALEMBIC_ENV=prod: migrations run as prod" in upgraded.stderr
    assert "Environment: prod" in upgraded.stderr
    # Agreeing, or only one set: silent.
    for quiet in ({"APP_ENV": "prod", "ALEMBIC_ENV": "production"}, {"ALEMBIC_ENV": "dev"}):
        result = project.alembic("upgrade", "head", env={"DATABASE_URL": url, **quiet})
        assert "ALEMBIC_ENV=" not in result.stderr


def readme_section(project, language: str) -> str:
    # A zh bake's README.md is the Chinese one.
    heading = {"en": "## When a command fails", "zh": "## 命令失败时"}[language]
    text = (project.path / "README.md").read_text()
    assert heading in text, f"README.md has no section {heading!r}"
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_alembic_from_a_subdirectory_is_explained_and_the_hint_works(bake, tmp_path, language):
    project = bake(docs_language=language)
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'sub.sqlite3'}"}
    subdirectory = project.path / "alembic"
    lost = project.run(str(BIN / "alembic"), "current", env=env)
    assert lost.returncode == 0  # from the project root it works
    lost = subprocess.run(
        [str(BIN / "alembic"), "current"],
        cwd=subdirectory,
        env=environment(**env),
        capture_output=True,
        text=True,
    )
    assert lost.returncode != 0 and "Traceback" not in lost.stderr
    assert not lost.stdout  # the error is on stderr, one line naming the project's alembic.ini
    (says,) = [line for line in lost.stderr.splitlines() if line.startswith("FAILED: ")]
    ini = project.path / "alembic.ini"
    assert f"{ini}" in says and f"cd {project.path}" in says and "alembic -c ../alembic.ini current" in says
    # The README quotes what it prints there (the project's path elided), and the way out.
    section = " ".join(readme_section(project, language).split())
    assert says.replace(str(project.path), "...") in section, says
    hinted = subprocess.run(
        [str(BIN / "alembic"), "-c", "../alembic.ini", "upgrade", "head"],
        cwd=subdirectory,
        env=environment(**env),
        capture_output=True,
        text=True,
    )
    assert hinted.returncode == 0, hinted.stdout + hinted.stderr
    assert "users" in tables(env["DATABASE_URL"])


def until_it_waits_for_the_lock(upgrade) -> str:
    lines = []
    while not lines or "Waiting for the migration lock" not in lines[-1]:
        lines.append(upgrade.stderr.readline())
        assert lines[-1], "alembic ended without waiting for the lock:\n" + "".join(lines)
    return "".join(lines)


def test_ctrl_c_while_waiting_for_the_migration_lock_is_one_line(bake, tmp_path):
    project = bake()
    database = tmp_path / "waits.sqlite3"
    env = environment(DATABASE_URL=f"sqlite:///{database}")
    with open(f"{database}.migration-lock", "a+") as held:  # another run holds the lock
        fcntl.flock(held, fcntl.LOCK_EX)
        returncode, stdout, stderr = ctrl_c_during_upgrade(project, env, until_it_waits_for_the_lock)
    output = stdout + stderr
    assert returncode == 130, output
    assert "Traceback" not in output, output
    assert "Waiting for the migration lock" in stderr
    assert stderr.strip().splitlines()[-1].startswith("interrupted (Ctrl-C) while no revision was running")

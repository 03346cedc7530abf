"""The baked project's own nox sessions, run with nox as a user runs them."""

import re

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from baked import BIN
from conftest import throwaway_database
from safety import current, query

FIRST_REVISION = "5f3a9c2e1b7d"


def nox(project, *sessions, env=None, check=True):
    selected = ("-s", *sessions) if sessions else ()
    return project.run(str(BIN / "nox"), "--no-color", *selected, env=env, check=check, timeout=1200)


def test_every_session_passes_in_a_default_bake(bake):
    project = bake()
    result = nox(project, "lint", "tests", "roundtrip", "check", "sql", "typecheck")
    output = result.stdout + result.stderr
    # tests reports the package's coverage; typecheck is mypy --strict on the package.
    assert re.search(r"^TOTAL\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+%", output, re.MULTILINE), output
    assert "Success: no issues found" in output
    sql = (project.path / "build" / "migrations.sql").read_text()
    assert "CREATE TABLE users" in sql and "INFO" not in sql
    # The sessions used throwaway databases, and said so: the developer's SQLite file was never created.
    assert not (project.path / f"{project.context['package_name']}.sqlite3").exists()
    output = result.stdout + result.stderr
    assert "(a throwaway SQLite file; DATABASE_URL names no server)" in output
    # roundtrip reports what it did: a real downgrade to an empty schema, and the way back.
    assert f"downgraded 1 revisions to base ({FIRST_REVISION}): no table left" in output
    assert f"upgraded 1 revisions to heads, in the deploy's two phases ({FIRST_REVISION})" in output


def with_password(url: str) -> str:
    # PostgreSQL's trust authentication ignores it: it is here to prove that no session prints
    # it. (MariaDB's passwordless root refuses any password: its URLs stay as they are.)
    return url.replace("postgres@", "postgres:s3cret-pw@")


def user_names(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            return list(connection.scalars(text("SELECT name FROM users ORDER BY name")))
    finally:
        engine.dispose()


@pytest.fixture
def another_database():
    """another_database(backend) -> the URL of one more throwaway database on that server."""
    made = []

    def make(backend: str) -> str:
        made.append(throwaway_database(backend))
        return next(made[-1])

    yield make
    for generator in made:
        next(generator, None)


@pytest.mark.parametrize(("backend", "impl"), [("postgresql", "PostgresqlImpl"), ("mysql", "MySQLImpl")])
def test_nox_never_migrates_the_database_url_database(request, bake, another_database, backend, impl):
    # README section 2 exports DATABASE_URL; the quick start then runs `nox` in the same shell.
    project = bake(database=backend)
    dev_url = with_password(request.getfixturevalue(f"{backend}_url"))
    scratch_url = with_password(another_database(backend))
    project.alembic("upgrade", "head", env={"DATABASE_URL": dev_url})
    engine = create_engine(dev_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (name) VALUES ('ada'), ('grace')"))
    engine.dispose()

    result = nox(project, env={"DATABASE_URL": dev_url, "TEST_DATABASE_URL": scratch_url})
    output = result.stdout + result.stderr
    assert user_names(dev_url) == ["ada", "grace"]
    assert f"{FIRST_REVISION} (head)" in project.alembic("current", env={"DATABASE_URL": dev_url}).stdout
    assert impl in output and "(TEST_DATABASE_URL)" in output
    assert "s3cret-pw" not in output
    assert "CREATE TABLE users" in (project.path / "build" / "migrations.sql").read_text()

    # Asked for explicitly, a session uses DATABASE_URL, and says so.
    opted = nox(project, "check", env={"DATABASE_URL": dev_url, "NOX_USE_DATABASE_URL": "1"})
    assert "(DATABASE_URL, since NOX_USE_DATABASE_URL=1)" in opted.stdout + opted.stderr
    assert user_names(dev_url) == ["ada", "grace"]


def test_roundtrip_fails_when_downgrade_base_leaves_a_table(bake):
    project = bake()
    first = next(path for path in project.versions() if FIRST_REVISION in path.name)
    project.edit(f"alembic/versions/{first.name}", 'op.drop_table("users")', "pass")
    result = nox(project, "roundtrip", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "downgrade base left tables behind: users; fix their downgrade()" in output


def test_check_session_fails_on_drift(bake):
    project = bake()
    project.edit(
        f"{project.context['package_name']}/models.py",
        "String(50))\n",
        "String(50))\n    nickname: Mapped[str | None] = mapped_column(String(30))\n",
    )
    result = nox(project, "check", check=False)
    assert result.returncode != 0
    assert "New upgrade operations detected" in result.stdout + result.stderr


def databases(url: str) -> set[str]:
    """The names of the databases on URL's server."""
    backend = make_url(url).get_backend_name()
    sql = {
        "postgresql": "SELECT datname FROM pg_database",
        "mysql": "SELECT schema_name FROM information_schema.schemata",
    }[backend]
    return {name for (name,) in query(url, sql)}


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_sessions_work_in_test_name_on_the_database_url_server(request, bake, backend):
    # A revision autogenerated on the server (op.alter_column), which SQLite cannot run: the
    # sessions must run it where it was written for, as Django's test runner would.
    project = bake(database=backend)
    dev_url = request.getfixturevalue(f"{backend}_url")
    dev = {"DATABASE_URL": dev_url}
    name = make_url(dev_url).database
    project.alembic("upgrade", "head", env=dev)
    engine = create_engine(dev_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (name) VALUES ('ada'), ('grace')"))
    engine.dispose()
    project.edit(f"{project.context['package_name']}/models.py", "String(50))", "String(100))")
    project.alembic("revision", "--autogenerate", "-m", "widen name", env=dev)
    assert "op.alter_column(" in project.versions()[-1].read_text()

    result = nox(project, "check", "tests", env=dev)
    output = result.stdout + result.stderr
    assert f"/test_{name} (test_{name} on DATABASE_URL's server: created for this session" in output
    assert output.count(f"dropped test_{name}") == 2
    assert "No new upgrade operations detected" in output
    # The development database is untouched, and no test database is left behind.
    assert current(project, dev) == FIRST_REVISION
    assert user_names(dev_url) == ["ada", "grace"]
    assert f"test_{name}" not in databases(dev_url)

    # The pre-commit hook runs the same session, the same way.
    hook = (project.path / ".pre-commit-config.yaml").read_text()
    assert "entry: nox -s check\n" in hook


@pytest.mark.parametrize(
    ("backend", "closed"),
    [("postgresql", "postgresql://postgres@127.0.0.1:9/app"), ("mysql", "mysql://root@127.0.0.1:9/app")],
)
def test_without_a_server_a_session_says_how_to_start_one(bake, backend, closed):
    project = bake(database=backend)
    unreachable = nox(project, "check", env={"DATABASE_URL": closed}, check=False)
    output = unreachable.stdout + unreachable.stderr
    assert unreachable.returncode != 0
    (line,) = [line for line in output.splitlines() if "docker compose up -d db" in line]
    assert "cannot reach the database server DATABASE_URL names (127.0.0.1:9: " in line
    assert "compose.yaml" in line and "or set TEST_DATABASE_URL" in line
    assert "sqlite" not in output.lower()

    unset = nox(project, "check", check=False)
    output = unset.stdout + unset.stderr
    assert unset.returncode != 0
    (line,) = [line for line in output.splitlines() if "docker compose up -d db" in line]
    assert f"no {backend} server for the checks: DATABASE_URL is not set (nor TEST_DATABASE_URL)" in line
    # Offline SQL needs no server.
    assert nox(project, "sql").returncode == 0

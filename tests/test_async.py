"""use_async: an async engine in db.py and env.py; every guard, session and test works the same."""

import re
import sys

import pytest

SESSION_SCRIPT = """
import asyncio
from sqlalchemy import select
from {package}.db import session_scope
from {package}.models import User

async def main():
    async with session_scope() as session:
        session.add(User(name="async"))
    async with session_scope() as session:
        print((await session.scalars(select(User.name))).all())

asyncio.run(main())
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_async_bake_migrates_guards_and_serves_sessions(request, bake, tmp_path, backend):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'async.sqlite3'}"
    else:
        # As a hosting provider hands it out (no driver): the project picks its async driver.
        url = re.sub(r"^(\w+)\+\w+://", r"\1://", request.getfixturevalue(f"{backend}_url"))
    project = bake(database=backend, use_async=True)
    assert "create_async_engine" in (project.package / "db.py").read_text()
    assert not (project.package / "db_async.py").exists()
    project.ruff()
    project.pytest(env={"TEST_DATABASE_URL": url})

    env = {"DATABASE_URL": url}
    upgrade = project.alembic("upgrade", "head", env=env)
    assert {"sqlite": "SQLiteImpl", "postgresql": "PostgresqlImpl", "mysql": "MySQLImpl"}[
        backend
    ] in upgrade.stderr
    project.alembic("check", env=env)
    empty = project.alembic("revision", "--autogenerate", "-m", "nothing", env=env, check=False)
    assert empty.returncode != 0 and "No schema change detected" in empty.stderr
    assert "CREATE TABLE users" in project.alembic("upgrade", "head", "--sql", env=env).stdout

    script = SESSION_SCRIPT.format(package=project.context["package_name"])
    result = project.run(sys.executable, "-c", script, env=env, check=True)
    assert result.stdout.strip() == "['async']"

    project.alembic("downgrade", "base", env=env)


def test_sync_bake_has_a_sync_engine(bake):
    project = bake()
    db = (project.package / "db.py").read_text()
    assert "create_engine" in db and "create_async_engine" not in db
    assert not (project.package / "db_async.py").exists()

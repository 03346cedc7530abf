"""The first tutorial ("Alembic 入门"), command by command, in a freshly baked project.

On SQLite with nothing configured, and with DATABASE_URL on PostgreSQL and MariaDB.
"""

import re

import pytest
from sqlalchemy import create_engine, inspect

EMAIL_FIELD = "    email: Mapped[str] = mapped_column(String(100), nullable=True)\n"


def columns(url: str, table: str = "users") -> set[str]:
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        return {c["name"] for c in inspector.get_columns(table)} if inspector.has_table(table) else set()
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite-default", "postgresql", "mysql"])
def tutorial_database(request, bake, tmp_path):
    """(project, env, url): a project and where its DATABASE_URL points."""
    if request.param == "sqlite-default":
        project = bake()
        yield project, {}, f"sqlite:///{project.path / (project.context['package_name'] + '.sqlite3')}"
        return
    url = request.getfixturevalue(f"{request.param}_url")
    yield bake(database=request.param), {"DATABASE_URL": url}, url


def test_first_tutorial_end_to_end(tutorial_database):
    project, env, url = tutorial_database

    assert project.alembic("--version", env=env).stdout.startswith("alembic ")
    project.alembic("upgrade", "head", env=env)
    assert columns(url) == {"id", "name"}
    project.alembic("check", env=env)

    # Change a model, autogenerate, review, upgrade.
    project.edit(
        f"{project.context['package_name']}/models.py", "String(50))\n", "String(50))\n" + EMAIL_FIELD
    )
    before = set(project.versions())
    project.alembic("revision", "--autogenerate", "-m", "add email to user", env=env)
    (new_file,) = set(project.versions()) - before
    assert new_file.name.endswith("_add_email_to_user.py") and new_file.name[:8].isdigit()
    generated = new_file.read_text()
    # op.add_column("users", ...) on servers, batch_op.add_column(...) on SQLite.
    assert re.search(
        r'add_column\((?:"users", )?sa\.Column\("email", sa\.String\(length=100\), nullable=True\)\)',
        generated,
    )
    assert re.search(r'drop_column\((?:"users", )?"email"\)', generated)
    project.alembic("upgrade", "head", env=env)
    assert columns(url) == {"id", "name", "email"}

    # Roll back one step, then forward again; then by explicit revision id.
    project.alembic("downgrade", "-1", env=env)
    assert columns(url) == {"id", "name"}
    project.alembic("upgrade", "head", env=env)
    first_revision = (
        project.alembic("history", env=env).stdout.strip().splitlines()[-1].split()[2].rstrip(",")
    )
    project.alembic("downgrade", first_revision, env=env)
    assert columns(url) == {"id", "name"}
    project.alembic("upgrade", "head", env=env)

    # A hand-written revision is never refused, even though it is empty.
    project.alembic("revision", "-m", "hand written data fix", env=env)
    history = project.alembic("history", env=env).stdout
    assert "(head), hand written data fix" in history and "add email to user" in history
    project.alembic("upgrade", "head", env=env)
    project.alembic("check", env=env)

    # Offline SQL for review, then all the way down.
    sql = project.alembic("upgrade", "head", "--sql", env=env).stdout
    assert "CREATE TABLE users" in sql and "email" in sql
    project.alembic("downgrade", "base", env=env)
    assert columns(url) == set()
    project.ruff()  # the post-write hooks formatted the new revisions

"""The baked project's own nox sessions, run with nox as a user runs them."""

import re

import pytest

from baked import BIN


def nox(project, *sessions, env=None, check=True):
    return project.run(str(BIN / "nox"), "--no-color", "-s", *sessions, env=env, check=check, timeout=900)


def test_every_session_passes_in_a_default_bake(bake):
    project = bake()
    result = nox(project, "lint", "tests", "roundtrip", "check", "sql", "typecheck")
    output = result.stdout + result.stderr
    # tests reports the package's coverage; typecheck is mypy --strict on the package.
    assert re.search(r"^TOTAL\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+%", output, re.MULTILINE), output
    assert "Success: no issues found" in output
    sql = (project.path / "build" / "migrations.sql").read_text()
    assert "CREATE TABLE users" in sql and "INFO" not in sql
    # The sessions used throwaway databases: the developer's SQLite file was never created.
    assert not (project.path / f"{project.context['package_name']}.sqlite3").exists()


@pytest.mark.parametrize(("backend", "impl"), [("postgresql", "PostgresqlImpl"), ("mysql", "MySQLImpl")])
def test_sessions_use_database_url_when_set(request, bake, backend, impl):
    url = request.getfixturevalue(f"{backend}_url")
    project = bake(database=backend)
    env = {"DATABASE_URL": url, "TEST_DATABASE_URL": url}
    result = nox(project, "tests", "roundtrip", "check", "sql", env=env)
    assert impl in result.stdout + result.stderr
    assert "CREATE TABLE users" in (project.path / "build" / "migrations.sql").read_text()


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

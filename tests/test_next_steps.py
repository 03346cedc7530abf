"""Errors through the real `alembic` CLI of a bake: on stderr, one line, with the next step.

`alembic upgrade head --sql > up.sql` never gets an error in its SQL; a `--sql` range with one
end, two heads, an ALTER SQLite cannot do and a command run where no alembic.ini is each say
what is wrong and what to run instead, with no traceback, a non-zero exit status, and the
database left at its last good revision.
"""

from __future__ import annotations

import subprocess

import pytest

from baked import BIN
from safety import FIRST_REVISION, current, environment, tables, write_revision


def assert_failed_on_stderr(result, *expected: str) -> str:
    """One FAILED line on stderr holding `expected`; nothing on stdout, no traceback, exit status not 0."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert "FAILED" not in result.stdout, result.stdout
    failed = [line for line in result.stderr.splitlines() if line.startswith("FAILED: ")]
    assert len(failed) == 1, result.stderr
    for part in expected:
        assert part in failed[0], result.stderr
    return failed[0]


def sql_to_file(project, tmp_path, *args: str, env: dict[str, str] | None = None):
    """`alembic ARGS > up.sql` as a shell runs it: the result, and what up.sql holds."""
    output = tmp_path / "up.sql"
    with output.open("w") as sql:
        result = subprocess.run(
            [str(BIN / "alembic"), *args],
            cwd=project.path,
            env=environment(**(env or {})),
            stdout=sql,
            stderr=subprocess.PIPE,
            text=True,
        )
    result.stdout = ""
    return result, output.read_text()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_an_error_under_sql_goes_to_stderr_never_into_the_sql(bake, tmp_path, backend):
    project = bake(database=backend)
    example = {"sqlite": "sqlite://", "postgresql": "postgresql://", "mysql": "mysql://"}[backend]
    # A settings error, a URL refused in alembic.ini, and the good run for comparison.
    result, sql = sql_to_file(
        project, tmp_path, "upgrade", "head", "--sql", env={"DATABASE_URL": "postgresq://x@h/d"}
    )
    assert_failed_on_stderr(result, "'postgresq', which is not a database", example)
    assert sql == ""
    if backend != "sqlite":  # no DATABASE_URL: only SQLite has a default
        result, sql = sql_to_file(project, tmp_path, "upgrade", "head", "--sql")
        assert_failed_on_stderr(result, "DATABASE_URL is not set")
        assert sql == ""
    url = {"sqlite": "sqlite:///x.sqlite3", "postgresql": "postgresql://u@h/d", "mysql": "mysql://u@h/d"}[
        backend
    ]
    good, sql = sql_to_file(project, tmp_path, "upgrade", "head", "--sql", env={"DATABASE_URL": url})
    assert good.returncode == 0 and "CREATE TABLE users" in sql and "FAILED" not in sql
    project.edit("alembic.ini", "[alembic]\n", "[alembic]\nsqlalchemy.url = sqlite:///x.db\n")
    result, sql = sql_to_file(project, tmp_path, "upgrade", "head", "--sql", env={"DATABASE_URL": url})
    assert_failed_on_stderr(result, "alembic.ini sets sqlalchemy.url")
    assert sql == ""


@pytest.mark.parametrize(
    ("command", "revision", "example"),
    [
        ("upgrade", f"{FIRST_REVISION}:", f"alembic upgrade {FIRST_REVISION}:head --sql"),
        ("upgrade", ":head", "alembic upgrade <start>:head --sql"),
        ("downgrade", "head:", "alembic downgrade head:base --sql"),
    ],
)
def test_a_sql_range_with_one_end_says_the_right_form(bake, tmp_path, command, revision, example):
    project = bake()
    result, sql = sql_to_file(project, tmp_path, command, revision, "--sql")
    line = assert_failed_on_stderr(
        result,
        f"`alembic {command} {revision} --sql` gives half a range",
        f"alembic {command} <start>:<end> --sql",
    )
    assert example in line and sql == ""


def test_two_heads_name_both_and_the_merge(bake, tmp_path):
    project = bake()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'heads.sqlite3'}"}
    project.alembic("upgrade", "head", env=env)
    write_revision(
        project,
        "left0001",
        FIRST_REVISION,
        'op.create_table("left_t", sa.Column("id", sa.Integer))',
        message="left side",
    )
    write_revision(
        project,
        "right001",
        FIRST_REVISION,
        'op.create_table("right_t", sa.Column("id", sa.Integer))',
        message="right side",
    )
    for args in (["upgrade", "head"], ["upgrade", "head", "--sql"]):
        result = project.alembic(*args, env=env, check=False)
        assert_failed_on_stderr(
            result,
            "there are 2 heads, left0001 (left side) and right001 (right side)",
            "`alembic upgrade head` cannot pick one",
            '`alembic merge heads -m "merge heads"` joins them',
            "`alembic upgrade heads` if the branches are deliberate (labelled)",
        )
    assert current(project, env) == FIRST_REVISION  # nothing ran
    # The hint works: merge, then upgrade head.
    project.alembic("merge", "heads", "-m", "merge heads", env=env)
    project.alembic("upgrade", "head", env=env)
    assert {"left_t", "right_t"} <= tables(env["DATABASE_URL"])


# A revision's operation SQLite cannot ALTER, what the line names, and the batch form that works.
ALTERS = {
    "alter_column": (
        'op.alter_column("users", "name", nullable=False)',
        "alter_column",
        'batch_op.alter_column("name", nullable=False)',
    ),
    "constraint": (
        'op.create_unique_constraint("uq_users_name", "users", ["name"])',
        "create_unique_constraint",
        'batch_op.create_unique_constraint("uq_users_name", ["name"])',
    ),
}


@pytest.mark.parametrize("kind", sorted(ALTERS))
def test_an_alter_sqlite_cannot_do_names_batch_mode(bake, tmp_path, kind):
    project = bake()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'alter.sqlite3'}"}
    write_revision(
        project, "good0001", FIRST_REVISION, 'op.create_table("good", sa.Column("id", sa.Integer))'
    )
    operation, name, batched = ALTERS[kind]
    bad = write_revision(project, "alter001", "good0001", operation)
    result = project.alembic("upgrade", "head", env=env, check=False)
    assert_failed_on_stderr(
        result,
        f"revision alter001 ({bad.name}) failed",
        "the database is at good0001",
        "SQLite cannot ALTER a table this way",
        f'`with op.batch_alter_table("users") as batch_op:` and `batch_op.{name}(...)`',
    )
    assert current(project, env) == "good0001"
    # What the line says works.
    batch = f'with op.batch_alter_table("users") as batch_op:\n        {batched}'
    bad.write_text(bad.read_text().replace(operation, batch))
    project.alembic("upgrade", "head", env=env)
    assert current(project, env) == "alter001"


def run_in(directory, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(BIN / "alembic"), *args],
        cwd=directory,
        env=environment(**(env or {})),
        capture_output=True,
        text=True,
    )


def test_a_command_where_no_alembic_ini_is_names_the_projects(bake, tmp_path):
    project = bake()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'sub.sqlite3'}"}
    versions = project.path / "alembic" / "versions"
    result = run_in(versions, "-x", "verbose=1", "upgrade", "head", "--sql", env=env)
    assert_failed_on_stderr(
        result,
        f"{versions / 'alembic.ini'} does not exist",
        f"this project's alembic.ini is {project.path / 'alembic.ini'}",
        f"`cd {project.path}`",
        "`alembic -c ../../alembic.ini -x verbose=1 upgrade head --sql`",
    )
    # Nowhere above either.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_in(elsewhere, "current", env=env)
    assert_failed_on_stderr(
        result, "no directory above has one either", "`alembic -c path/to/alembic.ini current`"
    )
    # Commands that need no alembic.ini, and a config file given with -c, are left alone.
    for args in (["--help"], ["list_templates"], ["current", "--help"]):
        quiet = run_in(versions, *args)
        assert quiet.returncode == 0 and "FAILED" not in quiet.stdout + quiet.stderr, quiet.stderr
    assert run_in(elsewhere, "init", "migrations").returncode == 0
    assert run_in(versions, "-c", "../../alembic.ini", "upgrade", "head", env=env).returncode == 0
    assert "users" in tables(env["DATABASE_URL"])

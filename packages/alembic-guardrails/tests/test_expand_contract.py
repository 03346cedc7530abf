"""A column renamed without downtime (`-x rename=... -x expand_contract=true`), through the real CLI.

On PostgreSQL and MySQL/MariaDB one command writes two revisions: the expand (new column, sync
triggers, backfill, the index again) and the post-deploy contract (triggers and old column
dropped). With rows in the table: the pre phase applies the expand only; the old code and the new
code write in turn through their own column and both columns agree; the post phase contracts;
`alembic check` is clean; both downgrade and upgrade again on the rows; lint refuses nothing.
On SQLite the plain rename stays, and says why.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from alembic_project import url_of
from sqlalchemy import inspect, text
from test_retire_and_phases import GUARDRAILS, guarded_project

MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData()
users = sa.Table(
    "ec_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("{column}", sa.String(40), nullable=False, index=True),
    sa.Column("note", sa.String(20)),
)
"""
RENAME = ("-x", "rename=ec_users.fullname:name")
EXPAND_CONTRACT = (*RENAME, "-x", "expand_contract=true")


def columns(engine) -> dict[str, bool]:
    engine.dispose()
    return {column["name"]: column["nullable"] for column in inspect(engine).get_columns("ec_users")}


def triggers(connection) -> set[str]:
    if connection.dialect.name == "postgresql":
        found = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal UNION SELECT proname FROM pg_proc "
        found += "WHERE proname LIKE 'ec_users%'"
    else:
        found = "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE()"
    return {name for (name,) in connection.execute(text(found)) if name.startswith("ec_users")}


def rows(engine, *names: str) -> list[tuple]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(text(f"SELECT id, {', '.join(names)} FROM ec_users ORDER BY id"))
        ]


def lint_refusals(project, paths, dialect: str) -> list[dict]:
    result = subprocess.run(
        [str(GUARDRAILS), "lint", *map(str, paths), "--dialect", dialect, "--format", "json"],
        cwd=project.directory,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return [f for f in json.loads(result.stdout) if f["severity"] == "refuse"]


def test_expand_contract_rename_on_a_live_table(alembic_engine, tmp_path):
    engine = alembic_engine
    backend = engine.dialect.name
    if backend == "sqlite":
        pytest.skip("SQLite keeps the plain rename: test_sqlite_keeps_the_plain_rename")
    project = guarded_project(tmp_path / "project", url_of(engine))
    project.models(MODELS.format(column="fullname"))
    project.migrate("users")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO ec_users (id, fullname) VALUES (1, 'Ada'), (2, 'Bob'), (3, 'Cy')")
        )

    # Two revisions from one command: the expand, then the contract after it, post-deploy.
    project.models(MODELS.format(column="name"))
    before = set(project.versions.glob("*.py"))
    result = project.ok(*EXPAND_CONTRACT, "revision", "--autogenerate", "-m", "rename users.fullname to name")
    expand, contract = sorted(set(project.versions.glob("*.py")) - before, key=lambda p: "contract" in p.name)
    assert "expand_contract: ec_users.fullname -> name written as expand" in result.stdout, result.stdout
    assert "rename-column" not in result.stdout, result.stdout
    expand_source, contract_source = expand.read_text(), contract.read_text()
    assert "post_deploy = True" not in expand_source and "\npost_deploy = True\n" in contract_source
    expand_id = expand.name.split("_")[0]
    assert f"down_revision = {expand_id!r}" in contract_source, contract_source
    assert "backfill(op, 'ec_users', 'name = fullname', where='name IS NULL')" in expand_source
    assert "ec_users_fullname_name_sync" in expand_source and "new_column_name" not in expand_source
    assert "drop_column('ec_users', 'fullname')" in contract_source, contract_source
    assert lint_refusals(project, [expand, contract], backend) == []

    # The pre phase: the expand only; the backfill copied the rows.
    project.ok("-x", "phase=pre", "upgrade", "head")
    assert columns(engine) == {"id": False, "fullname": False, "name": True, "note": True}
    assert rows(engine, "fullname", "name") == [(1, "Ada", "Ada"), (2, "Bob", "Bob"), (3, "Cy", "Cy")]

    # The old code and the new code, in turn, each through its own column.
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO ec_users (id, fullname) VALUES (4, 'Old insert')"))
        connection.execute(text("INSERT INTO ec_users (id, name) VALUES (5, 'New insert')"))
        connection.execute(text("UPDATE ec_users SET fullname = 'Ada L' WHERE id = 1"))
        connection.execute(text("UPDATE ec_users SET name = 'bob' WHERE id = 2"))  # case only
        connection.execute(text("UPDATE ec_users SET note = 'x' WHERE id = 3"))
        connection.execute(text("UPDATE ec_users SET name = 'New update' WHERE id = 4"))
        connection.execute(text("UPDATE ec_users SET fullname = 'Old update' WHERE id = 5"))
    both = rows(engine, "fullname", "name")
    assert [(i, a) for i, a, b in both] == [(i, b) for i, a, b in both], both
    assert [name for _, _, name in both] == ["Ada L", "bob", "Cy", "New update", "Old update"]
    with engine.connect() as connection:
        assert triggers(connection)

    # The post phase: the contract. The data lives on under the new name.
    project.ok("-x", "phase=post", "upgrade", "head")
    assert columns(engine) == {"id": False, "name": False, "note": True}
    expected = [(1, "Ada L"), (2, "bob"), (3, "Cy"), (4, "New update"), (5, "Old update")]
    assert rows(engine, "name") == expected
    with engine.connect() as connection:
        assert triggers(connection) == set()
    assert "No new upgrade operations detected" in project.ok("check").stdout

    # Both downgrade on the rows, and upgrade again.
    project.ok("downgrade", "-1")
    assert rows(engine, "fullname", "name") == [(i, n, n) for i, n in expected]
    project.ok("downgrade", "-1")
    assert rows(engine, "fullname") == expected
    project.ok("upgrade", "head")
    assert rows(engine, "name") == expected
    assert "No new upgrade operations detected" in project.ok("check").stdout
    project.ok("downgrade", "base")  # the trigger function is no table: leave nothing behind


def test_sqlite_keeps_the_plain_rename(alembic_engine, tmp_path):
    if alembic_engine.dialect.name != "sqlite":
        pytest.skip("the expand/contract plan is test_expand_contract_rename_on_a_live_table")
    project = guarded_project(tmp_path / "project", url_of(alembic_engine))
    project.models(MODELS.format(column="fullname"))
    project.migrate("users")
    project.models(MODELS.format(column="name"))
    result = project.ok(*EXPAND_CONTRACT, "revision", "--autogenerate", "-m", "rename")
    assert "SQLite keeps the plain rename of ec_users.fullname -> name: one process owns" in result.stdout
    (path,) = project.versions.glob("*rename*.py")
    assert "new_column_name='name'" in path.read_text()
    project.ok("upgrade", "head")


def test_the_rename_review_names_the_option(alembic_engine, tmp_path):
    project = guarded_project(tmp_path / "project", url_of(alembic_engine))
    project.models(MODELS.format(column="fullname"))
    project.migrate("users")
    project.models(MODELS.format(column="name"))
    result = project.ok(*RENAME, "revision", "--autogenerate", "-m", "rename")
    (path,) = project.versions.glob("*rename*.py")
    assert "new_column_name='name'" in path.read_text()
    hint = "for zero downtime: re-run with `-x expand_contract=true`"
    assert "[rename-column]" in result.stdout, result.stdout
    assert (hint in result.stdout) is (alembic_engine.dialect.name != "sqlite"), result.stdout

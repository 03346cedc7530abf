"""Constraints added over rows that break them (rule rows-break-constraint, _row_checks.py).

Through the real `alembic` command, on the database the tests run on, with rows seeded:

1. autogenerate refuses a foreign key over an orphan row, a unique constraint over duplicates
   and NOT NULL over a NULL, whatever `-x` says, naming each count and a query; the queries,
   run as printed, list exactly those rows; no file is written;
2. with the rows fixed the revision is written, and it checks again before its DDL;
3. rows that break the constraints again by upgrade time stop the upgrade with one line per
   failure naming the constraint and the query: no traceback, the database at the last good
   revision, none of the constraints left behind;
4. fixed again, the upgrade goes through, `alembic check` is clean, and down and up run on the rows;
5. PostgreSQL: a NOT VALID key left by a run that failed at VALIDATE does not stop the re-run.
"""

from __future__ import annotations

import re

import pytest
from alembic_project import Project, url_of
from sqlalchemy import inspect, text

MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData(naming_convention={{
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
}})
sa.Table("rb_parents", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False))
sa.Table(
    "rb_children",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("parent_id", sa.Integer{key}),
    sa.Column("code", sa.String(20), unique={unique}),
    sa.Column("qty", sa.Integer, nullable={nullable}),
)
"""
BEFORE = MODELS.format(key="", unique=False, nullable=True)
AFTER = MODELS.format(key=', sa.ForeignKey("rb_parents.id")', unique=True, nullable=False)
FOREIGN_KEY, UNIQUE = "fk_rb_children_parent_id_rb_parents", "uq_rb_children_code"
QUERY = re.compile(r"(SELECT \* FROM .*?)(?: \[rows-break-constraint\]|  |$)", re.MULTILINE)


def seed(engine, rows) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM rb_children"))
        for row in rows:
            values = dict(zip(("id", "parent", "code", "qty"), row, strict=True))
            connection.execute(text("INSERT INTO rb_children VALUES (:id, :parent, :code, :qty)"), values)


def broken(engine) -> None:
    """Row 2 is an orphan, shares its code with row 1, and has no qty."""
    seed(engine, [(1, 1, "a", 1), (2, 99, "a", None), (3, None, None, 3)])


def fixed(engine) -> None:
    seed(engine, [(1, 1, "a", 1), (2, 1, "b", 0), (3, None, None, 3)])


def listed(engine, output: str) -> list[set[int]]:
    """The ids of the rows each query of `output` lists, run as printed."""
    with engine.connect() as connection:
        return [set(connection.scalars(text(query))) for query in QUERY.findall(output)]


def constraints(engine) -> set[str]:
    engine.dispose()  # SQLite: a pooled connection may hold the schema as it was before the upgrade
    inspector = inspect(engine)
    keys = {key["name"] for key in inspector.get_foreign_keys("rb_children")}
    uniques = {unique["name"] for unique in inspector.get_unique_constraints("rb_children")}
    uniques |= {index["name"] for index in inspector.get_indexes("rb_children") if index["unique"]}
    return keys | uniques


def test_constraints_over_breaking_rows(alembic_engine, tmp_path):
    engine = alembic_engine
    project = Project(tmp_path / "project", url_of(engine))
    project.models(BEFORE)
    project.migrate("tables")
    (first,) = project.versions.glob("*.py")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO rb_parents VALUES (1)"))
    broken(engine)
    project.models(AFTER)

    # 1. Refused, whatever -x says, with counts and queries that list the rows.
    refused = project.alembic("-x", "allow_destructive=true", "revision", "--autogenerate", "-m", "keys")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "Traceback" not in output, output
    assert f"foreign key {FOREIGN_KEY}: 1 existing row(s) break it" in output, output
    assert f"unique {UNIQUE}: 2 existing row(s) break it" in output, output
    assert "NOT NULL on rb_children.qty: 1 existing row(s) break it" in output, output
    assert "no -x option" in output.lower() or "no override" in output.lower(), output
    assert listed(engine, output) == [{2}, {1, 2}, {2}]
    assert list(project.versions.glob("*.py")) == [first]

    # 2. Written once the rows are fixed; it asks again before its DDL.
    fixed(engine)
    project.ok("-x", "allow_destructive=true", "revision", "--autogenerate", "-m", "keys")
    (written,) = set(project.versions.glob("*.py")) - {first}
    upgrade = written.read_text().split("def downgrade")[0]
    checks = [
        upgrade.index(f"refuse_breaking_rows({name!r}") for name in (FOREIGN_KEY, UNIQUE, "rb_children.qty")
    ]
    ddl = re.search(r"op\.(batch_alter_table|create_|alter_column|execute)", upgrade)
    assert ddl is not None and max(checks) < ddl.start(), upgrade

    # 3. Broken again by upgrade time: stopped before any change, one line each, no traceback.
    broken(engine)
    before = constraints(engine)
    stopped = project.alembic("upgrade", "head")
    output = stopped.stdout + stopped.stderr
    assert stopped.returncode != 0 and "Traceback" not in output, output
    # The first check written stops it (NOT NULL, then unique, then the key): its own line.
    assert "rb_children.qty: 1 row(s) break it, so the upgrade stops here" in output, output
    assert len(output.strip().splitlines()) == 1 and listed(engine, output) == [{2}], output
    assert project.ok("current").stdout.split()[0] == first.name.split("_")[0]
    assert constraints(engine) == before

    # 4. Fixed: the same command goes through, the models match, down and up run on the rows.
    fixed(engine)
    project.ok("upgrade", "head")
    assert {FOREIGN_KEY, UNIQUE} <= constraints(engine)
    assert "No new upgrade operations detected" in project.ok("check").stdout
    project.ok("downgrade", "-1")
    project.ok("upgrade", "head")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM rb_children")) == 3


def test_a_not_valid_key_left_behind_does_not_stop_the_rerun(alembic_engine, tmp_path):
    engine = alembic_engine
    if engine.dialect.name != "postgresql":
        pytest.skip("NOT VALID is PostgreSQL's (the online forms, _online_ddl.py)")
    project = Project(tmp_path / "project", url_of(engine))
    project.models(BEFORE)
    project.migrate("tables")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO rb_parents VALUES (1)"))
    fixed(engine)
    project.models(AFTER)
    project.ok("-x", "allow_destructive=true", "revision", "--autogenerate", "-m", "keys")
    # What a run that failed at VALIDATE leaves: the key, NOT VALID, committed; and the NOT NULL check.
    with engine.begin() as connection:
        connection.execute(
            text(
                f"ALTER TABLE rb_children ADD CONSTRAINT {FOREIGN_KEY} FOREIGN KEY (parent_id) "
                "REFERENCES rb_parents (id) NOT VALID"
            )
        )
        connection.execute(
            text(
                "ALTER TABLE rb_children ADD CONSTRAINT ck_rb_children_qty_not_null CHECK (qty IS NOT NULL) NOT VALID"
            )
        )
    project.ok("upgrade", "head")
    with engine.connect() as connection:
        valid = connection.scalar(
            text("SELECT convalidated FROM pg_constraint WHERE conname = :n"), {"n": FOREIGN_KEY}
        )
    assert valid is True
    assert "No new upgrade operations detected" in project.ok("check").stdout


def test_not_null_after_a_check_validated_in_an_earlier_revision_is_written(alembic_engine, tmp_path):
    """strong_migrations' recipe: CHECK (qty IS NOT NULL) NOT VALID, VALIDATE, then SET NOT NULL in a
    later revision. Autogenerate reads the validated check from the database and writes the NOT NULL
    without `-x allow_destructive=true`; a NOT VALID check alone still proves nothing."""
    engine = alembic_engine
    if engine.dialect.name != "postgresql":
        pytest.skip("validated CHECK constraints are read from PostgreSQL's pg_constraint")
    project = Project(tmp_path / "project", url_of(engine))
    project.models(BEFORE)
    project.migrate("tables")
    fixed(engine)
    add = "ALTER TABLE rb_children ADD CONSTRAINT ck_qty_set CHECK (qty IS NOT NULL) NOT VALID"
    with engine.begin() as connection:
        connection.execute(text(add))
    project.models(
        BEFORE.replace(
            'sa.Column("qty", sa.Integer, nullable=True)', 'sa.Column("qty", sa.Integer, nullable=False)'
        )
    )
    refused = project.alembic("revision", "--autogenerate", "-m", "not null")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "[set-not-null-without-default]" in output, output
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE rb_children VALIDATE CONSTRAINT ck_qty_set"))
    project.migrate("not null")
    with engine.connect() as connection:
        nullable = connection.scalar(
            text(
                "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'rb_children' AND column_name = 'qty'"
            )
        )
    assert nullable == "NO"

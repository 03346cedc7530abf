"""pytest-alembic's standard checks of the migration history, and one more.

- one head per branch (alembic-guardrails heads: pytest-alembic's test_single_head_revision would
  refuse a branch made on purpose with `--branch-label` too); every revision upgrades from an
  empty database;
- the models match the schema the migrations build (no missing revision);
- every revision downgrades cleanly and upgrades again;
- every downgrade leaves no trace: the schema after a revision's upgrade and
  downgrade is the schema from before its upgrade (tables, columns and their
  types, keys, indexes, constraints).

pytest-alembic's experimental `test_downgrade_leaves_no_trace` checks the same
inside one transaction it rolls back, which a revision that commits as it goes
(migrations.backfill) cannot run in; this version reflects the schema instead.
"""

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic_guardrails import head_problems
from pytest_alembic.tests import (  # noqa: F401
    test_model_definitions_match_ddl,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import inspect

from tests.helpers import on_connection

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(Config(str(ALEMBIC_INI)))


def schema(connection) -> dict:
    """What a downgrade must restore, as reflected: every table's columns, keys, indexes, constraints."""
    inspector = inspect(connection)
    snapshot = {}
    for table in sorted(inspector.get_table_names()):
        if table == "alembic_version":
            continue
        snapshot[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in inspector.get_columns(table)
            ],
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": sorted(
                (fk["name"] or "", tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"] or "", tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "unique": sorted(
                (u["name"] or "", tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)
            ),
        }
    return snapshot


def test_one_head_per_branch():
    problems = head_problems(scripts())
    assert not problems, "\n".join(problems)


def test_downgrade_leaves_no_trace(alembic_runner, alembic_engine):
    # Oldest first, each revision after the ones it builds on, by its id rather than one step
    # along a line: on a branched history the database holds other branches' revisions too.
    # `REV@-1` downgrades REV alone; a merge has no single step back, and down to one of its
    # parents Alembic undoes the merge only.
    migrate = alembic_runner.command_executor
    script = scripts()
    revisions = [r for r in alembic_runner.history.revisions if r not in ("base", "heads")]
    for revision in revisions:
        parents = script.get_revision(revision).down_revision or ()
        parents = (parents,) if isinstance(parents, str) else parents
        for parent in parents:
            migrate.upgrade(parent)
        before = on_connection(alembic_engine, schema)
        migrate.upgrade(revision)
        migrate.downgrade(parents[0] if len(parents) > 1 else f"{revision}@-1")
        after = on_connection(alembic_engine, schema)
        assert after == before, f"downgrading {revision} does not restore the schema from before its upgrade"

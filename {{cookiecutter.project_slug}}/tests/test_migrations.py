"""pytest-alembic's standard checks of the migration history, and one more.

- one head only; every revision upgrades from an empty database;
- the models match the schema the migrations build (no missing revision);
- every revision downgrades cleanly and upgrades again;
- every downgrade leaves no trace: the schema after a revision's upgrade and
  downgrade is the schema from before its upgrade (tables, columns and their
  types, keys, indexes, constraints).

pytest-alembic's experimental `test_downgrade_leaves_no_trace` checks the same
inside one transaction it rolls back, which a revision that commits as it goes
(migrations.backfill) cannot run in; this version reflects the schema instead.
"""

from pytest_alembic.tests import (  # noqa: F401
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import inspect

from tests.helpers import on_connection


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


def test_downgrade_leaves_no_trace(alembic_runner, alembic_engine):
    revisions = [r for r in alembic_runner.history.revisions if r not in ("base", "heads")]
    for revision in revisions:
        alembic_runner.migrate_up_before(revision)
        before = on_connection(alembic_engine, schema)
        alembic_runner.migrate_up_one()
        alembic_runner.migrate_down_one()
        after = on_connection(alembic_engine, schema)
        assert after == before, f"downgrading {revision} does not restore the schema from before its upgrade"

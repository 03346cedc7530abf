import pytest
import sqlalchemy as sa
from rule_helpers import add_column, findings, rule_ids

from alembic_guardrails.rules import stored_generated_column_copies_table as rule


def generated(persisted):
    return add_column(sa.Column("v_upper", sa.String(20), sa.Computed("upper(v)", persisted=persisted)))


def test_a_stored_generated_column_copies_the_table_on_mysql():
    assert [str(f) for f in findings(rule, generated(True), dialect="mysql")] == [
        "items.v_upper: stored generated column: MySQL/MariaDB copy the whole table to compute it, blocking "
        "writes meanwhile (a virtual one, persisted=False, is added in place) "
        "[stored-generated-column-copies-table]"
    ]


@pytest.mark.parametrize("persisted", [False, None])
def test_a_virtual_one_is_added_in_place(persisted):
    assert rule_ids(rule, generated(persisted), dialect="mysql") == []


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_not_said_for_other_databases(dialect):
    # PostgreSQL: generated-column-rewrites-table; SQLite's batch mode copies small tables anyway.
    assert rule_ids(rule, generated(True), dialect=dialect) == []

import pytest
import sqlalchemy as sa
from rule_helpers import add_column, findings, new_table, rule_ids

from alembic_guardrails.rules import generated_column_rewrites_table as rule


def generated(persisted=None):
    return add_column(sa.Column("v_upper", sa.String(20), sa.Computed("upper(v)", persisted=persisted)))


@pytest.mark.parametrize("persisted", [None, True, False])
def test_a_generated_column_rewrites_on_postgresql_stored_or_not(persisted):
    assert [str(f) for f in findings(rule, generated(persisted), dialect="postgresql")] == [
        "items.v_upper: generated column: PostgreSQL computes it for every existing row, rewriting the whole "
        "table under an exclusive lock [generated-column-rewrites-table]"
    ]


@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_not_said_for_other_databases(dialect):
    assert rule_ids(rule, generated(True), dialect=dialect) == []


def test_a_new_table_has_no_rows_to_compute():
    assert rule_ids(rule, new_table(), generated(True), dialect="postgresql") == []

import pytest
import sqlalchemy as sa
from rule_helpers import add_column, findings, new_table, rule_ids

from alembic_guardrails.rules import volatile_default_rewrites_table as rule


def seen(default):
    return add_column(sa.Column("seen", sa.DateTime, server_default=default))


def test_a_per_row_default_rewrites_on_postgresql():
    assert [str(f) for f in findings(rule, seen(sa.func.now()), dialect="postgresql")] == [
        "items.seen: server default now() is evaluated per row: PostgreSQL rewrites the whole table to add "
        "the column [volatile-default-rewrites-table]"
    ]


@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_not_said_for_other_databases(dialect):
    assert rule_ids(rule, seen(sa.func.now()), dialect=dialect) == []


def test_a_constant_default_or_a_new_table_is_not():
    assert rule_ids(rule, seen(sa.text("'2020-01-01'")), dialect="postgresql") == []
    assert rule_ids(rule, new_table(), seen(sa.func.now()), dialect="postgresql") == []

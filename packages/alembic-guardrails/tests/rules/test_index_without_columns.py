import pytest
import sqlalchemy as sa
from alembic.operations import ops
from rule_helpers import DIALECTS, findings

from alembic_guardrails.rules import index_without_columns as rule


@pytest.mark.parametrize("dialect", DIALECTS)
def test_an_index_without_columns_is_flagged(dialect):
    found = findings(rule, ops.CreateIndexOp("ix_items_nothing", "items", []), dialect=dialect)
    assert [f.rule for f in found] == ["index-without-columns"]
    assert found[0].action == rule.RULE.says(name="ix_items_nothing", table="items")


def test_an_empty_index_of_a_new_table_is_flagged():
    # The index travels inside the CreateTableOp, as in a model's Table(..., Index(...)).
    create = ops.CreateTableOp("codes", [sa.Column("id", sa.Integer, primary_key=True), sa.Index("ix_none")])
    assert [f.rule for f in findings(rule, create)] == ["index-without-columns"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_an_index_with_a_column_is_not(dialect):
    assert findings(rule, ops.CreateIndexOp("ix_items_v", "items", ["v"]), dialect=dialect) == []


def test_no_override_writes_it():
    assert rule.RULE.verdict == "refuse" and not rule.RULE.overridable

import pytest
from alembic.operations import ops
from rule_helpers import DIALECTS, findings, new_table

from alembic_guardrails._messages import text
from alembic_guardrails.rules import drop_table as rule


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_dropped_table_is_flagged(dialect):
    found = findings(rule, ops.DropTableOp("orders"), dialect=dialect)
    assert [str(f) for f in found] == ["orders: drop table (its rows are lost) [drop-table]"]


def test_a_table_created_alongside_is_offered_as_a_rename():
    (found,) = findings(rule, new_table("products"), ops.DropTableOp("goods"))
    assert found.rule == "drop-table"
    assert found.action.endswith(text("maybe_rename_table", old="goods", new="products"))


def test_a_rename_is_not_a_drop():
    assert findings(rule, ops.RenameTableOp("goods", "products")) == []

import pytest
from alembic.operations import ops
from rule_helpers import DIALECTS, findings, new_table, rule_ids

from alembic_guardrails.rules import rename_table as rule


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_renamed_table_is_flagged(dialect):
    assert [str(f) for f in findings(rule, ops.RenameTableOp("goods", "products"), dialect=dialect)] == [
        "goods: rename table to products: the code running now still uses the old name, and its queries "
        "fail from the moment the upgrade commits until the new code is deployed [rename-table]"
    ]


def test_a_table_this_revision_creates_is_not():
    assert rule_ids(rule, new_table("goods"), ops.RenameTableOp("goods", "products")) == []
    assert rule_ids(rule, ops.DropTableOp("goods")) == []

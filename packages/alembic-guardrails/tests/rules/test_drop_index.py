import pytest
from alembic.operations import ops
from rule_helpers import DIALECTS, findings, on_table

from alembic_guardrails.rules import drop_index as rule


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_dropped_index_is_flagged(dialect):
    dropped = on_table("users", ops.DropIndexOp("ix_users_note", table_name="users"))
    assert [str(f) for f in findings(rule, dropped, dialect=dialect)] == [
        "users: drop index ix_users_note [drop-index]"
    ]


def test_a_created_index_is_not():
    assert findings(rule, ops.CreateIndexOp("ix_users_note", "users", ["note"])) == []

import pytest
from alembic.operations import ops
from rule_helpers import DIALECTS, findings, on_table

from alembic_guardrails.rules import drop_constraint as rule


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_dropped_constraint_is_flagged_with_its_kind(dialect):
    dropped = on_table("users", ops.DropConstraintOp("uq_users_code", "users", type_="unique"))
    assert [str(f) for f in findings(rule, dropped, dialect=dialect)] == [
        "users: drop unique uq_users_code [drop-constraint]"
    ]


def test_a_constraint_of_unknown_kind_is_called_a_constraint():
    (found,) = findings(rule, ops.DropConstraintOp("ck_users_age", "users"))
    assert found.action == rule.RULE.says(kind="constraint", name="ck_users_age")


def test_a_created_constraint_is_not():
    assert findings(rule, ops.CreateUniqueConstraintOp("uq_users_code", "users", ["code"])) == []

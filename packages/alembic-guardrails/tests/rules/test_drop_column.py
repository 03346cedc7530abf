import pytest
import sqlalchemy as sa
from alembic.operations import ops
from rule_helpers import DIALECTS, findings, on_table

from alembic_guardrails._messages import text
from alembic_guardrails.rules import drop_column as rule


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_dropped_column_is_flagged(dialect):
    found = findings(rule, on_table("users", ops.DropColumnOp("users", "email")), dialect=dialect)
    assert [str(f) for f in found] == ["users.email: drop column (its values are lost) [drop-column]"]


def test_a_column_added_to_the_same_table_is_offered_as_a_rename():
    swap = on_table(
        "users", ops.DropColumnOp("users", "fullname"), ops.AddColumnOp("users", sa.Column("name", sa.String))
    )
    (found,) = findings(rule, swap)
    assert found.rule == "drop-column"
    assert found.action.endswith(text("maybe_rename_column", table="users", old="fullname", new="name"))


def test_a_renamed_column_is_not_a_drop():
    rename = on_table("users", ops.AlterColumnOp("users", "fullname", modify_name="name"))
    assert findings(rule, rename) == []

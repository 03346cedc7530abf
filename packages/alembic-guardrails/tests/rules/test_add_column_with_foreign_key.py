import pytest
import sqlalchemy as sa
from alembic.operations import ops
from rule_helpers import add_column, findings, new_table, rule_ids

from alembic_guardrails.rules import add_column_with_foreign_key as rule


def with_key(*args, **kw):
    return add_column(
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id", *args, **kw), nullable=True),
        table="orders",
    )


def test_a_column_added_with_its_foreign_key_is_flagged_on_postgresql():
    assert [str(f) for f in findings(rule, with_key(), dialect="postgresql")] == [
        "orders.account_id: column added with foreign key account_id -> accounts.id on a table that has "
        "rows: the key is validated with both tables locked (SHARE ROW EXCLUSIVE, writes blocked); add "
        "the column first, then the key NOT VALID and VALIDATE it separately [add-column-with-foreign-key]"
    ]


def test_a_named_key_is_named():
    (found,) = findings(rule, with_key(name="fk_orders_account"), dialect="postgresql")
    assert "foreign key fk_orders_account on" in found.action


def test_a_key_added_not_valid_is_not():
    assert rule_ids(rule, with_key(postgresql_not_valid=True), dialect="postgresql") == []


def test_a_column_without_a_key_or_on_a_new_table_is_not():
    plain = add_column(sa.Column("account_id", sa.Integer(), nullable=True), table="orders")
    assert rule_ids(rule, plain, dialect="postgresql") == []
    assert rule_ids(rule, new_table("orders"), with_key(), dialect="postgresql") == []


def test_autogenerate_s_separate_create_foreign_key_is_add_foreign_key_business():
    # Autogenerate's AddColumnOp holds the model's column, key and all, and writes the key as a
    # create_foreign_key of its own (NOT VALID when online).
    separate = ops.CreateForeignKeyOp("fk_orders_account_id", "orders", "accounts", ["account_id"], ["id"])
    assert rule_ids(rule, with_key(), separate, dialect="postgresql") == []


@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_not_said_for_other_databases(dialect):
    assert rule_ids(rule, with_key(), dialect=dialect) == []

import sqlalchemy as sa
from alembic.operations import ops
from rule_helpers import alter, on_table

from alembic_guardrails.rules import Context
from alembic_guardrails.rules import sqlite_alter_outside_batch as rule
from alembic_guardrails.rules._operations import walk


def rule_ids(*operations, dialect="sqlite", batched=False):
    """The rule over a revision whose operations were typed as plain op.* calls (or in batch mode)."""
    upgrade_ops = ops.UpgradeOps(ops=list(operations))
    plain = [] if batched else list(walk(upgrade_ops))
    context = Context.of(upgrade_ops, dialect, plain=plain)
    return [finding.rule for op in walk(upgrade_ops) for finding in rule.check(op, context)]


FOREIGN_KEY = ops.CreateForeignKeyOp("fk_orders_user_id_users", "orders", "users", ["user_id"], ["id"])
CHECK = ops.CreateCheckConstraintOp("ck_orders_positive", "orders", sa.text("total > 0"))


def test_constraint_and_column_changes_outside_batch_mode_are_refused_on_sqlite():
    for change in (
        on_table("orders", FOREIGN_KEY),
        on_table("orders", CHECK),
        on_table("orders", ops.DropConstraintOp("uq_orders_code", "orders", type_="unique")),
        alter(existing_type=sa.String(20), existing_nullable=True, modify_nullable=False),
        alter(existing_type=sa.String(20), modify_type=sa.Text()),
    ):
        assert rule_ids(change) == ["sqlite-alter-outside-batch"], change


def test_batch_mode_other_databases_and_what_sqlite_alters_are_not():
    assert rule_ids(on_table("orders", FOREIGN_KEY), batched=True) == []
    assert rule_ids(on_table("orders", FOREIGN_KEY), dialect="postgresql") == []
    # SQLite's ALTER TABLE renames columns and adds them.
    assert rule_ids(alter(modify_name="value")) == []
    assert rule_ids(on_table("orders", ops.AddColumnOp("orders", sa.Column("note", sa.Text())))) == []


def test_no_override_writes_it():
    assert rule.RULE.verdict == "refuse" and not rule.RULE.overridable

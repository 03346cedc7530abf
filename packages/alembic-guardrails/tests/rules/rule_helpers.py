"""Shared by the rules' tests: Alembic operations as autogenerate builds them, and one rule run over them."""

import sqlalchemy as sa
from alembic.operations import ops

from alembic_guardrails.rules import DIALECTS, Context
from alembic_guardrails.rules._operations import walk

__all__ = ["DIALECTS", "add_column", "alter", "findings", "new_table", "on_table", "rule_ids"]


def on_table(table, *operations):
    """How autogenerate nests column operations: inside a ModifyTableOps."""
    return ops.ModifyTableOps(table, list(operations))


def add_column(column, table="items"):
    return on_table(table, ops.AddColumnOp(table, column))


def alter(table="items", column="v", **kw):
    return on_table(table, ops.AlterColumnOp(table, column, **kw))


def new_table(name="items", *columns):
    """A table the revision creates: it holds no rows yet."""
    table = sa.Table(name, sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), *columns)
    return ops.CreateTableOp.from_table(table)


def findings(rule, *operations, dialect=None, online=False, autocommit=()):
    """What `rule` (a module of alembic_guardrails.rules) finds in a revision of `operations`;
    `autocommit`: those of them invoked inside `op.get_context().autocommit_block()`."""
    upgrade_ops = ops.UpgradeOps(ops=list(operations))
    context = Context.of(upgrade_ops, dialect, online=online, autocommit=autocommit)
    return [finding for op in walk(upgrade_ops) for finding in rule.check(op, context)]


def rule_ids(rule, *operations, **options):
    return [finding.rule for finding in findings(rule, *operations, **options)]

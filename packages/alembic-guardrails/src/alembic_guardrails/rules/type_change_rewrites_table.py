"""A type change PostgreSQL makes by rewriting the whole table under an exclusive lock."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops
from sqlalchemy import types as sqltypes

from ._operations import both, type_change
from ._rule import Context, Finding, Rule

RULE = Rule(
    id="type-change-rewrites-table",
    verdict="review",
    dialects=("postgresql",),
    authority="squawk: changing-column-type / strong_migrations: Changing the type of a column",
    message={
        "en": "type {old} -> {new} rewrites the whole table under an exclusive lock on PostgreSQL",
        "zh": "类型 {old} -> {new} 在 PostgreSQL 上会在排他锁下重写整张表",
    },
    safe={
        "en": (
            "Run it while the table is small or traffic is low. For a large table, add a column of the new "
            "type, fill it in batches (`alembic_guardrails.backfill`), switch the code to it, then drop the old "
            "column. Widening a VARCHAR, or making it TEXT, needs no rewrite."
        ),
        "zh": (
            "在表还小或流量低时运行。大表请新增一列新类型，分批填入数据（`alembic_guardrails.backfill`），"
            "让代码改用新列，再删除旧列。加长 VARCHAR 或改为 TEXT 不需要重写表。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if not isinstance(op, ops.AlterColumnOp) or context.dialect != "postgresql":
        return
    change = type_change(op, context.dialect)
    if change is None:
        return
    old, new = change
    # Widening a VARCHAR or making it TEXT is a catalogue change; other changes rewrite.
    if both(old, new, sqltypes.String) and not isinstance(old, sqltypes.Enum):
        return
    yield RULE.finding(op.table_name, op.column_name, old=str(old), new=str(new))

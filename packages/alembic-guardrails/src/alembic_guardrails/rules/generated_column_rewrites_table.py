"""A generated column added on PostgreSQL: stored, so computed for every row in a table rewrite."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import Context, Finding, Rule

RULE = Rule(
    id="generated-column-rewrites-table",
    verdict="review",
    dialects=("postgresql",),
    authority="strong_migrations: Adding a stored generated column",
    message={
        "en": (
            "generated column: PostgreSQL computes it for every existing row, rewriting the whole table "
            "under an exclusive lock"
        ),
        "zh": "生成列：PostgreSQL 会为每一行已有数据计算它，在排他锁下重写整张表",
    },
    safe={
        "en": (
            "Add it while the table is small or traffic is low. For a large table, add a plain column, fill "
            "it in batches (`alembic_guardrails.backfill`) and keep it up to date from the code or a trigger."
        ),
        "zh": (
            "在表还小或流量低时添加。大表请新增一个普通列，分批填入（`alembic_guardrails.backfill`），"
            "再由代码或触发器保持它的值。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    # Computed() is the column's server default, so the volatile and identity rules never also apply.
    if not (isinstance(op, ops.AddColumnOp) and context.existing(op.table_name)):
        return
    # PostgreSQL's generated columns are always stored, whatever `persisted` says.
    if context.dialect == "postgresql" and op.column.computed is not None:
        yield RULE.finding(op.table_name, op.column.name)

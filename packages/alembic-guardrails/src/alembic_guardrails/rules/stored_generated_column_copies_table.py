"""A stored generated column added on MySQL/MariaDB: the table is copied to compute it."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import Context, Finding, Rule

RULE = Rule(
    id="stored-generated-column-copies-table",
    verdict="review",
    dialects=("mysql",),
    authority="strong_migrations: Adding a stored generated column",
    message={
        "en": (
            "stored generated column: MySQL/MariaDB copy the whole table to compute it, blocking writes "
            "meanwhile (a virtual one, persisted=False, is added in place)"
        ),
        "zh": (
            "存储型生成列：MySQL/MariaDB 会复制整张表来计算它，期间阻塞写入（虚拟生成列 persisted=False 可原地添加）"
        ),
    },
    safe={
        "en": (
            "Make it virtual, `Computed(..., persisted=False)`: MySQL/MariaDB add it in place, and it can "
            "still be indexed."
        ),
        "zh": "改为虚拟生成列 `Computed(..., persisted=False)`：MySQL/MariaDB 会原地添加，它同样可以建索引。",
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if not (isinstance(op, ops.AddColumnOp) and context.existing(op.table_name)):
        return
    computed = op.column.computed
    if context.dialect == "mysql" and computed is not None and computed.persisted:
        yield RULE.finding(op.table_name, op.column.name)

"""An index with no columns: no database accepts it, so no override writes it."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="index-without-columns",
    verdict="refuse",
    dialects=DIALECTS,
    authority=(
        "The PostgreSQL, MySQL and SQLite manuals: CREATE INDEX names at least one column "
        "(squawk: syntax-error)"
    ),
    message={
        "en": (
            "Index {name} on table {table} has no columns: name at least one column in the model's "
            "Index(...), or remove it."
        ),
        "zh": "表 {table} 上的索引 {name} 没有任何列：请在模型的 Index(...) 中至少写一列，或者删除它。",
    },
    safe={
        "en": (
            "Name at least one column in the model's `Index(...)`, or remove the Index. No `-x` override "
            "writes it: every database would fail the upgrade."
        ),
        "zh": "在模型的 `Index(...)` 中至少写一列，或者删除这个 Index。任何 `-x` 参数都不会放行：所有数据库都会让升级失败。",
    },
    overridable=False,
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if isinstance(op, ops.CreateIndexOp) and not op.columns:
        yield RULE.finding(op.table_name, name=op.index_name, table=op.table_name)
    if isinstance(op, ops.CreateTableOp):
        # A new table's indexes travel inside its CreateTableOp.
        for index in getattr(op.to_table(), "indexes", ()):
            if not index.expressions:
                yield RULE.finding(op.table_name, name=index.name, table=op.table_name)

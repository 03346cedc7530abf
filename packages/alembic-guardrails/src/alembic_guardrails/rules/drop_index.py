"""A dropped index on PostgreSQL without CONCURRENTLY: the table is locked while it goes."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import Context, Finding, Rule

RULE = Rule(
    id="drop-index",
    verdict="review",
    dialects=("postgresql",),
    authority="squawk: require-concurrent-index-deletion (a plain DROP INDEX blocks the table on PostgreSQL)",
    message={
        "en": "drop index {name} without CONCURRENTLY: the table is locked (ACCESS EXCLUSIVE) while it goes",
        "zh": "不带 CONCURRENTLY 删除索引 {name}：删除期间整张表被锁住（ACCESS EXCLUSIVE）",
    },
    safe={
        "en": (
            "Keep `postgresql_safe_ddl = true` (the default): autogenerate drops it CONCURRENTLY. By hand: "
            "`op.drop_index(..., postgresql_concurrently=True)` inside `with op.get_context().autocommit_block():`. "
            "Before any index goes, check that no frequent query needs it (EXPLAIN it)."
        ),
        "zh": (
            "保持 `postgresql_safe_ddl = true`（默认）：autogenerate 会用 CONCURRENTLY 删除它。手写时："
            "在 `with op.get_context().autocommit_block():` 中 `op.drop_index(..., postgresql_concurrently=True)`。"
            "删除任何索引之前，先确认没有频繁的查询依赖它（用 EXPLAIN 看）。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    # The lock is what there is to say, the same for a revision autogenerate writes and one typed
    # (lint): a plain DROP INDEX on PostgreSQL takes ACCESS EXCLUSIVE. CONCURRENTLY takes none (the
    # form online DDL writes, in autocommit_block(); inside the transaction
    # concurrent-index-in-transaction refuses it); MySQL/MariaDB drop it in place, SQLite at once.
    if not isinstance(op, ops.DropIndexOp) or context.dialect != "postgresql":
        return
    if op.kw.get("postgresql_concurrently") or context.outside_transaction(op):
        return
    yield RULE.finding(str(op.table_name), name=op.index_name)

"""A dropped index: no data lost, but the queries that used it slow down."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="drop-index",
    verdict="review",
    dialects=DIALECTS,
    authority=(
        "squawk: require-concurrent-index-deletion (a plain DROP INDEX blocks the table on PostgreSQL; "
        "the queries that used the index slow down everywhere)"
    ),
    message={
        "en": "drop index {name}",
        "zh": "删除索引 {name}",
    },
    safe={
        "en": (
            "Check that no frequent query needs the index (EXPLAIN it). On PostgreSQL, with "
            "`postgresql_safe_ddl = true` (the default), the revision drops it CONCURRENTLY."
        ),
        "zh": (
            "确认没有频繁的查询依赖这个索引（用 EXPLAIN 看）。在 PostgreSQL 上，`postgresql_safe_ddl = true`"
            "（默认）时迁移会用 CONCURRENTLY 删除它。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if not isinstance(op, ops.DropIndexOp):
        return
    # Autogenerate drops an index because a model lost it: asked whether the queries need it. A
    # typed revision (lint) drops it on purpose: only the lock is left to say, a plain DROP INDEX on
    # PostgreSQL (ACCESS EXCLUSIVE). CONCURRENTLY takes none (inside the transaction
    # concurrent-index-in-transaction refuses it); MySQL/MariaDB drop it in place, SQLite at once.
    if context.typed and (context.dialect != "postgresql" or op.kw.get("postgresql_concurrently")):
        return
    yield RULE.finding(str(op.table_name), name=op.index_name)

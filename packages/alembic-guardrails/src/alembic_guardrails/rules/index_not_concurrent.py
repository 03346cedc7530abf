"""An index built on a live PostgreSQL table without CONCURRENTLY: writes wait for the build."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import Context, Finding, Rule

RULE = Rule(
    id="index-not-concurrent",
    verdict="review",
    dialects=("postgresql",),
    authority=(
        "squawk: require-concurrent-index-creation / strong_migrations: Adding an index non-concurrently"
    ),
    message={
        "en": "index {name} built without CONCURRENTLY: PostgreSQL blocks writes to the table while it builds",
        "zh": "索引 {name} 没有使用 CONCURRENTLY 创建：建索引期间 PostgreSQL 会阻塞对该表的写入",
    },
    safe={
        "en": (
            "Keep `postgresql_safe_ddl = true` (the default): autogenerate then writes "
            "`CREATE INDEX CONCURRENTLY` in an `autocommit_block()`. By hand: "
            "`op.create_index(..., postgresql_concurrently=True)` inside "
            "`with op.get_context().autocommit_block():`."
        ),
        "zh": (
            "保持 `postgresql_safe_ddl = true`（默认）：autogenerate 会在 `autocommit_block()` 中写出 "
            "`CREATE INDEX CONCURRENTLY`。手写时：在 `with op.get_context().autocommit_block():` 中调用 "
            "`op.create_index(..., postgresql_concurrently=True)`。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    # `online`: migrations.online_ddl writes the index CONCURRENTLY, so there is nothing to say.
    if (
        isinstance(op, ops.CreateIndexOp)
        and context.existing(op.table_name)
        and context.dialect == "postgresql"
        and not context.online
        and not op.kw.get("postgresql_concurrently")
    ):
        yield RULE.finding(op.table_name, name=op.index_name)

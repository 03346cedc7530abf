"""CREATE/DROP INDEX CONCURRENTLY inside the migration's transaction: PostgreSQL refuses to run it."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import Context, Finding, Rule

RULE = Rule(
    id="concurrent-index-in-transaction",
    verdict="refuse",
    dialects=("postgresql",),
    authority=(
        "The PostgreSQL manual (CREATE INDEX / DROP INDEX: CONCURRENTLY cannot be executed inside a "
        "transaction block) / squawk: ban-concurrent-index-creation-in-transaction"
    ),
    message={
        "en": (
            "{statement} CONCURRENTLY on {table} inside the migration's transaction: PostgreSQL refuses it "
            "(it cannot run inside a transaction block), so the upgrade fails; run it inside "
            "op.get_context().autocommit_block()"
        ),
        "zh": (
            "在迁移的事务中对表 {table} 执行 {statement} CONCURRENTLY：PostgreSQL 不允许在事务块中这样做，"
            "升级必然失败；请在 op.get_context().autocommit_block() 中执行它"
        ),
    },
    safe={
        "en": (
            "Call it inside `with op.get_context().autocommit_block():` (which commits what came before "
            "it), with `if_not_exists=True` / `if_exists=True` so a re-run after a failure goes through. "
            "No `-x` override helps: the upgrade fails whatever the data. Autogenerate with "
            "`postgresql_safe_ddl = true` (the default) writes it that way."
        ),
        "zh": (
            "在 `with op.get_context().autocommit_block():` 中调用它（这会先提交之前的语句），并加上 "
            "`if_not_exists=True` / `if_exists=True`，失败后可以重新运行。任何 `-x` 参数都无济于事："
            "无论数据如何升级都会失败。`postgresql_safe_ddl = true`（默认）时 autogenerate 就是这样写的。"
        ),
    },
    overridable=False,
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if (
        isinstance(op, (ops.CreateIndexOp, ops.DropIndexOp))
        and context.dialect == "postgresql"
        and op.kw.get("postgresql_concurrently")
        and not context.outside_transaction(op)
    ):
        statement = "CREATE INDEX" if isinstance(op, ops.CreateIndexOp) else "DROP INDEX"
        yield RULE.finding(str(op.table_name), statement=f"{statement} {op.index_name}", table=op.table_name)

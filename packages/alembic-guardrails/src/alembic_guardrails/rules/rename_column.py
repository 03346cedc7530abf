"""A renamed column: the running application still queries it by its old name."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="rename-column",
    verdict="review",
    dialects=DIALECTS,
    authority="strong_migrations: Renaming a column / squawk: renaming-column",
    message={
        "en": (
            "rename column to {new}: the code running now still uses the old name, and its queries fail "
            "from the moment the upgrade commits until the new code is deployed; for zero downtime: "
            "re-run with `-x expand_contract=true`"
        ),
        "zh": (
            "列改名为 {new}：正在运行的代码仍在使用旧列名，从升级提交到新代码部署完成之前，它的查询都会失败；"
            "如需零停机：加上 `-x expand_contract=true` 重新运行"
        ),
    },
    # SQLite: one process owns the file, and expand_contract keeps the plain rename there.
    message_on={
        "sqlite": {
            "en": (
                "rename column to {new}: the code running now still uses the old name, and its queries "
                "fail from the moment the upgrade commits until the new code is deployed"
            ),
            "zh": "列改名为 {new}：正在运行的代码仍在使用旧列名，从升级提交到新代码部署完成之前，它的查询都会失败",
        }
    },
    safe={
        "en": (
            "A rename on purpose (`-x rename=table.old:new`) is fine while no running code uses the column, "
            "or with downtime. Without downtime, on PostgreSQL and MySQL/MariaDB, add "
            "`-x expand_contract=true`: it writes an expand revision (the new column, triggers keeping "
            "both columns equal, a batched backfill) and a post-deploy contract revision that drops the "
            "old column and the triggers."
        ),
        "zh": (
            "有意的改名（`-x rename=table.old:new`）在没有运行中的代码使用该列、或允许停机时没有问题。"
            "不停机时（PostgreSQL、MySQL/MariaDB）加上 `-x expand_contract=true`：它写出一个扩展迁移"
            "（新列、让两列保持一致的触发器、分批回填）和一个部署后的收缩迁移（删除旧列和触发器）。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if (
        isinstance(op, ops.AlterColumnOp)
        and op.modify_name is not None
        and op.modify_name != op.column_name
        and context.existing(op.table_name)
    ):
        yield RULE.finding(op.table_name, op.column_name, new=op.modify_name, dialect=context.dialect)

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
            "from the moment the upgrade commits until the new code is deployed"
        ),
        "zh": "列改名为 {new}：正在运行的代码仍在使用旧列名，从升级提交到新代码部署完成之前，它的查询都会失败",
    },
    safe={
        "en": (
            "A rename on purpose (`-x rename=table.old:new`) is fine while no running code uses the column, "
            "or with downtime. Without downtime, expand and contract: add the new column, deploy code that "
            "writes both, backfill it (`alembic_guardrails.backfill`), switch the reads to the new column, "
            "then drop the old one in a later revision."
        ),
        "zh": (
            "有意的改名（`-x rename=table.old:new`）在没有运行中的代码使用该列、或允许停机时没有问题。"
            "不停机时请分步进行：先新增新列，部署同时写两列的代码，回填数据（`alembic_guardrails.backfill`），"
            "把读取切换到新列，最后在之后的迁移中删除旧列。"
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
        yield RULE.finding(op.table_name, op.column_name, new=op.modify_name)

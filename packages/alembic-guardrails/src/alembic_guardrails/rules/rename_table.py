"""A renamed table: the running application still queries it by its old name."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="rename-table",
    verdict="review",
    dialects=DIALECTS,
    authority="strong_migrations: Renaming a table / squawk: renaming-table",
    message={
        "en": (
            "rename table to {new}: the code running now still uses the old name, and its queries fail "
            "from the moment the upgrade commits until the new code is deployed"
        ),
        "zh": "表改名为 {new}：正在运行的代码仍在使用旧表名，从升级提交到新代码部署完成之前，它的查询都会失败",
    },
    safe={
        "en": (
            "A rename on purpose (`-x rename=old_table:new_table`) is fine while no running code uses the "
            "table, or with downtime. Without downtime, expand and contract: create the new table, deploy "
            "code that writes both, backfill it (`alembic_guardrails.backfill`), switch the reads to the new "
            "table, then drop the old one in a later revision."
        ),
        "zh": (
            "有意的改名（`-x rename=old_table:new_table`）在没有运行中的代码使用该表、或允许停机时没有问题。"
            "不停机时请分步进行：先创建新表，部署同时写两张表的代码，回填数据（`alembic_guardrails.backfill`），"
            "把读取切换到新表，最后在之后的迁移中删除旧表。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if isinstance(op, ops.RenameTableOp) and context.existing(op.table_name):
        yield RULE.finding(op.table_name, new=op.new_table_name)

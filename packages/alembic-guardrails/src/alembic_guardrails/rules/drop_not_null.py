"""NOT NULL dropped: the data is fine, but code that reads the column meets NULL from now on."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="drop-not-null",
    verdict="review",
    dialects=DIALECTS,
    authority="squawk: ban-drop-not-null",
    message={
        "en": "drop NOT NULL: code that reads this column must now handle NULL",
        "zh": "去掉 NOT NULL：读取这一列的代码从此必须处理 NULL",
    },
    safe={
        "en": "Deploy code that handles NULL in this column before the revision runs.",
        "zh": "在迁移运行之前，先部署能处理这一列为 NULL 的代码。",
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if isinstance(op, ops.AlterColumnOp) and op.modify_nullable is True and op.existing_nullable is False:
        yield RULE.finding(op.table_name, op.column_name)

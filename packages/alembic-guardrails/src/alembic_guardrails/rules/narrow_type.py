"""A type change to a narrower type: values that no longer fit fail the upgrade or are cut."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from .._narrowing import narrows
from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="narrow-type",
    verdict="refuse",
    dialects=DIALECTS,
    authority="strong_migrations: Changing the type of a column / squawk: changing-column-type",
    message={
        "en": "narrow type {old} -> {new}",
        "zh": "收窄类型 {old} -> {new}",
    },
    safe={
        "en": (
            "Check that every stored value fits the new type (the longest string, the largest number, "
            "no removed Enum value), then re-run with `-x allow_destructive=true`. Or add a column of the "
            "new type, copy the values that fit, switch the code to it and drop the old column."
        ),
        "zh": (
            "先确认每个已有值都能放进新类型（最长的字符串、最大的数字、没有被删除的 Enum 取值），"
            "再加上 `-x allow_destructive=true` 重新运行。或者新增一列新类型，复制能放下的值，"
            "让代码改用新列，再删除旧列。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if (
        isinstance(op, ops.AlterColumnOp)
        and op.modify_type is not None
        and narrows(op.existing_type, op.modify_type, context.dialect)
    ):
        yield RULE.finding(op.table_name, op.column_name, old=str(op.existing_type), new=str(op.modify_type))

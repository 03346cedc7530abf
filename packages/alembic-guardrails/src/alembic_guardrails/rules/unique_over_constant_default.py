"""A unique constraint over columns added with one constant default: two rows already collide."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from alembic.operations import ops
from sqlalchemy import DefaultClause

from ._operations import same_default_for_every_row, unique_columns
from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="unique-over-constant-default",
    verdict="refuse",
    dialects=DIALECTS,
    authority="django: ask_unique_callable_default_addition",
    message={
        "en": (
            "add column with server default {default} under unique {name}: every existing row gets the same "
            "value, so the upgrade fails once the table has two rows; add the column without the default "
            "(NULLs never collide), fill distinct values, then add the unique constraint"
        ),
        "zh": (
            "新增带服务端默认值 {default} 的列并加上唯一约束 {name}：每一行已有数据都会得到同一个值，"
            "表中有两行时升级就会失败；请先不带默认值加入该列（NULL 之间不冲突），填入互不相同的值，再加唯一约束"
        ),
    },
    safe={
        "en": (
            "Add the column without the default (NULLs never collide), give every row a distinct value "
            "(`alembic_guardrails.backfill`), then add the unique constraint in a later revision. A default "
            "evaluated per row, such as `gen_random_uuid()`, is fine."
        ),
        "zh": (
            "先不带默认值加入该列（NULL 之间不冲突），为每一行填入互不相同的值（`alembic_guardrails.backfill`），"
            "再在之后的迁移中加唯一约束。按行求值的默认值（例如 `gen_random_uuid()`）没有问题。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    unique = unique_columns(op)
    if unique is None:
        return
    table, name, columns = unique
    added = context.added_columns
    new_columns = [added[(table, column)] for column in columns if (table, column) in added]
    # Every column of the constraint is new, and each gives every row one same value.
    if len(new_columns) == len(columns) and all(map(same_default_for_every_row, new_columns)):
        for column in new_columns:
            default = str(cast(DefaultClause, column.server_default).arg)
            yield RULE.finding(table, column.name, name=name, default=default)

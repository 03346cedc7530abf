"""A column added with a default evaluated per row: PostgreSQL rewrites the table to fill it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from alembic.operations import ops
from sqlalchemy import DefaultClause

from ._operations import is_volatile
from ._rule import Context, Finding, Rule

RULE = Rule(
    id="volatile-default-rewrites-table",
    verdict="review",
    dialects=("postgresql",),
    authority="strong_migrations: Adding a column with a volatile default value",
    message={
        "en": (
            "server default {default} is evaluated per row: PostgreSQL rewrites the whole table to add the column"
        ),
        "zh": "服务端默认值 {default} 按行求值：PostgreSQL 为新增这一列会重写整张表",
    },
    safe={
        "en": (
            "Add the column without the default, set the default in a second step (it then applies to new "
            "rows only), and fill the existing rows in batches (`alembic_guardrails.backfill`)."
        ),
        "zh": (
            "先不带默认值新增该列，再单独设置默认值（之后只作用于新行），"
            "已有行分批填入（`alembic_guardrails.backfill`）。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if not (isinstance(op, ops.AddColumnOp) and context.existing(op.table_name)):
        return
    default = op.column.server_default
    if context.dialect == "postgresql" and is_volatile(default):
        yield RULE.finding(op.table_name, op.column.name, default=str(cast(DefaultClause, default).arg))

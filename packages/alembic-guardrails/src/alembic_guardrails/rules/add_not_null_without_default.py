"""A NOT NULL column without a server default added to a table that has rows."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="add-not-null-without-default",
    verdict="refuse",
    dialects=DIALECTS,
    authority="django: ask_not_null_addition / squawk: adding-required-field",
    message={
        "en": (
            "add NOT NULL column without a server default (PostgreSQL and SQLite fail if the table has rows; "
            "MySQL/MariaDB silently fill them with '' or 0): give it a server_default, "
            "or add it nullable, backfill, then make it NOT NULL"
        ),
        "zh": (
            "新增 NOT NULL 列但没有服务端默认值（表中已有数据时 PostgreSQL 和 SQLite 会失败，"
            "MySQL/MariaDB 会悄悄填入 '' 或 0）：请给它 server_default，"
            "或者先以可空列加入、回填数据，再改为 NOT NULL"
        ),
    },
    safe={
        "en": (
            "Give the column a `server_default` (existing rows get it), or add it nullable, fill it "
            "(`alembic_guardrails.backfill` for a large table), then make it NOT NULL in a later revision."
        ),
        "zh": (
            "给这一列加上 `server_default`（已有行会得到该值），或者先以可空列加入、填好数据"
            "（大表用 `alembic_guardrails.backfill`），再在之后的迁移中改为 NOT NULL。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if not (isinstance(op, ops.AddColumnOp) and context.existing(op.table_name)):
        return
    column = op.column
    # Identity() and Computed() are server defaults too: those columns are add-identity-column's
    # and the rewrite rules' to judge.
    if not column.nullable and column.server_default is None and not column.primary_key:
        yield RULE.finding(op.table_name, column.name)

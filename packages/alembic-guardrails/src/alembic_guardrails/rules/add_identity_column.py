"""An identity column added to a table that has rows: only PostgreSQL numbers them."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import Context, Finding, Rule

RULE = Rule(
    id="add-identity-column",
    verdict="refuse",
    dialects=("mysql", "sqlite"),
    authority="strong_migrations: Adding an auto-incrementing column",
    message={
        "en": (
            "add identity column to a table that has rows: only PostgreSQL numbers the existing rows "
            "(SQLite fails; MySQL/MariaDB drop Identity() and fill 0): add it nullable, backfill, "
            "then make it NOT NULL"
        ),
        "zh": (
            "向已有数据的表新增标识列（identity）：只有 PostgreSQL 会为已有行编号"
            "（SQLite 会失败；MySQL/MariaDB 会丢掉 Identity() 并填入 0）：请先以可空列加入、回填数据，再改为 NOT NULL"
        ),
    },
    safe={
        "en": (
            "Add the column nullable and without `Identity()`, give every row its number in batches "
            "(`alembic_guardrails.backfill`), then make it NOT NULL in a later revision."
        ),
        "zh": (
            "先以可空列、不带 `Identity()` 加入该列，分批为每一行填上编号（`alembic_guardrails.backfill`），"
            "再在之后的迁移中改为 NOT NULL。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if not (isinstance(op, ops.AddColumnOp) and context.existing(op.table_name)):
        return
    # SQLAlchemy drops Identity() on MySQL/MariaDB; SQLite cannot number the rows it already has.
    if op.column.identity is not None and context.dialect != "postgresql":
        yield RULE.finding(op.table_name, op.column.name)

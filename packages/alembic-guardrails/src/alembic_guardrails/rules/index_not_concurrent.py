"""An index built on a live PostgreSQL table without CONCURRENTLY: writes wait for the build."""

from __future__ import annotations

import re
from collections.abc import Iterator

from alembic.operations import ops
from sqlalchemy.sql.elements import TextClause

from ._rule import Context, Finding, Rule

RULE = Rule(
    id="index-not-concurrent",
    verdict="review",
    dialects=("postgresql",),
    authority=(
        "squawk: require-concurrent-index-creation / strong_migrations: Adding an index non-concurrently"
    ),
    message={
        "en": "index {name} built without CONCURRENTLY: PostgreSQL blocks writes to the table while it builds",
        "zh": "索引 {name} 没有使用 CONCURRENTLY 创建：建索引期间 PostgreSQL 会阻塞对该表的写入",
    },
    safe={
        "en": (
            "Keep `postgresql_safe_ddl = true` (the default): autogenerate then writes "
            "`CREATE INDEX CONCURRENTLY` in an `autocommit_block()`. By hand: "
            "`op.create_index(..., postgresql_concurrently=True)` inside "
            "`with op.get_context().autocommit_block():`."
        ),
        "zh": (
            "保持 `postgresql_safe_ddl = true`（默认）：autogenerate 会在 `autocommit_block()` 中写出 "
            "`CREATE INDEX CONCURRENTLY`。手写时：在 `with op.get_context().autocommit_block():` 中调用 "
            "`op.create_index(..., postgresql_concurrently=True)`。"
        ),
    },
)


# Raw SQL: `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON [ONLY] table` without CONCURRENTLY. A
# pattern over the text of op.execute(), not a parser: it reads these statements as written,
# so an index of a statement built otherwise (a DO block, SQL from a variable's formatting) is
# not seen. squawk (lint hands it raw SQL when it is on PATH) parses them.
RAW_CREATE_INDEX = re.compile(
    r"(?:^|;)\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY\b)(?:IF\s+NOT\s+EXISTS\s+)?"
    r'(?:"?(\w+)"?\s+)?ON\s+(?:ONLY\s+)?(?:"?\w+"?\.)?"?(\w+)"?',
    re.IGNORECASE,
)


def raw_indexes(sql: str) -> list[tuple[str, str]]:
    """(index name, table) of each CREATE INDEX without CONCURRENTLY in `sql` (an unnamed one: "")."""
    return [(name or "", table) for name, table in RAW_CREATE_INDEX.findall(sql)]


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if context.dialect != "postgresql":
        return
    # `online`: migrations.online_ddl writes the index CONCURRENTLY, so there is nothing to say.
    if (
        isinstance(op, ops.CreateIndexOp)
        and context.existing(op.table_name)
        and not context.online
        and not op.kw.get("postgresql_concurrently")
    ):
        yield RULE.finding(op.table_name, name=op.index_name)
    elif isinstance(op, ops.ExecuteSQLOp) and isinstance(op.sqltext, (str, TextClause)):
        for name, table in raw_indexes(str(op.sqltext)):
            if context.existing(table):
                yield RULE.finding(table, name=name or "(unnamed)")

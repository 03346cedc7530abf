"""A type change MySQL/MariaDB make by copying the whole table (ALGORITHM=COPY)."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops
from sqlalchemy import types as sqltypes

from ._operations import both, type_change
from ._rule import Context, Finding, Rule

# A VARCHAR's length prefix is 1 byte up to 255 bytes: utf8mb4 takes up to 4 bytes a character.
ONE_BYTE_PREFIX = 255
BYTES_PER_CHARACTER = 4

RULE = Rule(
    id="type-change-copies-table",
    verdict="review",
    dialects=("mysql",),
    authority=(
        "strong_migrations: Changing the type of a column / the MySQL manual (Online DDL Operations: "
        "extending VARCHAR column size is in place while the length prefix stays 1 byte)"
    ),
    message={
        "en": "type {old} -> {new} copies the whole table on MySQL/MariaDB, blocking writes meanwhile",
        "zh": "类型 {old} -> {new} 在 MySQL/MariaDB 上会复制整张表，期间阻塞写入",
    },
    safe={
        "en": (
            "Run it while the table is small or traffic is low, or with an online schema change tool "
            "(gh-ost, pt-online-schema-change). A VARCHAR grows in place up to 63 characters (255 bytes "
            "in utf8mb4)."
        ),
        "zh": (
            "在表还小或流量低时运行，或者使用在线改表工具（gh-ost、pt-online-schema-change）。"
            "VARCHAR 在 63 个字符（utf8mb4 下 255 字节）以内可以原地加长。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if not isinstance(op, ops.AlterColumnOp) or context.dialect != "mysql":
        return
    change = type_change(op, context.dialect)
    if change is None:
        return
    old, new = change
    strings = both(old, new, sqltypes.String) and not both(old, new, sqltypes.Enum)
    if strings and old.length and new.length and new.length * BYTES_PER_CHARACTER <= ONE_BYTE_PREFIX:
        return
    yield RULE.finding(op.table_name, op.column_name, old=str(old), new=str(new))

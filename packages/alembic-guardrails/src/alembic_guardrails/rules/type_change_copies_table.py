"""A type change MySQL/MariaDB make by copying the whole table (ALGORITHM=COPY)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from alembic.operations import ops
from sqlalchemy import types as sqltypes

from ._operations import type_change
from ._rule import Context, Finding, Rule

# A VARCHAR's length prefix is 1 byte up to 255 bytes, 2 bytes above; utf8mb4 takes up to 4 bytes a
# character. MySQL extends a VARCHAR in place while the prefix keeps its size (the MySQL manual,
# Online DDL Operations: Extending VARCHAR column size): within 0-255 bytes (up to 63 characters)
# or within 256 bytes and more (from 64 characters up); only crossing from one to the other copies.
ONE_BYTE_PREFIX = 255
BYTES_PER_CHARACTER = 4


RULE = Rule(
    id="type-change-copies-table",
    verdict="review",
    dialects=("mysql",),
    authority=(
        "strong_migrations: Changing the type of a column / the MySQL manual (Online DDL Operations: "
        "extending VARCHAR column size is in place while the length prefix keeps its size, 1 byte up to "
        "255 bytes, 2 bytes above)"
    ),
    message={
        "en": "type {old} -> {new} copies the whole table on MySQL/MariaDB, blocking writes meanwhile",
        "zh": "类型 {old} -> {new} 在 MySQL/MariaDB 上会复制整张表，期间阻塞写入",
    },
    safe={
        "en": (
            "Run it while the table is small or traffic is low, or with an online schema change tool "
            "(gh-ost, pt-online-schema-change). A VARCHAR grows in place while its length prefix keeps its "
            "size: up to 63 characters (255 bytes in utf8mb4), or from 64 characters to any longer length; "
            "only growing across 63 characters copies the table."
        ),
        "zh": (
            "在表还小或流量低时运行，或者使用在线改表工具（gh-ost、pt-online-schema-change）。"
            "VARCHAR 在长度前缀的字节数不变时可以原地加长：63 个字符（utf8mb4 下 255 字节）以内，"
            "或者从 64 个字符加长到任意更长；只有跨越 63 个字符时才会复制整张表。"
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
    if not _in_place(old, new):
        yield RULE.finding(op.table_name, op.column_name, old=str(old), new=str(new))


def _varchar(type_: Any) -> bool:
    # String and its VARCHAR forms; not CHAR (fixed length), TEXT (no length) or ENUM.
    fixed_or_other = (sqltypes.CHAR, sqltypes.Text, sqltypes.Enum)
    return isinstance(type_, sqltypes.String) and not isinstance(type_, fixed_or_other) and bool(type_.length)


def _same_encoding(old: Any, new: Any) -> bool:
    """No character set or collation named on both sides differs (changing either copies the table)."""
    for attribute in ("charset", "collation"):
        before, after = getattr(old, attribute, None), getattr(new, attribute, None)
        if before and after and before != after:
            return False
    return True


def _in_place(old: Any, new: Any) -> bool:
    """A longer VARCHAR whose length prefix keeps its size (narrow-type has the shorter ones)."""
    if not (_varchar(old) and _varchar(new) and _same_encoding(old, new)) or new.length < old.length:
        return False
    one_byte = [int(length) * BYTES_PER_CHARACTER <= ONE_BYTE_PREFIX for length in (old.length, new.length)]
    return one_byte[0] == one_byte[1]

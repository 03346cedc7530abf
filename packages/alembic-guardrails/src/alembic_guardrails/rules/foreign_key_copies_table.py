"""A foreign key added on MySQL/MariaDB: the table is copied (ALGORITHM=COPY), writes wait."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._operations import foreign_key_name, inline_foreign_keys
from ._rule import Context, Finding, Rule

RULE = Rule(
    id="foreign-key-copies-table",
    verdict="review",
    dialects=("mysql",),
    authority=(
        "The MySQL manual (Online DDL Operations: adding a foreign key is in place only with "
        "foreign_key_checks disabled) / strong_migrations: Adding a foreign key"
    ),
    message={
        "en": "add foreign key {name} rewrites the whole table on MySQL/MariaDB (ALGORITHM=COPY), blocking writes",
        "zh": "新增外键 {name} 在 MySQL/MariaDB 上会复制整张表（ALGORITHM=COPY），期间阻塞写入",
    },
    safe={
        "en": (
            "Add it while the table is small or traffic is low, or with an online schema change tool "
            "(gh-ost, pt-online-schema-change). MySQL adds it in place only with `foreign_key_checks` "
            "disabled, which leaves the existing rows unchecked."
        ),
        "zh": (
            "在表还小或流量低时添加，或者使用在线改表工具（gh-ost、pt-online-schema-change）。"
            "MySQL 只有在关闭 `foreign_key_checks` 时才原地添加外键，而那样已有行不会被检查。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if context.dialect not in ("mysql", "mariadb"):
        return
    if isinstance(op, ops.CreateForeignKeyOp):
        yield RULE.finding(op.source_table, name=op.constraint_name)
    elif isinstance(op, ops.AddColumnOp) and context.existing(op.table_name):
        # `op.add_column(..., sa.Column(..., sa.ForeignKey(...)))`: the key is added after the column.
        for foreign_key in inline_foreign_keys(op, context.upgrade_ops):
            yield RULE.finding(
                op.table_name, op.column.name, name=foreign_key_name(foreign_key, op.column.name)
            )

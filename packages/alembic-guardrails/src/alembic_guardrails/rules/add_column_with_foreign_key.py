"""A column added with its foreign key in one go: the key is validated with both tables locked."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._operations import foreign_key_name, inline_foreign_keys, not_valid
from ._rule import Context, Finding, Rule

RULE = Rule(
    id="add-column-with-foreign-key",
    verdict="review",
    dialects=("postgresql",),
    authority=(
        "strong_migrations: Adding a foreign key (add_reference with foreign_key: true) / "
        "squawk: adding-foreign-key-constraint, constraint-missing-not-valid"
    ),
    message={
        "en": (
            "column added with foreign key {name} on a table that has rows: the key is validated with both "
            "tables locked (SHARE ROW EXCLUSIVE, writes blocked); add the column first, then the key NOT VALID "
            "and VALIDATE it separately"
        ),
        "zh": (
            "在已有数据的表上新增列的同时新增外键 {name}：校验外键时两张表都被锁住（SHARE ROW EXCLUSIVE，写入被阻塞）；"
            "请先加列，再以 NOT VALID 添加外键并单独 VALIDATE"
        ),
    },
    safe={
        "en": (
            "Add the column without `sa.ForeignKey`, then the key with "
            "`op.create_foreign_key(..., postgresql_not_valid=True)` (no row is checked), and `VALIDATE "
            "CONSTRAINT` it in `with op.get_context().autocommit_block():` or a later revision: VALIDATE "
            "checks the rows without blocking writes. Autogenerate with `postgresql_safe_ddl = true` (the "
            "default) writes it that way."
        ),
        "zh": (
            "先不带 `sa.ForeignKey` 新增该列，再用 `op.create_foreign_key(..., postgresql_not_valid=True)` "
            "添加外键（不检查任何行），然后在 `with op.get_context().autocommit_block():` 或之后的迁移中 "
            "`VALIDATE CONSTRAINT`：VALIDATE 检查已有行时不阻塞写入。`postgresql_safe_ddl = true`（默认）时 "
            "autogenerate 就是这样写的。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if not (
        isinstance(op, ops.AddColumnOp)
        and context.dialect == "postgresql"
        and context.existing(op.table_name)
    ):
        return
    for foreign_key in inline_foreign_keys(op, context.upgrade_ops):
        if not not_valid(foreign_key):
            yield RULE.finding(
                op.table_name, op.column.name, name=foreign_key_name(foreign_key, op.column.name)
            )

"""A foreign key added to a table that has rows: every row is checked under locks."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import Context, Finding, Rule

RULE = Rule(
    id="add-foreign-key",
    verdict="review",
    dialects=("postgresql", "sqlite"),
    authority=(
        "squawk: constraint-missing-not-valid, adding-foreign-key-constraint / "
        "strong_migrations: Adding a foreign key"
    ),
    message={
        "en": (
            "foreign key {name} on a table that has rows: every row is checked with both tables locked "
            "(on PostgreSQL, add it NOT VALID and VALIDATE it separately)"
        ),
        "zh": (
            "在已有数据的表上新增外键 {name}：会在锁住两张表的情况下检查每一行"
            "（PostgreSQL 上请先以 NOT VALID 添加，再单独 VALIDATE）"
        ),
    },
    # SQLite neither locks the tables nor checks the rows against the key: batch mode copies the table.
    message_on={
        "sqlite": {
            "en": (
                "foreign key {name} on a table that has rows: batch mode copies the whole table to add it; "
                "SQLite does not check the existing rows against the key (with PRAGMA foreign_keys=ON, a row "
                "whose parent is missing fails the copy)"
            ),
            "zh": (
                "在已有数据的表上新增外键 {name}：batch 模式会复制整张表来添加它；SQLite 不会用这个外键检查已有的行"
                "（若开启 PRAGMA foreign_keys=ON，找不到父行的行会让复制失败）"
            ),
        },
    },
    safe={
        "en": (
            "On PostgreSQL keep `postgresql_safe_ddl = true` (the default): the key is added `NOT VALID`, then "
            "validated in a step of its own that does not block writes. By hand: "
            "`op.create_foreign_key(..., postgresql_not_valid=True)`, then `VALIDATE CONSTRAINT` in "
            "`with op.get_context().autocommit_block():` or a later revision. On SQLite the batch mode copies the "
            "table: run it while the table is small or traffic is low."
        ),
        "zh": (
            "在 PostgreSQL 上保持 `postgresql_safe_ddl = true`（默认）：外键先以 `NOT VALID` 添加，"
            "再在单独一步中 VALIDATE，不阻塞写入。手写时：先 `op.create_foreign_key(..., postgresql_not_valid=True)`，"
            "再在 `with op.get_context().autocommit_block():` 或之后的迁移中 `VALIDATE CONSTRAINT`。在 SQLite 上 batch 模式会复制整张表："
            "请在表还小或流量低时运行。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    # `online`: written NOT VALID, then validated (migrations.online_ddl); typed
    # `postgresql_not_valid=True` is the same first step, and checks no row. MySQL/MariaDB copy the
    # table to add the key: foreign-key-copies-table says so.
    if (
        isinstance(op, ops.CreateForeignKeyOp)
        and context.existing(op.source_table)
        and not context.online
        and context.dialect != "mysql"
        and not (context.dialect == "postgresql" and op.kw.get("postgresql_not_valid"))
    ):
        yield RULE.finding(op.source_table, name=op.constraint_name, dialect=context.dialect)

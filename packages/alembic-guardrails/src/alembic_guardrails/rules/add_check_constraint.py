"""A CHECK constraint added to a table that has rows: every row is checked while the table is locked."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import Context, Finding, Rule

RULE = Rule(
    id="add-check-constraint",
    verdict="review",
    dialects=("postgresql", "mysql"),
    authority=(
        "strong_migrations: Adding a check constraint (blocks reads and writes on PostgreSQL, writes on "
        "MySQL/MariaDB, while every row is checked) / squawk: constraint-missing-not-valid"
    ),
    message={
        "en": (
            "check constraint {name} on a table that has rows: every row is checked with the table locked "
            "(on PostgreSQL, add it NOT VALID and VALIDATE it separately)"
        ),
        "zh": (
            "在已有数据的表上新增检查约束 {name}：会在锁表的情况下检查每一行"
            "（PostgreSQL 上请先以 NOT VALID 添加，再单独 VALIDATE）"
        ),
    },
    safe={
        "en": (
            "On PostgreSQL: `op.create_check_constraint(..., postgresql_not_valid=True)` (no row is checked, "
            "new rows are), then `ALTER TABLE ... VALIDATE CONSTRAINT ...` in "
            "`with op.get_context().autocommit_block():` or a later revision: VALIDATE checks the rows "
            "without blocking reads or writes. MySQL/MariaDB have no NOT VALID: add it while the table is "
            "small or traffic is low, or with an online schema change tool (gh-ost, pt-online-schema-change)."
        ),
        "zh": (
            "在 PostgreSQL 上：先 `op.create_check_constraint(..., postgresql_not_valid=True)`（不检查已有行，"
            "只检查新行），再在 `with op.get_context().autocommit_block():` 或之后的迁移中执行 "
            "`ALTER TABLE ... VALIDATE CONSTRAINT ...`：VALIDATE 检查已有行时不阻塞读写。MySQL/MariaDB "
            "没有 NOT VALID：请在表还小或流量低时添加，或者使用在线改表工具（gh-ost、pt-online-schema-change）。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if not (isinstance(op, ops.CreateCheckConstraintOp) and context.existing(op.table_name)):
        return
    if context.dialect == "postgresql" and op.kw.get("postgresql_not_valid"):
        return  # checks no row: its VALIDATE later is the step that scans, without blocking
    if context.dialect in ("postgresql", "mysql"):
        yield RULE.finding(op.table_name, name=op.constraint_name)

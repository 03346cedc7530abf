"""A dropped column: its values are gone, and code still selecting it fails."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from .._messages import text
from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="drop-column",
    verdict="refuse",
    dialects=DIALECTS,
    authority="squawk: ban-drop-column / strong_migrations: Removing a column",
    message={
        "en": "drop column (its values are lost)",
        "zh": "删除列（其中的数据将丢失）",
    },
    safe={
        "en": (
            "Retire it first: in the model, delete the column's attribute and add "
            '`__table_args__ = retire("<column>")` (`from alembic_guardrails import retire`); autogenerate '
            "then leaves the column in the database and the code stops reading and writing it. Once that code "
            "is live everywhere, write the drop as a post-deploy revision: `alembic revision --autogenerate "
            '-x post_deploy=true -m "drop <table>.<column>"` (applied by `alembic -x phase=post upgrade head`). '
            "Or deploy the code without the column first (SQLAlchemy selects every mapped column, so code "
            "that still maps it fails once it is gone), then re-run with `-x allow_destructive=true`. "
            "A rename is not a drop: re-run with `-x rename=table.old_column:new_column` "
            "(`op.alter_column(..., new_column_name=...)`)."
        ),
        "zh": (
            '先让它退役：在模型中删掉这一列的属性，加上 `__table_args__ = retire("<column>")`'
            "（`from alembic_guardrails import retire`）；autogenerate 会把这一列留在数据库里，代码不再读写它。"
            "等这版代码全部上线后，再用部署后迁移删除它：`alembic revision --autogenerate -x post_deploy=true "
            '-m "drop <table>.<column>"`（由 `alembic -x phase=post upgrade head` 执行）。'
            "或者先部署不再包含这一列的代码（SQLAlchemy 会查询每个映射的列，仍映射它的代码在列删除后会出错），"
            "再加上 `-x allow_destructive=true` 重新运行。改名不是删除：请加上 "
            "`-x rename=table.old_column:new_column` 重新运行（`op.alter_column(..., new_column_name=...)`）。"
        ),
    },
)


def _rename_hint(op: ops.DropColumnOp, upgrade_ops: ops.OpContainer) -> str:
    """A column added to the same table in the same revision may be this one renamed: show the rewrite."""
    for container in upgrade_ops.ops:
        if isinstance(container, ops.ModifyTableOps) and container.table_name == op.table_name:
            for other in container.ops:
                if isinstance(other, ops.AddColumnOp):
                    return " " + text(
                        "maybe_rename_column", table=op.table_name, old=op.column_name, new=other.column.name
                    )
    return ""


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if isinstance(op, ops.DropColumnOp) and id(op) not in context.retired_drops:
        yield RULE.finding(op.table_name, op.column_name, hint=_rename_hint(op, context.upgrade_ops))

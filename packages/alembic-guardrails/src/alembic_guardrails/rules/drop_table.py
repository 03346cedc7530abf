"""A dropped table: its rows are gone, and code still using it fails."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from .._messages import text
from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="drop-table",
    verdict="refuse",
    dialects=DIALECTS,
    authority="squawk: ban-drop-table",
    message={
        "en": "drop table (its rows are lost)",
        "zh": "删除表（其中的数据将丢失）",
    },
    safe={
        "en": (
            "Deploy code that no longer uses the table first, then re-run with `-x allow_destructive=true`. "
            "A rename is not a drop: re-run with `-x rename=old_table:new_table` (`op.rename_table`)."
        ),
        "zh": (
            "先部署不再使用这张表的代码，再加上 `-x allow_destructive=true` 重新运行。"
            "改名不是删除：请加上 `-x rename=old_table:new_table` 重新运行（`op.rename_table`）。"
        ),
    },
)


def _rename_hint(op: ops.DropTableOp, upgrade_ops: ops.OpContainer) -> str:
    """A table created in the same revision may be this one renamed: show the rewrite."""
    for other in upgrade_ops.ops:
        if isinstance(other, ops.CreateTableOp):
            return " " + text("maybe_rename_table", old=op.table_name, new=other.table_name)
    return ""


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if isinstance(op, ops.DropTableOp):
        yield RULE.finding(op.table_name, hint=_rename_hint(op, context.upgrade_ops))

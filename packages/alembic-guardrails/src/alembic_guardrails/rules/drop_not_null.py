"""NOT NULL dropped: the data is fine, but code that reads the column meets NULL from now on."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from .._messages import in_language
from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="drop-not-null",
    verdict="review",
    dialects=DIALECTS,
    authority="squawk: ban-drop-not-null",
    message={
        "en": "drop NOT NULL: code that reads this column must now handle NULL",
        "zh": "去掉 NOT NULL：读取这一列的代码从此必须处理 NULL",
    },
    safe={
        "en": (
            "Deploy code that handles NULL in this column before the revision runs. In a hand-written "
            "`op.alter_column(..., nullable=True)` on a column that already allows NULL, say so with "
            "`existing_nullable=True`."
        ),
        "zh": (
            "在迁移运行之前，先部署能处理这一列为 NULL 的代码。手写的 `op.alter_column(..., nullable=True)` "
            "如果作用于本来就允许 NULL 的列，请写上 `existing_nullable=True` 说明。"
        ),
    },
)

# A typed alter_column that does not say whether the column was NOT NULL (autogenerate always does).
UNKNOWN = {
    "en": " (existing_nullable not given: if the column already allows NULL, write existing_nullable=True)",
    "zh": "（未给出 existing_nullable：如果该列本来就允许 NULL，请写上 existing_nullable=True）",
}


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    # Autogenerate fills in existing_nullable; a hand-written nullable=True without it most likely
    # drops a NOT NULL (on a nullable column it would change nothing).
    if isinstance(op, ops.AlterColumnOp) and op.modify_nullable is True and op.existing_nullable is not True:
        hint = in_language(UNKNOWN) if op.existing_nullable is None else ""
        yield RULE.finding(op.table_name, op.column_name, hint=hint)

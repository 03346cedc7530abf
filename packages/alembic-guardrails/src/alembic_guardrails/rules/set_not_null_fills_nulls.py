"""NOT NULL on a column with a server default: the revision first sets its NULL rows to it."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._operations import has_server_default
from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="set-not-null-fills-nulls",
    verdict="review",
    dialects=DIALECTS,
    authority="django: ask_not_null_alteration (the rows that are NULL get the default first)",
    message={
        "en": "NOT NULL with a server default: the revision first sets the rows that are NULL to the default",
        "zh": "带服务端默认值的 NOT NULL：迁移会先把为 NULL 的行设为默认值",
    },
    safe={
        "en": (
            "Nothing to change: the revision runs `UPDATE ... SET <column> = <default> WHERE <column> IS NULL` "
            "before NOT NULL. On a large table, fill the NULLs in batches in an earlier revision "
            "(`alembic_guardrails.backfill`), so that this UPDATE finds nothing to lock."
        ),
        "zh": (
            "无需改动：迁移会在 NOT NULL 之前执行 `UPDATE ... SET <列> = <默认值> WHERE <列> IS NULL`。"
            "大表请在更早的迁移中分批填好 NULL 行（`alembic_guardrails.backfill`），让这条 UPDATE 无行可锁。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    # The fill itself: _rewrites.fill_nulls_before_not_null.
    if (
        isinstance(op, ops.AlterColumnOp)
        and op.modify_nullable is False
        and op.existing_nullable is not False
        and has_server_default(op)
    ):
        yield RULE.finding(op.table_name, op.column_name)

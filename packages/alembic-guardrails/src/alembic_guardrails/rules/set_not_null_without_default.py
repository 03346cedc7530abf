"""NOT NULL on an existing column with no server default: the rows that are NULL fail it."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._operations import fills_nulls, has_server_default
from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="set-not-null-without-default",
    verdict="refuse",
    dialects=DIALECTS,
    authority="django: ask_not_null_alteration / strong_migrations: Setting NOT NULL on an existing column",
    message={
        "en": "set NOT NULL without a server default (fails on NULL rows)",
        "zh": "改为 NOT NULL 但没有服务端默认值（已有 NULL 行时会失败）",
    },
    safe={
        "en": (
            "Give the column a `server_default` in the model: the revision then sets the NULL rows to it "
            "before NOT NULL (set-not-null-fills-nulls). Or fill the NULLs in an earlier revision "
            "(`alembic_guardrails.backfill` for a large table) and re-run with `-x allow_destructive=true`."
        ),
        "zh": (
            "在模型中给这一列加上 `server_default`：迁移会在改为 NOT NULL 之前先把 NULL 行设为该默认值"
            "（set-not-null-fills-nulls）。或者在更早的迁移中填好 NULL 行（大表用 `alembic_guardrails.backfill`），"
            "再加上 `-x allow_destructive=true` 重新运行。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    # With a server default the NULLs are filled first (_rewrites.fill_nulls_before_not_null).
    if (
        isinstance(op, ops.AlterColumnOp)
        and op.modify_nullable is False
        and op.existing_nullable is not False
        and not has_server_default(op)
        and not fills_nulls(context.upgrade_ops, op.table_name, op.column_name)
        # strong_migrations' recipe: a validated CHECK (column IS NOT NULL) already keeps NULLs out.
        and not context.not_null_proven(op)
    ):
        yield RULE.finding(op.table_name, op.column_name)

"""A unique constraint (or unique index) on a table that has rows: duplicates fail the upgrade."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._operations import unique_columns
from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="unique-constraint-on-existing-rows",
    verdict="review",
    dialects=DIALECTS,
    authority="squawk: disallowed-unique-constraint / strong_migrations: Adding a unique constraint",
    message={
        "en": "unique {name} on a table that has rows: the upgrade fails if existing rows have duplicates",
        "zh": "在已有数据的表上新增唯一约束 {name}：已有行存在重复值时升级会失败",
    },
    safe={
        "en": (
            "Look for duplicates first (`GROUP BY` the columns `HAVING count(*) > 1`) and resolve them in an "
            "earlier revision. On PostgreSQL, with `postgresql_safe_ddl = true`, the revision builds the "
            "unique index CONCURRENTLY and then adds the constraint `USING INDEX`."
        ),
        "zh": (
            "先查找重复值（按这些列 `GROUP BY ... HAVING count(*) > 1`），在更早的迁移中处理掉。"
            "在 PostgreSQL 上，`postgresql_safe_ddl = true` 时迁移会先用 CONCURRENTLY 建唯一索引，"
            "再用 `USING INDEX` 加约束。"
        ),
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    unique = unique_columns(op)
    if unique is None or not context.existing(unique[0]):
        return
    table, name, columns = unique
    if context.dialect == "postgresql" and (
        context.online
        or (
            isinstance(op, ops.CreateIndexOp)
            and op.kw.get("postgresql_concurrently")
            and context.outside_transaction(op)
        )
    ):
        # strong_migrations' safe unique constraint: the unique index built CONCURRENTLY outside the
        # transaction (then `ADD CONSTRAINT ... USING INDEX`), typed or as online DDL writes it.
        # Duplicates fail the build, as they would any form, but no lock is held and nothing else is
        # changed; autogenerate counts them first and the revision asks again (rows-break-constraint).
        return
    # Over columns this revision adds without a default every row holds NULL: NULLs never collide.
    if not all((table, column) in context.all_null for column in columns):
        yield RULE.finding(table, name=name)

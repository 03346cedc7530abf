"""A dropped constraint: no data lost, but the database stops keeping the data valid."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.operations import ops

from ._rule import DIALECTS, Context, Finding, Rule

RULE = Rule(
    id="drop-constraint",
    verdict="review",
    dialects=DIALECTS,
    authority="squawk: ban-drop-constraint",
    message={
        "en": "drop {kind} {name}",
        "zh": "删除 {kind} 约束 {name}",
    },
    safe={
        "en": (
            "Check that nothing relies on it: once it is gone the database no longer rejects duplicates, "
            "orphans or values its check forbade, so the code must keep the data valid itself."
        ),
        "zh": "确认没有东西依赖它：删除之后数据库不再拒绝重复值、孤儿行或检查约束禁止的值，数据的正确性要由代码自己保证。",
    },
)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    # A CHECK (column IS NOT NULL) dropped once its column is NOT NULL (strong_migrations' last
    # step of SET NOT NULL, as lint follows it): the database keeps the NULLs out all the same.
    if isinstance(op, ops.DropConstraintOp) and id(op) not in context.redundant_checks:
        kind = op.constraint_type or "constraint"
        yield RULE.finding(op.table_name, kind=kind, name=op.constraint_name)

"""A type change PostgreSQL makes by rewriting the whole table under an exclusive lock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from alembic.operations import ops
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects import postgresql

from ._operations import both, type_change
from ._rule import Context, Finding, Rule

RULE = Rule(
    id="type-change-rewrites-table",
    verdict="review",
    dialects=("postgresql",),
    authority="squawk: changing-column-type / strong_migrations: Changing the type of a column",
    message={
        "en": "type {old} -> {new} rewrites the whole table under an exclusive lock on PostgreSQL",
        "zh": "类型 {old} -> {new} 在 PostgreSQL 上会在排他锁下重写整张表",
    },
    safe={
        "en": (
            "Run it while the table is small or traffic is low. For a large table, add a column of the new "
            "type, fill it in batches (`alembic_guardrails.backfill`), switch the code to it, then drop the old "
            "column. No rewrite, and no review line, for a longer or unlimited VARCHAR (or TEXT), a NUMERIC of "
            "more precision at the same scale (or unconstrained), more fractional digits of a TIMESTAMP, TIME "
            "or INTERVAL, CIDR -> INET."
        ),
        "zh": (
            "在表还小或流量低时运行。大表请新增一列新类型，分批填入数据（`alembic_guardrails.backfill`），"
            "让代码改用新列，再删除旧列。加长 VARCHAR、去掉长度限制或改为 TEXT，"
            "同一 scale 下增大 NUMERIC 的精度（或去掉限制），增加 TIMESTAMP、TIME、INTERVAL 的小数位，"
            "CIDR 改为 INET：都不重写表，也不会出现这条审查。"
        ),
    },
)


def _text_limit(type_: Any) -> tuple[bool, int | None] | None:
    """(True, length limit or None) for the types PostgreSQL stores as varlena text (VARCHAR,
    TEXT, an Enum that is not native: its VARCHAR); None for the others (CHAR pads, a native
    enum is a type of its own)."""
    if isinstance(type_, sqltypes.Enum):
        return (True, type_.length) if not type_.native_enum else None
    if not isinstance(type_, sqltypes.String) or isinstance(type_, sqltypes.CHAR):
        return None
    return True, None if isinstance(type_, sqltypes.Text) else type_.length


def _fractional(type_: Any) -> int | None:
    """A time type's fractional-second digits; None: unconstrained (PostgreSQL's 6)."""
    digits = getattr(type_, "precision", None)
    return cast("int | None", getattr(type_, "second_precision", None) if digits is None else digits)


def _in_place(old: Any, new: Any) -> bool:
    """PostgreSQL changes only the catalogue, rewriting no row (its manual, ALTER TABLE: a
    binary-coercible change, or a length or precision limit raised or removed), for:

    - VARCHAR(n) -> VARCHAR(m >= n), VARCHAR -> TEXT and back, or an unlimited VARCHAR (not TEXT
      -> VARCHAR(n): every value is checked, the table rewritten; nor CHAR, whose padding changes);
    - NUMERIC(p, s) -> NUMERIC(q >= p, s) at the same scale, or -> an unconstrained NUMERIC;
    - TIMESTAMP / TIME / INTERVAL to more fractional digits, or unconstrained, with the same time
      zone (TIMESTAMP -> TIMESTAMPTZ depends on the session's TimeZone: reviewed);
    - CIDR -> INET.

    Every other change rewrites the table and its indexes (INTEGER -> BIGINT, a new scale, ...).
    """
    old_text, new_text = _text_limit(old), _text_limit(new)
    if old_text and new_text:
        old_limit, new_limit = old_text[1], new_text[1]
        return new_limit is None or (old_limit is not None and new_limit >= old_limit)
    if (
        both(old, new, sqltypes.Numeric)
        and not isinstance(old, sqltypes.Float)
        and not isinstance(new, sqltypes.Float)
    ):
        if new.precision is None:
            return True
        return (
            old.precision is not None
            and (old.scale or 0) == (new.scale or 0)
            and new.precision >= old.precision
        )
    intervals = (sqltypes.Interval, postgresql.INTERVAL)
    for temporal in (sqltypes.DateTime, sqltypes.Time, intervals):
        if isinstance(old, temporal) and isinstance(new, temporal):
            if getattr(old, "timezone", False) != getattr(new, "timezone", False):
                return False
            if getattr(new, "fields", None) is not None:
                return False
            old_digits, new_digits = _fractional(old), _fractional(new)
            return new_digits is None or (old_digits is not None and new_digits >= old_digits)
    return isinstance(old, postgresql.CIDR) and isinstance(new, postgresql.INET)


def check(op: ops.MigrateOperation, context: Context) -> Iterator[Finding]:
    if not isinstance(op, ops.AlterColumnOp) or context.dialect != "postgresql":
        return
    change = type_change(op, context.dialect)
    if change is None or _in_place(*change):
        return
    old, new = change
    yield RULE.finding(op.table_name, op.column_name, old=str(old), new=str(new))

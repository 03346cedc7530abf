"""Questions several rules ask about Alembic's operation objects."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from alembic.operations import ops
from sqlalchemy import DefaultClause
from sqlalchemy import types as sqltypes

from .._narrowing import narrows

# Server defaults that call a VOLATILE function: PostgreSQL evaluates them for each row, so adding
# a column with one rewrites the table. STABLE functions (now(), CURRENT_TIMESTAMP,
# statement_timestamp()...) are evaluated once per statement: PostgreSQL 11+ stores that one value
# and rewrites nothing (the PostgreSQL manual, ALTER TABLE ADD COLUMN; Function Volatility Categories).
VOLATILE_DEFAULTS = (
    "random(",
    "gen_random_uuid(",
    "uuid_generate_",
    "uuidv4(",
    "uuidv7(",
    "clock_timestamp(",
    "timeofday(",
    "nextval(",
)
# Defaults that give each row of one ALTER its own value: PostgreSQL's volatile functions, and
# MySQL's expression defaults that are evaluated per row (UUID(), RAND()). A STABLE function such
# as now() gives every row of the ALTER the same value: that is a constant here.
PER_ROW_DEFAULTS = (*VOLATILE_DEFAULTS, "uuid()", "uuid_short()", "rand(")


def walk(container: Any) -> Iterator[ops.MigrateOperation]:
    """Every operation in the tree: column ops are nested inside ModifyTableOps."""
    for op in container.ops:
        if isinstance(op, ops.OpContainer):
            yield from walk(op)
        else:
            yield op


def created_tables(upgrade_ops: ops.OpContainer) -> set[str]:
    """Tables this revision creates: they hold no rows yet, so nothing on them can fail or block."""
    return {op.table_name for op in upgrade_ops.ops if isinstance(op, ops.CreateTableOp)}


def added_columns(upgrade_ops: ops.OpContainer) -> dict[tuple[str, str], Any]:
    """Columns this revision adds to tables that already exist, by (table, column name)."""
    new_tables = created_tables(upgrade_ops)
    return {
        (op.table_name, op.column.name): op.column
        for op in walk(upgrade_ops)
        if isinstance(op, ops.AddColumnOp) and op.table_name not in new_tables
    }


def unique_columns(op: ops.MigrateOperation) -> tuple[str, str, list[str]] | None:
    """(table, name, column names) of the unique constraint or unique index `op` creates."""
    if isinstance(op, ops.CreateUniqueConstraintOp):
        name = op.constraint_name
    elif isinstance(op, ops.CreateIndexOp) and op.unique:
        name = op.index_name
    else:
        return None
    # Names from autogenerate; Column objects from an Index built in code.
    return op.table_name, str(name), [str(getattr(column, "name", column)) for column in op.columns]


def has_server_default(op: ops.AlterColumnOp) -> bool:
    """The column has a server default, or gets one in this revision."""
    return any(
        default not in (False, None) for default in (op.modify_server_default, op.existing_server_default)
    )


def _calls(default: Any, functions: tuple[str, ...]) -> bool:
    if default is None:
        return False
    sql = str(getattr(default, "arg", default)).lower().replace(" ", "")
    return any(function in sql for function in functions)


def is_volatile(default: Any) -> bool:
    """A server default PostgreSQL evaluates per row when the column is added: the table is
    rewritten (see VOLATILE_DEFAULTS; now() is STABLE, not volatile)."""
    return _calls(default, VOLATILE_DEFAULTS)


def same_default_for_every_row(column: Any) -> bool:
    """A constant server default: every existing row gets the same value. A function like
    gen_random_uuid() gives each row its own (PER_ROW_DEFAULTS); now() gives every row of the ALTER
    the same time; identity and computed values differ per row (no DefaultClause)."""
    return isinstance(column.server_default, DefaultClause) and not _calls(
        column.server_default, PER_ROW_DEFAULTS
    )


def both(old: Any, new: Any, type_: type[Any]) -> bool:
    return isinstance(old, type_) and isinstance(new, type_)


def type_change(op: ops.AlterColumnOp, dialect: str | None) -> tuple[Any, Any] | None:
    """(old type, new type) of a type change that loses nothing (narrow-type refuses the others)
    and may move data: Enum values appended at the end are left out, as PostgreSQL adds them
    with ADD VALUE and MySQL/MariaDB in place."""
    old, new = op.existing_type, op.modify_type
    if old is None or new is None or narrows(old, new, dialect):
        return None
    if both(old, new, sqltypes.Enum) and list(new.enums[: len(old.enums)]) == list(old.enums):
        return None
    return old, new


def fills_nulls(upgrade_ops: ops.OpContainer, table: str, column: str) -> bool:
    """The revision sets the column's NULL rows itself (`UPDATE table SET column = ... WHERE column
    IS NULL`, as `alembic_guardrails.backfill` writes it), so a NOT NULL after it meets no NULL row.

    A validated `CHECK (column IS NOT NULL)` alone proves nothing here: with NULL rows its
    VALIDATE fails the upgrade just as SET NOT NULL would."""
    name = rf'"?{re.escape(column)}"?'
    fill = re.compile(
        rf'UPDATE\s+"?{re.escape(table)}"?\s+SET\s+(.*?\b)?{name}\s*=.*\bWHERE\s+{name}\s+IS\s+NULL',
        re.IGNORECASE | re.DOTALL,
    )
    return any(fill.search(str(op.sqltext)) for op in walk(upgrade_ops) if isinstance(op, ops.ExecuteSQLOp))


def inline_foreign_keys(op: ops.MigrateOperation, upgrade_ops: ops.OpContainer) -> list[Any]:
    """The ForeignKeys of a column `op` adds (`sa.Column(..., sa.ForeignKey(...))` in
    `op.add_column`) that Alembic adds with the column, as ALTER TABLE ... ADD CONSTRAINT.

    Autogenerate's AddColumnOp holds the model's column, foreign keys and all, but writes each key
    as a create_foreign_key of its own: a key the revision also creates that way is left out."""
    if not isinstance(op, ops.AddColumnOp):
        return []
    name = op.column.name
    separate = any(
        isinstance(other, ops.CreateForeignKeyOp)
        and other.source_table == op.table_name
        and name in (other.local_cols or ())
        for other in walk(upgrade_ops)
    )
    return [] if separate else list(op.column.foreign_keys)


def foreign_key_name(foreign_key: Any, column: str) -> str:
    """The key's name, else `column -> target` (an unnamed key gets its name from the database)."""
    if foreign_key.name:
        return str(foreign_key.name)
    try:
        target = foreign_key.target_fullname
    except Exception:
        target = "?"
    return f"{column} -> {target}"


def not_valid(foreign_key: Any) -> bool:
    """`sa.ForeignKey(..., postgresql_not_valid=True)`: added NOT VALID, no row is checked."""
    constraint = foreign_key.constraint
    options = dict(getattr(foreign_key, "_unvalidated_dialect_kw", None) or {})
    if constraint is not None:
        options.update(constraint.dialect_kwargs)
    return bool(options.get("postgresql_not_valid"))

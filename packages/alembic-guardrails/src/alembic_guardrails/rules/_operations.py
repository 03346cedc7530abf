"""Questions several rules ask about Alembic's operation objects."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from alembic.operations import ops
from sqlalchemy import DefaultClause
from sqlalchemy import types as sqltypes

from .._narrowing import narrows

# Server defaults PostgreSQL evaluates per row: adding a column with one rewrites the table.
VOLATILE_DEFAULTS = (
    "random(",
    "gen_random_uuid(",
    "uuid_generate_",
    "clock_timestamp(",
    "now(",
    "timeofday(",
)


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


def is_volatile(default: Any) -> bool:
    """A server default evaluated per row (see VOLATILE_DEFAULTS)."""
    if default is None:
        return False
    sql = str(getattr(default, "arg", default)).lower().replace(" ", "")
    return any(function in sql for function in VOLATILE_DEFAULTS)


def same_default_for_every_row(column: Any) -> bool:
    """A constant server default: every existing row gets the same value (a function like
    gen_random_uuid() gives each row its own; identity and computed values differ per row)."""
    return isinstance(column.server_default, DefaultClause) and not is_volatile(column.server_default)


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


def proves_not_null(upgrade_ops: ops.OpContainer, table: str, column: str) -> bool:
    """The revision validates a `CHECK (column IS NOT NULL)` on the table itself (PostgreSQL's
    documented path to SET NOT NULL, as `helpers.set_not_null` writes it): no NULL row gets past
    that VALIDATE, so the NOT NULL after it cannot fail on one."""
    check = re.compile(
        rf'ALTER\s+TABLE\s+"?{re.escape(table)}"?\s+ADD\s+CONSTRAINT\s+"?(\w+)"?\s+'
        rf'CHECK\s*\(\s*"?{re.escape(column)}"?\s+IS\s+NOT\s+NULL\s*\)',
        re.IGNORECASE,
    )
    statements = [str(op.sqltext) for op in walk(upgrade_ops) if isinstance(op, ops.ExecuteSQLOp)]
    for statement in statements:
        added = check.search(statement)
        if added is None:
            continue
        if " NOT VALID" not in statement.upper():
            return True  # validated as it is added
        validate = re.compile(rf"VALIDATE\s+CONSTRAINT\s+\"?{re.escape(added[1])}\b", re.IGNORECASE)
        if any(validate.search(other) for other in statements):
            return True
    return False

"""Enum value changes autogenerate cannot see by itself (sqlalchemy/alembic#278).

`add_enum_changes` runs inside autogenerate's comparison, as a comparator of the
alembic_guardrails autogenerate plugin (_plugin.py), after Alembic compared the
tables; it adds to the upgrade operations only (Alembic writes the downgrade by
reversing them):

- native PostgreSQL enums: an added value becomes `AddEnumValuesOp` (ALTER TYPE
  ... ADD VALUE outside the revision's transaction, no table rewrite); any other
  change becomes `ReplaceEnumOp`, an AlterColumnOp from the old Enum to the new
  one (the guards refuse a removal), which recreates the type;
- non-native Enums (VARCHAR, maybe a CHECK) on every database: the values the
  CHECK allows, and the values rows hold, against the models' values.

MySQL/MariaDB native ENUM columns are compared by Alembic itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

from alembic.autogenerate import renderers
from alembic.autogenerate.api import AutogenContext
from alembic.operations import ops
from sqlalchemy import Connection, Enum, MetaData, String, Table, inspect, select, text
from sqlalchemy import column as sqlcolumn
from sqlalchemy import table as sqltable
from sqlalchemy.engine import Inspector

from ._guards import walk

# The values inside a CHECK (col IN ('a', 'b')) as the database gives it back.
QUOTED = re.compile(r"'((?:[^']|'')*)'")
# How many values outside the enum to name when rows hold some.
SAMPLE = 5
# (table, column, server default SQL) of a column of a PostgreSQL enum type.
EnumUser = tuple[str, str, str | None]


def add_enum_changes(
    connection: Connection, metadata: MetaData | Sequence[MetaData], upgrade_ops: ops.UpgradeOps
) -> None:
    """Add the enum value changes autogenerate cannot see to the upgrade operations."""
    inspector = inspect(connection)
    backend = connection.dialect.name
    tables = set(inspector.get_table_names())
    native = _native_enums(connection) if backend == "postgresql" else {}
    compared_types: set[str] = set()
    for table in _tables(metadata):
        enum_columns = [c for c in table.columns if isinstance(c.type, Enum) and c.type.enums]
        if not enum_columns or table.schema is not None or table.name not in tables:
            continue
        in_database = {column["name"]: column["type"] for column in inspector.get_columns(table.name)}
        for column in enum_columns:
            type_: Any = column.type  # an Enum: enum_columns holds only those
            if column.name not in in_database:
                continue  # a new column: autogenerate adds it whole
            if backend == "postgresql" and type_.native_enum:
                if type_.name in native and type_.name not in compared_types:
                    compared_types.add(type_.name)
                    change = _native_change(connection, type_, native[type_.name])
                    if change:
                        upgrade_ops.ops.insert(0, change)
            elif (backend == "sqlite" or not type_.native_enum) and isinstance(
                in_database[column.name], String
            ):
                # MySQL/MariaDB native ENUM values are compared by Alembic itself; a column not
                # stored as text yet (a number becoming an Enum) is a type change Alembic writes.
                alter = _non_native_change(connection, inspector, table, column)
                if alter:
                    _merge(upgrade_ops, alter)


def _tables(metadata: MetaData | Sequence[MetaData]) -> Iterator[Table]:
    """The models' tables, in the order they were defined (target_metadata may be a list)."""
    for each in [metadata] if isinstance(metadata, MetaData) else metadata:
        yield from each.tables.values()


def _native_enums(connection: Connection) -> dict[str, list[str]]:
    rows = connection.execute(
        text(
            "SELECT t.typname, e.enumlabel FROM pg_type t "
            "JOIN pg_enum e ON e.enumtypid = t.oid "
            "JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = current_schema() ORDER BY t.typname, e.enumsortorder"
        )
    )
    found: dict[str, list[str]] = {}
    for name, label in rows:
        found.setdefault(name, []).append(label)
    return found


def _enum_users(connection: Connection, name: str) -> list[EnumUser]:
    """(table, column, server default SQL) of every column of type `name`."""
    rows = connection.execute(
        text(
            "SELECT c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid) "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace n ON n.oid = t.typnamespace "
            "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE t.typname = :name AND n.nspname = current_schema() "
            "AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2"
        ),
        {"name": name},
    )
    return [cast(EnumUser, tuple(row)) for row in rows]


def _native_change(
    connection: Connection, type_: Any, in_database: list[str]
) -> AddEnumValuesOp | ReplaceEnumOp | None:
    wanted = list(type_.enums)
    if set(wanted) == set(in_database):
        return None
    users = _enum_users(connection, type_.name)
    if set(in_database) <= set(wanted):
        return AddEnumValuesOp(type_.name, users, in_database, wanted)
    return ReplaceEnumOp(type_.name, users, in_database, wanted)


def _check_values(inspector: Inspector, table_name: str, column_name: str) -> list[str] | None:
    """The values the CHECK of a non-native Enum allows, as the database has it (None: no CHECK)."""
    mentioned = mentions(column_name)
    for check in inspector.get_check_constraints(table_name):
        sqltext = check.get("sqltext") or ""
        values = [value.replace("''", "'") for value in QUOTED.findall(sqltext)]
        if values and mentioned.search(sqltext):
            return values
    return None


def _values_outside(
    connection: Connection, table_name: str, column_name: str, values: list[str]
) -> list[str]:
    """Up to SAMPLE values rows hold that are not in `values`."""
    column = sqlcolumn(column_name, String())
    query = (
        select(column)
        .select_from(sqltable(table_name))
        .where(column.is_not(None), column.not_in(values))
        .distinct()
        .limit(SAMPLE)
    )
    return sorted(connection.execute(query).scalars())


def _non_native_change(
    connection: Connection, inspector: Inspector, table: Table, column: Any
) -> ops.AlterColumnOp | None:
    """An Enum stored as VARCHAR (and maybe a CHECK): compare with the CHECK, and with the rows."""
    wanted = list(column.type.enums)
    checked = _check_values(inspector, table.name, column.name) if column.type.create_constraint else None
    known = checked if checked is not None else wanted
    outside = [
        value for value in _values_outside(connection, table.name, column.name, wanted) if value not in known
    ]
    old = known + outside
    if set(old) == set(wanted):
        return None
    old_type = Enum(
        *old,
        name=column.type.name,
        native_enum=False,
        create_constraint=column.type.create_constraint,
        length=max(len(value) for value in old),
    )
    return ops.AlterColumnOp(
        table.name,
        column.name,
        existing_type=old_type,
        modify_type=column.type,
        existing_nullable=column.nullable,
    )


def _merge(container: ops.OpContainer, alter: ops.AlterColumnOp) -> None:
    """Put `alter` in the table's operations, or give its types to the one autogenerate wrote."""
    column = (alter.table_name, alter.column_name)
    for op in walk(container):  # not every operation names a table: CreateForeignKeyOp has source_table
        if isinstance(op, ops.AlterColumnOp) and (op.table_name, op.column_name) == column:
            op.existing_type, op.modify_type = alter.existing_type, alter.modify_type
            return
    container.ops.append(ops.ModifyTableOps(alter.table_name, [alter]))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class AddEnumValuesOp(ops.MigrateOperation):
    """New values of a PostgreSQL enum: ALTER TYPE ... ADD VALUE, no table rewrite."""

    def __init__(
        self, name: str, users: list[EnumUser], old_values: list[str], new_values: list[str]
    ) -> None:
        self.enum_name, self.users = name, users
        self.old_values, self.new_values = list(old_values), list(new_values)

    def reverse(self) -> ReplaceEnumOp:
        return ReplaceEnumOp(self.enum_name, self.users, self.new_values, self.old_values)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        added = tuple(value for value in self.new_values if value not in self.old_values)
        return ("add_enum_values", self.enum_name, added)

    def statements(self, quote: Callable[[str], str]) -> list[str]:
        present = list(self.old_values)
        statements = []
        for index, value in enumerate(self.new_values):
            if value in present:
                continue
            # Keep the models' order: after the value before it, or before the first one.
            if index:
                place = f"AFTER {_literal(self.new_values[index - 1])}"
            else:
                place = f"BEFORE {_literal(present[0])}"
            statements.append(
                f"ALTER TYPE {quote(self.enum_name)} ADD VALUE IF NOT EXISTS {_literal(value)} {place}"
            )
            present.append(value)
        return statements


class ReplaceEnumOp(ops.AlterColumnOp):
    """A PostgreSQL enum losing values: a new type, every column cast to it, the old one dropped.

    An AlterColumnOp from the old Enum to the new one, so the guards see (and
    refuse) a removal like any other narrowing.
    """

    def __init__(
        self, name: str, users: list[EnumUser], old_values: list[str], new_values: list[str]
    ) -> None:
        table, column, _ = users[0]
        super().__init__(
            table,
            column,
            existing_type=Enum(*old_values, name=name),
            modify_type=Enum(*new_values, name=name),
        )
        self.enum_name, self.users = name, users
        self.old_values, self.new_values = list(old_values), list(new_values)

    def reverse(self) -> ReplaceEnumOp:
        return ReplaceEnumOp(self.enum_name, self.users, self.new_values, self.old_values)

    def statements(self, quote: Callable[[str], str]) -> list[str]:
        name, old = quote(self.enum_name), quote(f"{self.enum_name}_old")
        values = ", ".join(_literal(value) for value in self.new_values)
        statements = [f"ALTER TYPE {name} RENAME TO {old}", f"CREATE TYPE {name} AS ENUM ({values})"]
        for table, column, default in self.users:
            alter = f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)}"
            if default is not None:  # a default of the old type cannot be cast in place
                statements.append(f"{alter} DROP DEFAULT")
            statements.append(f"{alter} TYPE {name} USING {quote(column)}::text::{name}")
            if default is not None:
                statements.append(f"{alter} SET DEFAULT {default}")
        statements.append(f"DROP TYPE {old}")
        return statements


@renderers.dispatch_for(AddEnumValuesOp)
def _render_add_enum_values(autogen_context: AutogenContext, op: AddEnumValuesOp) -> list[str]:
    quote = autogen_context.dialect.identifier_preparer.quote
    # ADD VALUE cannot run in a transaction block before PostgreSQL 12, and the
    # new value cannot be used in the transaction that added it: commit first.
    return [
        "with op.get_context().autocommit_block():",
        *(f"    op.execute({statement!r})" for statement in op.statements(quote)),
        "",
    ]


@renderers.dispatch_for(ReplaceEnumOp)
def _render_replace_enum(autogen_context: AutogenContext, op: ReplaceEnumOp) -> list[str]:
    quote = autogen_context.dialect.identifier_preparer.quote
    lines = [f"op.execute({statement!r})" for statement in op.statements(quote)]
    removed = [value for value in op.old_values if value not in op.new_values]
    if removed:
        # PostgreSQL DDL is transactional: the failed cast rolls the revision back whole.
        lines.insert(
            0, f"# Enum {op.enum_name} loses {removed}: this fails, changing nothing, while rows hold them."
        )
    return lines


def mentions(column_name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w]){re.escape(column_name)}(?![\w])")

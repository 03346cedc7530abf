"""Renames the command line names (`-x rename=...`), written with everything named after them.

Autogenerate sees a renamed table or column as a drop and an add, which loses
its data; `_rewrites.apply_renames` says which pair is a rename, and this module
writes it. A rename is more than the table or the column: the indexes and
constraints the naming convention names after it (`ix_<table>_<column>`,
`uq_...`, `fk_..._<referred table>`, `pk_<table>`, `ck_...`) and the foreign
keys of other tables that point at it must follow, or `alembic check` finds
the old names and the downgrade trips over them (`index ix_goods_sku already
exists`). Each is written in the upgrade and, the other way, in the downgrade,
in the form the database runs:

- PostgreSQL renames in place: `ALTER INDEX ... RENAME TO`, `ALTER TABLE ...
  RENAME CONSTRAINT` (which renames the index of a primary key or unique
  constraint too), and the sequence of a SERIAL key;
- MySQL/MariaDB rename an index with `RENAME INDEX` (a unique constraint is
  one; the primary key is always PRIMARY), and drop and add again a foreign
  key (renaming the index MySQL made for it) or a CHECK;
- SQLite renames tables and columns itself (its indexes, CHECKs and the
  foreign keys of other tables follow), and re-creates a renamed constraint
  in batch mode: one copy of the table.

All of it is plain operations (SQL, or a drop and an add), so the review points
autogenerate prints are those `alembic-guardrails lint` finds in the file.

What matches what is found by shape, through the renames: an index or a
unique constraint by its columns, a foreign key by its columns and what it
refers to, a primary key by being one, a CHECK by its name with the old table
or column name replaced (or its text). A foreign key another table keeps
under the same name is left alone: the database follows the rename.

A renamed table may also gain or lose columns, indexes and constraints in the
same revision: those are written as for any table. Changes of a kept column's
type, default or nullability are not: run autogenerate again after upgrading
(`alembic check` names them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alembic.autogenerate.render import renderers
from alembic.operations import ops
from sqlalchemy import (
    CheckConstraint,
    Column,
    Constraint,
    ForeignKeyConstraint,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
)
from sqlalchemy import types as sqltypes
from sqlalchemy.sql.elements import conv
from sqlalchemy.sql.expression import text

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from sqlalchemy.engine import Dialect

# PostgreSQL truncates longer identifiers (a SERIAL's sequence name among them).
NAME_LIMIT = 63
# What a foreign key does on delete and update: a pair that differs in these is a real change.
FK_OPTIONS = ("ondelete", "onupdate", "deferrable", "initially", "match")

Key = tuple[Any, ...]


# --- The renames, one way ----------------------------------------------------------------


@dataclass(frozen=True)
class Direction:
    """The renames as one direction runs them: from the names the database holds before it
    (src) to the names it holds after (dst). `upgrade`: the models are the dst side."""

    tables: Mapping[str, str]
    # By src table name: {src column: dst column}.
    columns: Mapping[str, Mapping[str, str]]
    upgrade: bool

    def table(self, name: str) -> str:
        return self.tables.get(name, name)

    def column(self, table: str, name: str) -> str:
        return self.columns.get(table, {}).get(name, name)

    def src_column(self, table: str, name: str) -> str:
        """The src name of dst column `name` of src table `table`."""
        back = {new: old for old, new in self.columns.get(table, {}).items()}
        return back.get(name, name)

    @classmethod
    def both_ways(cls, renames: Iterable[tuple[str, str, str]]) -> tuple[Direction, Direction]:
        """(upgrade, downgrade) from `(table, old, new)` triples: table "" renames a table.

        A column of a renamed table may be named by the table's old or new name."""
        renames = list(renames)
        tables = {old: new for table, old, new in renames if not table}
        back = {new: old for old, new in tables.items()}
        up: dict[str, dict[str, str]] = {}
        down: dict[str, dict[str, str]] = {}
        for table, old, new in renames:
            if table:
                src = back.get(table, table)
                up.setdefault(src, {})[old] = new
                down.setdefault(tables.get(src, src), {})[new] = old
        return cls(tables, up, True), cls(back, down, False)

    @staticmethod
    def src_table_of(renames: Iterable[tuple[str, str, str]], table: str) -> str:
        """The table a column rename names, by its name before the upgrade."""
        back = {new: old for t, old, new in renames if not t}
        return back.get(table, table)


# --- What a rename writes ----------------------------------------------------------------


class CreatePrimaryKeyOp(ops.CreatePrimaryKeyOp):
    """Alembic's CreatePrimaryKeyOp, which autogenerate can render (a renamed primary key)."""


@renderers.dispatch_for(CreatePrimaryKeyOp)
def _render_create_primary_key(autogen_context: AutogenContext, op: CreatePrimaryKeyOp) -> str:
    prefix = _prefix(autogen_context)
    where = "" if autogen_context._has_batch else f"{op.table_name!r}, "
    schema = f", schema={op.schema!r}" if op.schema and not autogen_context._has_batch else ""
    name = f"{prefix}f({str(op.constraint_name)!r})"
    return f"{prefix}create_primary_key({name}, {where}{list(op.columns)!r}{schema})"


def _prefix(autogen_context: AutogenContext) -> str:
    if autogen_context._has_batch:
        return "batch_op."
    return str(autogen_context.opts.get("alembic_module_prefix") or "op.")


def rename_ops(
    kind: str,
    table: str,
    old: str,
    new: str,
    dialect: Dialect | None,
    *,
    schema: str | None = None,
    create: ops.MigrateOperation | None = None,
) -> list[ops.MigrateOperation]:
    """The operations that rename index or constraint `old` of `table` to `new` on `dialect`.

    `kind`: index, unique, primary, foreignkey or check, as the database holds it; `create`: the
    operation that makes it under the new name, for the databases that drop and add it again.
    Plain operations, so that the review points are those `alembic-guardrails lint` finds in the
    file: SQL for what PostgreSQL and MySQL/MariaDB rename in place, else a drop and an add."""
    name = dialect.name if dialect is not None else "default"
    if dialect is not None and name == "postgresql":
        quote = dialect.identifier_preparer.quote
        if kind == "index":
            prefix = f"{quote(schema)}." if schema else ""
            return [ops.ExecuteSQLOp(f"ALTER INDEX {prefix}{quote(old)} RENAME TO {quote(new)}")]
        where = _table_sql(dialect, table, schema)
        return [ops.ExecuteSQLOp(f"ALTER TABLE {where} RENAME CONSTRAINT {quote(old)} TO {quote(new)}")]
    if dialect is not None and _is_mysql(dialect) and kind in ("index", "unique", "primary"):
        if kind == "primary":
            return []  # MySQL's primary key is always named PRIMARY
        quote = dialect.identifier_preparer.quote
        where = _table_sql(dialect, table, schema)
        return [ops.ExecuteSQLOp(f"ALTER TABLE {where} RENAME INDEX {quote(old)} TO {quote(new)}")]
    # SQLite (in batch mode) and the CHECKs and foreign keys of MySQL/MariaDB: drop, then add.
    return [_drop_item(kind, table, old, schema), *([create] if create is not None else [])]


def _table_sql(dialect: Dialect, table: str, schema: str | None) -> str:
    quote = dialect.identifier_preparer.quote
    return f"{quote(schema)}.{quote(table)}" if schema else quote(table)


def _drop_item(kind: str, table: str, name: str, schema: str | None) -> ops.MigrateOperation:
    # conv(): the name is final (op.f()), the naming convention must not wrap it again.
    if kind == "index":
        return ops.DropIndexOp(conv(name), table_name=table, schema=schema)
    return ops.DropConstraintOp(conv(name), table, type_=kind, schema=schema)


# --- Indexes and constraints, by shape ----------------------------------------------------


@dataclass
class Item:
    """An index or a constraint of a table: its kind, name, shape (key) and definition."""

    kind: str
    name: str | None
    key: Key
    definition: Any = field(compare=False)


def _name(named: Any, dialect: Dialect | None = None) -> str | None:
    """The name of an index or constraint; a CHECK of a Boolean or Enum type gets its name from
    the naming convention only when compiled (`dialect`)."""
    name = getattr(named, "name", None)
    if isinstance(name, str) and name:
        return str(name)
    if dialect is not None and isinstance(named, Constraint) and getattr(named, "table", None) is not None:
        try:
            spelled = dialect.identifier_preparer.format_constraint(named, _alembic_quote=False)
        except Exception:  # noqa: BLE001 - a convention that cannot name it: unnamed
            return None
        return str(spelled) if spelled else None
    return None


def _expression_name(expression: Any) -> str:
    name = getattr(expression, "name", None)
    return str(name) if isinstance(name, str) else str(expression)


def _target(element: Any) -> tuple[str, str]:
    """(table, column) a ForeignKey element refers to, from its spelling: the referred table
    of a reflected table need not be loaded."""
    table, _, column = str(element.target_fullname).rpartition(".")
    return table.rpartition(".")[2], column


def _target_schema(element: Any) -> str | None:
    table = str(element.target_fullname).rpartition(".")[0]
    return table.rpartition(".")[0] or None


def _fk_key(local: Iterable[str], referred: str, remote: Iterable[str], options: Mapping[str, Any]) -> Key:
    chosen = tuple((option, str(options[option]).lower()) for option in FK_OPTIONS if options.get(option))
    return ("foreignkey", tuple(local), referred, tuple(remote), chosen)


def _constraint_item(constraint: Constraint, dialect: Dialect | None) -> Item | None:
    name = _name(constraint, dialect)
    columns = tuple(str(column.name) for column in getattr(constraint, "columns", ()))
    if isinstance(constraint, PrimaryKeyConstraint):
        return Item("primary", name, ("primary",), constraint) if columns else None
    if isinstance(constraint, UniqueConstraint):
        return Item("unique", name, ("unique", columns), constraint)
    if isinstance(constraint, ForeignKeyConstraint):
        targets = [_target(element) for element in constraint.elements]
        referred = targets[0][0] if targets else ""
        options = {option: getattr(constraint, option, None) for option in FK_OPTIONS}
        local = tuple(constraint.column_keys)
        return Item(
            "foreignkey", name, _fk_key(local, referred, [c for _, c in targets], options), constraint
        )
    if isinstance(constraint, CheckConstraint):
        return Item("check", name, ("check", _sql_text(constraint.sqltext)), constraint)
    return None


def _index_item(index: Index) -> Item:
    columns = tuple(_expression_name(expression) for expression in index.expressions)
    return Item("index", _name(index), ("unique" if index.unique else "index", columns), index)


def _sql_text(sqltext: Any) -> str:
    try:
        return str(sqltext.compile(compile_kwargs={"literal_binds": True}))
    except Exception:  # noqa: BLE001 - a construct that needs a dialect: its plain spelling
        return str(sqltext)


def _normal(sql: str) -> str:
    """A CHECK's text as databases give it back: no quotes, brackets, spaces or case."""
    return re.sub(r"[\s\"`()\[\]]", "", sql).lower()


def _words(name: str) -> re.Pattern[str]:
    """`name` as a whole word of an identifier such as ck_goods_qty (words part at `_`)."""
    return re.compile(rf"(?<![^_]){re.escape(name)}(?![^_])")


def _in_sql(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])")


@dataclass
class Shape:
    """A table as one side of a rename sees it: its columns, indexes and constraints."""

    name: str
    schema: str | None
    columns: dict[str, Column[Any]]
    items: list[Item]
    # Every index name, those MySQL made for a foreign key included.
    index_names: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, table: Table, indexes: Iterable[Index], dialect: Dialect | None) -> Shape:
        mysql = _is_mysql(dialect)
        items = [item for c in table.constraints if (item := _constraint_item(c, dialect)) is not None]
        by_name: dict[str, Index] = {}
        for index in indexes:
            if _name(index) is not None:
                by_name.setdefault(str(index.name), index)
        keys = {name for name in (_name(c) for c in table.foreign_key_constraints) if name}
        taken = {item.name for item in items}
        for name, index in by_name.items():
            # MySQL indexes a foreign key's columns under the key's name: it goes with the key.
            if name in taken or (mysql and name in keys and not index.unique):
                continue
            items.append(_index_item(index))
        columns = {str(c.name): c for c in table.columns}
        return cls(table.name, table.schema, columns, items, set(by_name))


def _original_table(op: ops.CreateTableOp | ops.DropTableOp) -> Table:
    """The Table autogenerate compared (the model's, or the one reflected), with its indexes;
    else the table the operation describes."""
    create = op if isinstance(op, ops.CreateTableOp) else op._reverse
    for column in getattr(create, "columns", ()):
        table = getattr(column, "table", None)
        if isinstance(column, Column) and isinstance(table, Table) and table.name == op.table_name:
            return table
    return op.to_table()


def _index_ops(container: ops.OpContainer, table: str) -> list[ops.CreateIndexOp | ops.DropIndexOp]:
    found: list[ops.CreateIndexOp | ops.DropIndexOp] = []
    for op in container.ops:
        if isinstance(op, ops.ModifyTableOps) and op.table_name == table:
            found += _index_ops(op, table)
        elif isinstance(op, (ops.CreateIndexOp, ops.DropIndexOp)) and op.table_name == table:
            found.append(op)
    return found


def _index_of(op: ops.CreateIndexOp | ops.DropIndexOp) -> Index:
    if isinstance(op, ops.DropIndexOp) and op._reverse is not None:
        return op._reverse.to_index()
    return op.to_index()


def _create_op(item: Item, table: str, schema: str | None, dialect: Dialect | None) -> ops.MigrateOperation:
    """The operation that makes `item` on `table`, under its final name (conv: op.f())."""
    definition, name = item.definition, conv(str(item.name)) if item.name else None
    if item.kind == "index":
        create = ops.CreateIndexOp.from_index(definition)
        create.index_name = name
        return create
    columns = [str(column.name) for column in getattr(definition, "columns", ())]
    if item.kind == "primary":
        return CreatePrimaryKeyOp(name, table, columns, schema=schema)
    if item.kind == "unique":
        return ops.CreateUniqueConstraintOp(name, table, columns, schema=schema)
    if item.kind == "check":
        return _create_check(str(item.name), table, definition, schema, dialect)
    # A foreign key, from its spelling: the table it refers to need not be loaded (reflected).
    targets = [_target(element) for element in definition.elements]
    options = {
        option: getattr(definition, option) for option in FK_OPTIONS if getattr(definition, option, None)
    }
    return ops.CreateForeignKeyOp(
        name,
        table,
        targets[0][0],
        list(definition.column_keys),
        [column for _, column in targets],
        source_schema=schema,
        referent_schema=_target_schema(definition.elements[0]),
        **options,
    )


def _create_check(
    name: str, table: str, check: CheckConstraint, schema: str | None, dialect: Dialect | None
) -> ops.CreateCheckConstraintOp:
    """The CHECK under its final name (op.f), its text as CREATE TABLE writes it."""
    sql = str(
        check.sqltext.compile(dialect=dialect, compile_kwargs={"literal_binds": True, "include_table": False})
    )
    return ops.CreateCheckConstraintOp(conv(name), table, text(sql), schema=schema)


# --- Matching one side with the other ----------------------------------------------------


def _mapped(key: Key, table: str, direction: Direction) -> Key:
    """A src item's key in dst names."""
    kind = key[0]
    if kind in ("index", "unique"):
        return (kind, tuple(direction.column(table, c) for c in key[1]))
    if kind == "foreignkey":
        _, local, referred, remote, options = key
        return (
            kind,
            tuple(direction.column(table, c) for c in local),
            direction.table(referred),
            tuple(direction.column(referred, c) for c in remote),
            options,
        )
    if kind == "check":
        text = key[1]
        for old, new in direction.columns.get(table, {}).items():
            text = _in_sql(old).sub(new, text)
        return (kind, _normal(text))
    return key


def _renamed_name(name: str, table: str, direction: Direction) -> str:
    """`name` with the src table's and columns' names replaced by their dst names."""
    renamed = _words(table).sub(direction.table(table), name) if direction.table(table) != table else name
    for old, new in direction.columns.get(table, {}).items():
        renamed = _words(old).sub(new, renamed)
    return renamed


def match(
    src: list[Item], dst: list[Item], table: str, direction: Direction
) -> tuple[list[tuple[Item, Item]], list[Item], list[Item]]:
    """(pairs, src only, dst only): pairs by shape; CHECKs by name, then text, then the last one left."""
    pairs: list[tuple[Item, Item]] = []
    left = list(dst)
    unmatched: list[Item] = []
    checks = [item for item in src if item.kind == "check"]
    for item in [item for item in src if item.kind != "check"]:
        key = _mapped(item.key, table, direction)
        other = next((d for d in left if d.key == key), None)
        if other is None:
            unmatched.append(item)
        else:
            pairs.append((item, other))
            left.remove(other)
    for item in checks:
        spelled = _renamed_name(item.name, table, direction) if item.name else None
        text = _mapped(item.key, table, direction)
        candidates = [d for d in left if d.kind == "check"]
        other = next((d for d in candidates if spelled and d.name == spelled), None)
        other = other or next((d for d in candidates if (d.key[0], _normal(d.key[1])) == text), None)
        if other is None:
            unmatched.append(item)
        else:
            pairs.append((item, other))
            left.remove(other)
    lone_src = [item for item in unmatched if item.kind == "check"]
    lone_dst = [item for item in left if item.kind == "check"]
    if len(lone_src) == 1 and len(lone_dst) == 1:
        pairs.append((lone_src[0], lone_dst[0]))
        unmatched.remove(lone_src[0])
        left.remove(lone_dst[0])
    return pairs, unmatched, left


# --- The rewrite of one direction -----------------------------------------------------------


def _is_mysql(dialect: Dialect | None) -> bool:
    return dialect is not None and dialect.name in ("mysql", "mariadb")


def _is_mariadb(dialect: Dialect | None) -> bool:
    return dialect is not None and (dialect.name == "mariadb" or bool(getattr(dialect, "is_mariadb", False)))


def _integer_key(table: Table) -> Column[Any] | None:
    """The table's single integer primary key column (a SERIAL on PostgreSQL has a sequence)."""
    columns = list(table.primary_key.columns)
    if len(columns) == 1 and isinstance(columns[0].type, sqltypes.Integer) and columns[0].autoincrement:
        return columns[0]
    return None


def _model_metadata(upgrade_ops: ops.OpContainer) -> MetaData | None:
    """The models' MetaData, from an upgrade operation that carries one of their tables or
    columns (a rename always has one: the created table, or the added column)."""
    for op in upgrade_ops.ops:
        if isinstance(op, ops.ModifyTableOps):
            found = _model_metadata(op)
            if found is not None:
                return found
        table = getattr(getattr(op, "column", None), "table", None)
        if isinstance(op, ops.CreateTableOp):
            table = _original_table(op)
        if isinstance(table, Table):
            return table.metadata
    return None


class Renaming:
    """The renames of one direction (`container`, with `other` the opposite direction)."""

    def __init__(
        self,
        container: ops.OpContainer,
        other: ops.OpContainer,
        direction: Direction,
        dialect: Dialect | None,
        models: MetaData | None,
    ) -> None:
        self.container, self.direction, self.dialect, self.models = container, direction, dialect, models
        self.mysql = _is_mysql(dialect)
        self.name = dialect.name if dialect is not None else "default"
        # What both directions say about the indexes of the renamed tables, before either changes.
        self.indexes: dict[str, list[Index]] = {}
        for old, new in direction.tables.items():
            for table in (old, new):
                found = [_index_of(op) for c in (container, other) for op in _index_ops(c, table)]
                for op in [*container.ops, *other.ops]:
                    if isinstance(op, (ops.CreateTableOp, ops.DropTableOp)) and op.table_name == table:
                        found += _original_table(op).indexes
                self.indexes[table] = found
        # The tables autogenerate compared (the model's, the one reflected, with their indexes and
        # their CHECKs' naming convention), from the upgrade: the downgrade's are copies.
        upgrade_ops = container if direction.upgrade else other
        self.tables = {
            op.table_name: _original_table(op)
            for op in upgrade_ops.ops
            if isinstance(op, (ops.CreateTableOp, ops.DropTableOp))
        }
        self.applied: set[tuple[str, str]] = set()
        self.column_renames: list[ops.MigrateOperation] = []

    # -- columns of the tables that stay --------------------------------------------------

    def run(self) -> set[tuple[str, str]]:
        """Rewrite the container; the renames applied, as (src table or "", src name)."""
        for group in [op for op in self.container.ops if isinstance(op, ops.ModifyTableOps)]:
            for old, new in self.direction.columns.get(group.table_name, {}).items():
                if group.table_name not in self.direction.tables and self._rename_column(group, old, new):
                    self.applied.add((group.table_name, old))
        renamed = set(self.direction.tables) | set(self.direction.tables.values())
        for group in [op for op in self.container.ops if isinstance(op, ops.ModifyTableOps)]:
            if group.table_name not in renamed:
                self._pairs(group)
        front_drops: list[ops.MigrateOperation] = []
        table_renames: list[ops.MigrateOperation] = []
        inside: list[ops.MigrateOperation] = []
        for old, new in self.direction.tables.items():
            done = self._rename_table(old, new)
            if done is not None:
                self.applied.add(("", old))
                front_drops += done[0]
                table_renames += done[1]
                inside += done[2]
        self.container.ops[0:0] = front_drops + table_renames + self.column_renames + inside
        _drop_empty(self.container)
        return self.applied

    def _rename_column(self, group: ops.ModifyTableOps, old: str, new: str) -> bool:
        drop = next((o for o in group.ops if isinstance(o, ops.DropColumnOp) and o.column_name == old), None)
        add = next((o for o in group.ops if isinstance(o, ops.AddColumnOp) and o.column.name == new), None)
        if drop is None or add is None:
            return False
        group.ops.remove(drop)
        group.ops.remove(add)
        self.column_renames.append(self._alter(group.table_name, group.schema, old, add.column))
        model = add.column if self.direction.upgrade else drop.to_column()
        parent = getattr(model, "table", None)
        if isinstance(parent, Table) and _integer_key(parent) is model:
            self.column_renames += self._sequence(group.table_name, old, group.table_name, new, group.schema)
        self._checks_of_column(group, drop, add, old, new)
        return True

    def _alter(self, table: str, schema: str | None, old: str, column: Column[Any]) -> ops.AlterColumnOp:
        # MySQL renames with CHANGE COLUMN, which restates the type, nullability, default and comment.
        rename = ops.AlterColumnOp(
            table,
            old,
            schema=schema,
            modify_name=str(column.name),
            existing_type=column.type,
            existing_nullable=column.nullable,
            existing_server_default=column.server_default,
            existing_comment=column.comment,
        )
        parent = getattr(column, "table", None)
        if self.mysql and isinstance(parent, Table) and _integer_key(parent) is column:
            rename.kw["autoincrement"] = True  # CHANGE COLUMN without AUTO_INCREMENT drops it
        return rename

    def _checks_of_column(
        self, group: ops.ModifyTableOps, drop: ops.DropColumnOp, add: ops.AddColumnOp, old: str, new: str
    ) -> None:
        """A CHECK named after the column (a Boolean's or an Enum's, by the naming convention)
        takes the new name; the databases update its text themselves. On SQLite, a CHECK that
        _compare.tidy drops with the column stays: the column is renamed, not dropped."""
        table = group.table_name
        src_table = getattr(drop.to_column(), "table", None)
        dst_table = getattr(add.column, "table", None)
        mentions = _in_sql(old)
        src = {
            name: c
            for c in (src_table.constraints if isinstance(src_table, Table) else ())
            if isinstance(c, CheckConstraint)
            and (name := _name(c, self.dialect))
            and mentions.search(_sql_text(c.sqltext))
        }
        dst = {
            name: c
            for c in (dst_table.constraints if isinstance(dst_table, Table) else ())
            if isinstance(c, CheckConstraint) and (name := _name(c, self.dialect))
        }
        tidied = {
            str(o.constraint_name): o
            for o in group.ops
            if isinstance(o, ops.DropConstraintOp) and o.constraint_type == "check" and o.constraint_name
        }
        word = _words(old)
        for name in sorted(set(src) | {n for n in tidied if n in src or word.search(n)}):
            dropped = tidied.get(name)
            target = word.sub(new, name)
            if name in dst or target == name:
                if dropped is not None:
                    group.ops.remove(dropped)
                continue
            if target not in dst:
                continue
            create = _create_check(target, table, dst[target], group.schema, self.dialect)
            steps = rename_ops("check", table, name, target, self.dialect, schema=group.schema, create=create)
            if dropped is not None:
                position = group.ops.index(dropped)
                group.ops[position : position + 1] = steps
            else:
                group.ops += steps

    # -- pairs of drop + add in a table that stays --------------------------------------

    def _op_key(self, op: ops.MigrateOperation, table: str) -> tuple[str, Key] | None:
        """(kind, key) of a drop or an add of an index, unique constraint or foreign key."""
        if isinstance(op, ops.DropIndexOp) and op._reverse is not None:
            return self._op_key(op._reverse, table)
        if isinstance(op, ops.DropConstraintOp) and op._reverse is not None:
            found = self._op_key(op._reverse, table)
            return (op.constraint_type or found[0], found[1]) if found else None
        if isinstance(op, ops.CreateIndexOp):
            columns = tuple(_expression_name(c) for c in op.columns)
            return "index", ("unique" if op.unique else "index", columns)
        if isinstance(op, ops.CreateUniqueConstraintOp):
            return "unique", ("unique", tuple(str(c) for c in op.columns))
        if isinstance(op, ops.CreateForeignKeyOp):
            key = _fk_key(op.local_cols, op.referent_table, op.remote_cols, op.kw)
            return "foreignkey", key
        return None

    def _pairs(self, group: ops.ModifyTableOps) -> None:
        table = group.table_name
        drops = [o for o in group.ops if isinstance(o, (ops.DropIndexOp, ops.DropConstraintOp))]
        adds = [o for o in group.ops if isinstance(o, (ops.CreateIndexOp, ops.AddConstraintOp))]
        for drop in drops:
            found = self._op_key(drop, table) if drop in group.ops else None
            if found is None:
                continue
            kind, key = found
            key = _mapped(key, table, self.direction)
            add = next((a for a in adds if (k := self._op_key(a, table)) is not None and k[1] == key), None)
            if add is None:
                continue
            adds.remove(add)
            old, new = _op_name(drop), _op_name(add)
            if not old or not new:
                continue
            if kind == "foreignkey" and self.mysql:
                # MySQL/MariaDB: dropped and added again (the review points say the table is copied).
                # The index the server made for the key, named after it: _compare.tidy may drop it
                # after the key (the key is renamed here, not dropped), else the models tell.
                made = next(
                    (o for o in group.ops if isinstance(o, ops.DropIndexOp) and _op_name(o) == old), None
                )
                if made is not None:
                    group.ops.remove(made)
                if old == new and _is_mariadb(self.dialect):
                    _remove(group, drop, add)  # MariaDB follows a renamed table or column
                elif old != new and (made is not None or self._implicit_index(table, add)):
                    steps = rename_ops("index", table, old, new, self.dialect, schema=group.schema)
                    position = group.ops.index(drop) + 1
                    group.ops[position:position] = steps
                elif made is not None:
                    group.ops.insert(group.ops.index(drop) + 1, made)
                continue
            if old == new:
                _remove(group, drop, add)  # the database follows the rename
                continue
            group.ops.remove(add)
            position = group.ops.index(drop)
            steps = rename_ops(kind, table, old, new, self.dialect, schema=group.schema, create=add)
            group.ops[position : position + 1] = steps

    def _implicit_index(self, table: str, add: ops.MigrateOperation) -> bool:
        """MySQL made an index for the foreign key, named after it: no index of the model's
        table starts with the key's columns. (Unknown table: none assumed.)"""
        if self.models is None or not isinstance(add, ops.CreateForeignKeyOp):
            return False
        found = self.models.tables.get(table)
        if found is None:
            return False
        # The models name the columns as the upgrade leaves them.
        local = [
            str(c) if self.direction.upgrade else self.direction.src_column(table, str(c))
            for c in add.local_cols
        ]
        return not _covered(found, local)

    # -- tables ----------------------------------------------------------------------------

    def _rename_table(
        self, old: str, new: str
    ) -> tuple[list[ops.MigrateOperation], list[ops.MigrateOperation], list[ops.MigrateOperation]] | None:
        top = self.container.ops
        create = next((o for o in top if isinstance(o, ops.CreateTableOp) and o.table_name == new), None)
        drop = next((o for o in top if isinstance(o, ops.DropTableOp) and o.table_name == old), None)
        if create is None or drop is None:
            return None
        src_table = self.tables[old] if old in self.tables else _original_table(drop)
        dst_table = self.tables[new] if new in self.tables else _original_table(create)
        src = Shape.of(src_table, [*src_table.indexes, *self.indexes.get(old, [])], self.dialect)
        dst = Shape.of(dst_table, [*dst_table.indexes, *self.indexes.get(new, [])], self.dialect)
        schema = create.schema
        # What autogenerate wrote for the two tables gives way to the rename; what the new table
        # gains goes where it created the table (after the tables its foreign keys refer to).
        gains = ops.ModifyTableOps(new, [], schema=schema)
        top[top.index(create)] = gains
        top.remove(drop)
        _strip(self.container, (old, new), keep=gains)
        pairs, src_only, dst_only = match(src.items, dst.items, old, self.direction)

        drops: list[ops.MigrateOperation] = []
        for item in sorted(src_only, key=lambda item: item.kind != "foreignkey"):
            if item.name and item.kind not in ("check", "primary"):
                drops.append(_drop_item(item.kind, old, item.name, drop.schema))
        front: list[ops.MigrateOperation] = (
            [ops.ModifyTableOps(old, drops, schema=drop.schema)] if drops else []
        )

        for src_column, dst_column in self.direction.columns.get(old, {}).items():
            if src_column in src.columns and dst_column in dst.columns:
                self.column_renames.append(self._alter(new, schema, src_column, dst.columns[dst_column]))
                self.applied.add((old, src_column))

        inside: list[ops.MigrateOperation] = []
        renames: list[ops.MigrateOperation] = []
        for before, after in pairs:
            if before.name and after.name and before.name != after.name:
                renames += self._renamed(new, schema, before, after, src, dst)
        inside += self._sequences(new, schema, src_table, dst_table, old)
        if renames:
            inside.append(ops.ModifyTableOps(new, renames, schema=schema))

        kept = {self.direction.column(old, name) for name in src.columns}
        added = [
            ops.AddColumnOp(new, column, schema=schema)
            for name, column in dst.columns.items()
            if name not in kept
        ]
        created = [_create_op(item, new, schema, self.dialect) for item in dst_only if item.kind != "check"]
        dropped = [
            ops.DropColumnOp.from_column_and_tablename(schema, new, src.columns[name])
            for name in src.columns
            if self.direction.column(old, name) not in dst.columns
        ]
        gains.ops = [*added, *created, *dropped]
        return front, [ops.RenameTableOp(old, new, schema=drop.schema)], inside

    def _renamed(
        self, table: str, schema: str | None, before: Item, after: Item, src: Shape, dst: Shape
    ) -> list[ops.MigrateOperation]:
        assert before.name is not None and after.name is not None
        if before.kind == "foreignkey" and self.mysql:
            steps: list[ops.MigrateOperation] = [_drop_item("foreignkey", table, before.name, schema)]
            # The index MySQL made for the key, named after it, is named after the new key.
            if before.name in src.index_names or after.name in dst.index_names:
                steps += rename_ops("index", table, before.name, after.name, self.dialect, schema=schema)
            steps.append(_create_op(after, table, schema, self.dialect))
            return steps
        create = _create_op(after, table, schema, self.dialect)
        return rename_ops(
            before.kind, table, before.name, after.name, self.dialect, schema=schema, create=create
        )

    def _sequences(
        self, table: str, schema: str | None, src_table: Table, dst_table: Table, old: str
    ) -> list[ops.MigrateOperation]:
        """PostgreSQL: the sequence of a SERIAL key is named after its table (`goods_id_seq`)."""
        if self.name != "postgresql" or self.dialect is None:
            return []
        model = dst_table if self.direction.upgrade else src_table
        column = _integer_key(model)
        if column is None:
            return []
        if self.direction.upgrade:
            dst_column, src_column = str(column.name), self.direction.src_column(old, str(column.name))
        else:
            src_column, dst_column = str(column.name), self.direction.column(old, str(column.name))
        return self._sequence(old, src_column, table, dst_column, schema)

    def _sequence(
        self, old_table: str, old_column: str, new_table: str, new_column: str, schema: str | None
    ) -> list[ops.MigrateOperation]:
        """PostgreSQL names a SERIAL's sequence `<table>_<column>_seq`: it follows the rename."""
        before, after = f"{old_table}_{old_column}_seq", f"{new_table}_{new_column}_seq"
        if self.name != "postgresql" or self.dialect is None:
            return []
        if before == after or max(len(before), len(after)) > NAME_LIMIT:
            return []
        quote = self.dialect.identifier_preparer.quote
        prefix = f"{quote(schema)}." if schema else ""
        return [
            ops.ExecuteSQLOp(f"ALTER SEQUENCE IF EXISTS {prefix}{quote(before)} RENAME TO {quote(after)}")
        ]


def _covered(table: Table, columns: list[str]) -> bool:
    """An index, unique constraint or primary key of `table` starts with `columns`."""
    leading: list[list[str]] = [[_expression_name(e) for e in index.expressions] for index in table.indexes]
    leading += [
        [str(c.name) for c in constraint.columns]
        for constraint in table.constraints
        if isinstance(constraint, (UniqueConstraint, PrimaryKeyConstraint))
    ]
    return any(names[: len(columns)] == columns for names in leading)


def _op_name(op: ops.MigrateOperation) -> str | None:
    name = getattr(op, "index_name", None) or getattr(op, "constraint_name", None)
    return str(name) if isinstance(name, str) and name else None


def _remove(group: ops.ModifyTableOps, *operations: ops.MigrateOperation) -> None:
    for operation in operations:
        group.ops.remove(operation)


def _strip(container: ops.OpContainer, tables: tuple[str, ...], keep: ops.MigrateOperation) -> None:
    """Remove the index operations autogenerate wrote for `tables` (all but `keep`)."""
    kept: list[ops.MigrateOperation] = []
    for op in container.ops:
        if op is keep:
            kept.append(op)
        elif isinstance(op, ops.ModifyTableOps) and op.table_name in tables:
            op.ops = [o for o in op.ops if not isinstance(o, (ops.CreateIndexOp, ops.DropIndexOp))]
            if op.ops:
                kept.append(op)
        elif isinstance(op, (ops.CreateIndexOp, ops.DropIndexOp)) and op.table_name in tables:
            continue
        else:
            kept.append(op)
    container.ops = kept


def _drop_empty(container: ops.OpContainer) -> None:
    container.ops = [op for op in container.ops if not (isinstance(op, ops.ModifyTableOps) and not op.ops)]


def apply(
    script: ops.MigrationScript, renames: Iterable[tuple[str, str, str]], dialect: Dialect | None
) -> set[tuple[str, str]]:
    """Write every rename of `renames` ((table, old, new); table "" for a table) in the upgrade
    and the downgrade; the renames the upgrade held, as (src table or "", old name)."""
    renames = list(renames)
    upgrade, downgrade = Direction.both_ways(renames)
    applied: set[tuple[str, str]] = set()
    for up, down in zip(script.upgrade_ops_list, script.downgrade_ops_list, strict=True):
        models = _model_metadata(up)
        forward = Renaming(up, down, upgrade, dialect, models)
        backward = Renaming(down, up, downgrade, dialect, models)
        applied |= forward.run()
        backward.run()
    return applied

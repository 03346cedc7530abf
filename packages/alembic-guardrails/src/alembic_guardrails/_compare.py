"""What autogenerate compares, corrected where a database stores things its own way.

Guardrails.options() wires these into Alembic:

- `compare_type` and `compare_server_default`, called by the comparators of the
  alembic_guardrails autogenerate plugin (_plugin.py, registered for the
  dialects in its TYPE_DIALECTS and SERVER_DEFAULT_DIALECTS): types and defaults a
  database stores in its own spelling compare equal (MySQL/MariaDB keep
  `Float(53)` as DOUBLE, `false()` as 0; PostgreSQL `'[]'` on json as
  `'[]'::json`; SQLite `''` as `''`: _defaults.py, which evaluates no default, so
  types without `=` compare too), so `alembic check` comes back clean.
  They keep the signatures and the answers of Alembic's `compare_type` /
  `compare_server_default` callables (True: different, False: the same, None:
  Alembic decides);
- the same plugin adds the enum value changes Alembic cannot see
  (sqlalchemy/alembic#278), from _enums.py: native PostgreSQL enums, and
  non-native Enums (a VARCHAR, maybe with a CHECK) on every database, seen in
  the CHECK or in rows the models no longer allow;
- `without_unique_on_primary_key` (wraps include_object): no UNIQUE that
  duplicates a primary key, which PostgreSQL silently skips in CREATE TABLE
  (`alembic check` would drift forever);
- `tidy` (first thing in process_revision_directives, so `alembic check` gets
  it too) corrects the order and the companions of what autogenerate wrote, in
  the upgrade and in the downgrade. Comparators cannot: they run while the
  comparison is under way, not on the finished script, and write the upgrade
  only (Alembic derives the downgrade by reversing it, and an ExecuteSQLOp such
  as DROP TYPE has no reverse):
  * no DROP INDEX before the DROP TABLE that removes it anyway, and foreign
    keys dropped before the indexes they use: MySQL/MariaDB refuse the other
    order (error 1553) half-way through a downgrade;
  * MySQL/MariaDB, upgrade only: a dropped foreign key takes the index the
    server made for it (it needs the database, which only this step has at hand
    with the finished list of drops);
  * SQLite: a named CHECK dropped before its column (batch mode would copy it);
  * PostgreSQL: enum types dropped with the last table using them.

Why our own enum comparison rather than alembic-postgresql-enum: that library
writes one `sync_enum_values` operation for every change, which recreates the
type and rewrites every table using it (ALTER COLUMN TYPE, under an ACCESS
EXCLUSIVE lock) even when a value is only added (its issue #133, open); its
operation is also opaque to the guards. Here an added value is one
`ALTER TYPE ... ADD VALUE` (no table rewrite), and a removal is an
`AlterColumnOp` from the old Enum to the new one, which the guards refuse
unless `-x allow_destructive=true`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeGuard, cast

from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    Enum,
    ForeignKeyConstraint,
    Index,
    MetaData,
    Table,
    inspect,
)
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import Inspector
from sqlalchemy.sql.elements import conv
from sqlalchemy.types import NullType, SchemaType

from . import _defaults, _narrowing
from ._enums import _tables, mentions
from ._guards import walk
from ._plugin import SERVER_DEFAULT_DIALECTS, TYPE_DIALECTS

DOUBLE_PRECISION = 25  # FLOAT(p) with p >= 25 is a DOUBLE on MySQL/MariaDB
# Alembic's include_object hook: (object, name, type, reflected, compare_to) -> keep it?
IncludeObject = Callable[[Any, str | None, str, bool, Any], bool]


def compare_type(
    context: MigrationContext,
    inspected_column: Any,
    metadata_column: Any,
    inspected_type: Any,
    metadata_type: Any,
) -> bool | None:
    """False when the database stores both types identically; None lets Alembic decide.

    The plugin asks only for the dialects in _plugin.TYPE_DIALECTS (its comparator's qualifiers).
    """
    if context.dialect.name in TYPE_DIALECTS and _same_on_mysql(inspected_type, metadata_type):
        return False
    if context.dialect.name in ("mysql", "mariadb") and _enum_storage_changed(inspected_type, metadata_type):
        return True
    return None


def _enum_storage_changed(inspected: Any, model: Any) -> bool:
    """MySQL/MariaDB: an ENUM column whose model became a non-native Enum (a VARCHAR), or the
    reverse; Alembic compares the values only, and would write nothing."""
    if not isinstance(model, Enum):
        return False
    return (type(inspected).__name__.upper() == "ENUM") != bool(model.native_enum)


def _same_on_mysql(inspected: Any, model: Any) -> bool:
    reflected = type(inspected).__name__.upper()
    if isinstance(model, sqltypes.Float) and reflected == "DOUBLE":
        return isinstance(model, sqltypes.Double) or (model.precision or 0) >= DOUBLE_PRECISION
    return False


def compare_server_default(
    context: MigrationContext,
    inspected_column: Any,
    metadata_column: Any,
    inspected_default: Any,
    metadata_default: Any,
    rendered_metadata_default: Any,
) -> bool | None:
    """Whether the database's default differs from the model's, as the database stores them.

    `inspected_default` is the reflected default's SQL, `rendered_metadata_default`
    the model's as CREATE TABLE writes it (_defaults.render: a str is a quoted
    literal); None when either column has none, and Alembic decides. The same
    default in another spelling is the same: MySQL/MariaDB give `false()` back
    as 0, `func.now()` as current_timestamp(), `text("1")` on a DECIMAL(10, 3) as
    1.000; PostgreSQL `'[]'` on a json column as `'[]'::json`; SQLite keeps what
    it was given (_defaults.py). Nothing is evaluated, so PostgreSQL types without
    an `=` operator (json, xml, point) compare like any other (sqlalchemy/alembic#1119).
    Computed and Identity never come here: Alembic's own comparators handle them.
    The plugin asks only for the dialects in _plugin.SERVER_DEFAULT_DIALECTS (its
    comparator's qualifiers): a dialect this function starts to correct goes there too.
    """
    dialect = context.dialect.name
    if dialect not in SERVER_DEFAULT_DIALECTS or None in (inspected_default, rendered_metadata_default):
        return None
    numeric = _defaults.is_numeric(metadata_column, inspected_column)
    if _defaults.normalized(inspected_default, dialect, numeric) == _defaults.normalized(
        rendered_metadata_default, dialect, numeric
    ):
        return False
    if dialect == "sqlite":
        return True  # SQLite keeps the text it was given: no other spelling to learn
    spelled = _defaults.canonical(
        context.connection, inspected_column, inspected_default, rendered_metadata_default
    )
    if spelled is not None:
        return spelled[0] != spelled[1]
    # The server could not say: PostgreSQL's own comparison would evaluate `a = b`, which
    # fails on json and its like; MySQL's compares text, with corrections of its own.
    return True if dialect == "postgresql" else None


def tidy(migration_context: MigrationContext, script: ops.MigrationScript) -> None:
    """Correct the MigrationScript autogenerate built (see the module docstring)."""
    dialect = migration_context.dialect.name
    metadata = migration_context.opts.get("target_metadata")
    connection = migration_context.connection
    for upgrade_ops, downgrade_ops in zip(script.upgrade_ops_list, script.downgrade_ops_list, strict=False):
        if dialect in ("mysql", "mariadb") and metadata is not None and connection is not None:
            _server_indexes_go_with_their_keys(upgrade_ops, connection, metadata)
        for container in (upgrade_ops, downgrade_ops):
            _drop_indexes_with_their_table(container)
            _foreign_keys_before_indexes(container)
            if dialect in ("mysql", "mariadb") and metadata is not None:
                _foreign_keys_around_index_drops(container, metadata)
        if dialect == "postgresql" and metadata is not None:
            for container in (upgrade_ops, downgrade_ops):
                _drop_enum_types_with_their_tables(container, metadata)
            for container in (upgrade_ops, downgrade_ops):
                _enum_types_before_their_columns(container, set())
            _defaults_around_kind_changes(upgrade_ops, metadata)
            _defaults_around_kind_changes(downgrade_ops, None)
        if dialect == "sqlite" and metadata is not None and migration_context.connection is not None:
            for container in (upgrade_ops, downgrade_ops):
                _checks_go_with_their_column(container, metadata, migration_context.connection)


def _enum_types_before_their_columns(container: ops.OpContainer, created: set[str]) -> None:
    """add_column creates no enum type (CREATE TABLE does): a native enum column added to a table
    that exists gets its type first, unless a table created earlier in the revision made it. The
    type may already be there (another table's, or left by a dropped column): created only if
    missing, in SQL, so `--sql` writes it too."""
    rewritten: list[ops.MigrateOperation] = []
    for op in container.ops:
        if isinstance(op, ops.CreateTableOp):
            created |= _native_enum_names(op.to_table())
        elif isinstance(op, ops.OpContainer):
            _enum_types_before_their_columns(op, created)
        elif isinstance(op, ops.AddColumnOp):
            type_ = op.column.type
            if isinstance(type_, Enum) and type_.native_enum and type_.name and type_.name not in created:
                created.add(type_.name)
                rewritten.append(ops.ExecuteSQLOp(_create_enum_type(type_.name, list(type_.enums))))
        rewritten.append(op)
    container.ops = rewritten


def _create_enum_type(name: str, values: list[str]) -> str:
    quoted = '"' + name.replace('"', '""') + '"'
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return (
        f"DO $$ BEGIN CREATE TYPE {quoted} AS ENUM ({listed}); "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )


# --- PostgreSQL: a default across a type change ----------------------------


def _defaults_around_kind_changes(container: ops.OpContainer, metadata: MetaData | None) -> None:
    """PostgreSQL casts a column's default to its new type, with the casts it allows in an
    assignment: none from boolean to smallint, from varchar to numeric or to an enum (`default
    for column ... cannot be cast automatically`), even where the rows get `USING`. A type
    change to another kind of type drops the default first, then sets the new one (the models'
    in the upgrade, the one the database had in the downgrade) with the type."""
    rewritten: list[ops.MigrateOperation] = []
    for op in container.ops:
        if isinstance(op, ops.OpContainer):
            _defaults_around_kind_changes(op, metadata)
        elif (
            type(op) is ops.AlterColumnOp  # not an enum's own operation (_enums.py)
            and op.modify_type is not None
            and op.existing_type is not None
            and op.existing_server_default not in (None, False)
            and _another_kind(op.existing_type, op.modify_type)
        ):
            rewritten.append(
                ops.AlterColumnOp(
                    op.table_name,
                    op.column_name,
                    schema=op.schema,
                    modify_server_default=None,
                    existing_server_default=op.existing_server_default,
                    existing_type=op.existing_type,
                    existing_nullable=op.existing_nullable,
                )
            )
            if op.modify_server_default is False:
                op.modify_server_default = _model_default(op, metadata)
        rewritten.append(op)
    container.ops = rewritten


def _another_kind(old: Any, new: Any) -> bool:
    def native(type_: Any) -> bool:
        return isinstance(type_, Enum) and bool(type_.native_enum)

    return _narrowing._kind(old) != _narrowing._kind(new) or native(old) != native(new)


def _model_default(op: ops.AlterColumnOp, metadata: MetaData | None) -> Any:
    """The default the models give the column (the upgrade), else the one it had (the downgrade)."""
    key = f"{op.schema}.{op.table_name}" if op.schema else op.table_name
    table = metadata.tables.get(key) if metadata is not None else None
    if table is not None and op.column_name in table.c:
        return table.c[op.column_name].server_default
    return op.existing_server_default


# --- Drops in an order MySQL accepts -------------------------------------


def _drop_indexes_with_their_table(container: ops.OpContainer) -> None:
    """DROP TABLE removes its indexes: dropping one on a foreign-key column first fails on MySQL."""
    dropped = {(op.schema, op.table_name) for op in container.ops if isinstance(op, ops.DropTableOp)}
    if dropped:
        _remove(
            container, lambda op: isinstance(op, ops.DropIndexOp) and (op.schema, op.table_name) in dropped
        )


def _is_foreign_key_drop(op: ops.MigrateOperation) -> TypeGuard[ops.DropConstraintOp]:
    return isinstance(op, ops.DropConstraintOp) and op.constraint_type == "foreignkey"


def _foreign_keys_before_indexes(container: ops.OpContainer) -> None:
    """A foreign key needs an index on its columns: drop the key before the index (MySQL 1553)."""
    for op in container.ops:
        if isinstance(op, ops.OpContainer):
            _foreign_keys_before_indexes(op)
    if any(isinstance(op, ops.DropIndexOp) for op in container.ops):
        container.ops.sort(key=lambda op: 0 if _is_foreign_key_drop(op) else 1)  # stable: keeps the rest


def _foreign_keys_around_index_drops(container: ops.OpContainer, metadata: MetaData) -> None:
    """MySQL cannot drop the index a kept foreign key uses: drop the key, the index, then add the key back.

    Added back, the key gets an index of its own that MySQL creates and names
    after it, which Alembic leaves out of its comparison.
    """
    dropped_keys = {op.constraint_name for op in walk(container) if _is_foreign_key_drop(op)}
    for group in [container, *(op for op in container.ops if isinstance(op, ops.ModifyTableOps))]:
        rewritten: list[ops.MigrateOperation] = []
        for op in group.ops:
            keys = _keys_needing(op, metadata, dropped_keys) if isinstance(op, ops.DropIndexOp) else []
            rewritten += [ops.DropConstraintOp.from_constraint(key) for key in keys]
            rewritten.append(op)
            rewritten += [ops.CreateForeignKeyOp.from_constraint(key) for key in keys]
        group.ops = rewritten


def _keys_needing(
    op: ops.DropIndexOp, metadata: MetaData, dropped_keys: set[Any]
) -> list[ForeignKeyConstraint]:
    """The model's foreign keys on op's table whose columns lead the index `op` drops."""
    # A DropIndexOp without a table name finds no table (None is no key of metadata.tables).
    table = metadata.tables.get(f"{op.schema}.{op.table_name}" if op.schema else cast(str, op.table_name))
    if table is None or op._reverse is None:
        return []
    indexed = [getattr(column, "name", str(column)) for column in op.to_index().expressions]
    return [
        key
        for key in sorted(table.foreign_key_constraints, key=lambda key: str(key.name))
        if key.name not in dropped_keys and indexed[: len(key.column_keys)] == [c.name for c in key.columns]
    ]


def _server_indexes_go_with_their_keys(
    container: ops.OpContainer, connection: Connection, metadata: MetaData | Sequence[MetaData]
) -> None:
    """MySQL/MariaDB: a dropped foreign key takes the index the server made for it.

    InnoDB creates an index for a foreign key whose columns no index leads, named
    after the key, and Alembic leaves it out of the comparison while the key exists.
    Dropping the key leaves the index behind, and the next `alembic check` reports it.
    The database tells which index that is (the key's name, its columns first, no model
    index of that name, no other key using it), so the revision drops it right after
    the key: every database the revisions built has it under that name. Upgrade only:
    the downgrade adds the key back, and the server makes the index again. A key
    without a name of its own (no naming convention) is left alone: the server named
    it and its index (after the first column, or after the key on a replay), so no
    name written in a revision holds everywhere.
    """
    inspector = inspect(connection)
    modelled: dict[tuple[str | None, str], set[Any]] = {
        (table.schema, table.name): {index.name for index in table.indexes} for table in _tables(metadata)
    }
    dropped = [op for op in walk(container) if _is_foreign_key_drop(op)]
    for group in [container, *(op for op in container.ops if isinstance(op, ops.ModifyTableOps))]:
        rewritten: list[ops.MigrateOperation] = []
        for op in group.ops:
            rewritten.append(op)
            if _is_foreign_key_drop(op):
                kept_names = modelled.get((op.schema, op.table_name), set())
                index = _server_index(inspector, op, kept_names, dropped)
                if index is not None:
                    rewritten.append(ops.DropIndexOp.from_index(index))
        group.ops = rewritten


def _server_index(
    inspector: Inspector, drop: ops.DropConstraintOp, modelled: set[Any], dropped: list[Any]
) -> Index | None:
    """The index the server made for the foreign key `drop` drops, if it is still there."""
    table_name, schema = drop.table_name, drop.schema
    if not inspector.has_table(table_name, schema=schema):
        return None
    keys = inspector.get_foreign_keys(table_name, schema=schema)
    columns = next((key["constrained_columns"] for key in keys if key["name"] == drop.constraint_name), None)
    if not columns:
        return None
    # Keys the revision keeps: the index may be theirs too (MySQL would refuse to drop it).
    dropped_names = {
        op.constraint_name for op in dropped if (op.table_name, op.schema) == (table_name, schema)
    }
    kept = [key["constrained_columns"] for key in keys if key["name"] not in dropped_names]
    for index in inspector.get_indexes(table_name, schema=schema):
        indexed = [str(name) for name in index["column_names"]]
        if (
            not index["unique"]
            and index["name"] == drop.constraint_name
            and index["name"] not in modelled
            and indexed[: len(columns)] == list(columns)
            and not any(indexed[: len(other)] == list(other) for other in kept)
        ):
            table = Table(
                table_name, MetaData(), *(Column(name, NullType()) for name in indexed), schema=schema
            )
            return Index(index["name"], *(table.c[name] for name in indexed))
    return None


# --- PostgreSQL: enum types go with the last table using them ---------------


def _native_enum_names(table: Table) -> set[str]:
    return {
        column.type.name
        for column in table.columns
        if isinstance(column.type, Enum) and column.type.native_enum and column.type.name
    }


def _drop_enum_types_with_their_tables(container: ops.OpContainer, metadata: MetaData) -> None:
    """DROP TABLE leaves its enum types behind: the next upgrade's CREATE TYPE would fail."""
    dropped = [op for op in container.ops if isinstance(op, ops.DropTableOp)]
    if not dropped:
        return
    dropped_names = {op.table_name for op in dropped}
    still_used: set[str] = set()
    for table in metadata.tables.values():
        if table.name not in dropped_names:
            still_used |= _native_enum_names(table)
    orphans: set[str] = set()
    for op in dropped:
        orphans |= _native_enum_names(op.to_table()) - still_used
    for name in sorted(orphans):
        quoted = name.replace('"', '""')
        container.ops.append(ops.ExecuteSQLOp(f'DROP TYPE IF EXISTS "{quoted}"'))


# --- SQLite: a named CHECK goes with its column ---------------------------


def _checks_go_with_their_column(
    container: ops.OpContainer, metadata: MetaData, connection: Connection
) -> None:
    """Batch mode copies a named CHECK into the new table even when its column is dropped.

    SQLite then fails ("no such column") on the CREATE TABLE of the copy: drop
    the CHECK first. A column the revision added (the downgrade) names its CHECK
    through its type and the naming convention; an existing one (the upgrade)
    through the database.
    """
    for group in container.ops:
        if not isinstance(group, ops.ModifyTableOps):
            continue
        with_checks: list[ops.MigrateOperation] = []
        for op in group.ops:
            if isinstance(op, ops.DropColumnOp):
                for name in _column_check_names(op, metadata, connection):
                    # conv(): the name is final; the naming convention must not wrap it again.
                    final = conv(name) if name else name
                    with_checks.append(
                        ops.DropConstraintOp(final, op.table_name, type_="check", schema=op.schema)
                    )
            with_checks.append(op)
        group.ops = with_checks


def _column_check_names(op: ops.DropColumnOp, metadata: MetaData, connection: Connection) -> list[str | None]:
    column = op.to_column()
    type_ = column.type
    if isinstance(type_, SchemaType) and getattr(type_, "create_constraint", False):
        if not type_.name:  # batch mode leaves an unnamed CHECK behind by itself
            return []
        table = Table(op.table_name, MetaData(naming_convention=metadata.naming_convention), column._copy())
        preparer = connection.dialect.identifier_preparer
        return [preparer.format_constraint(c) for c in table.constraints if isinstance(c, CheckConstraint)]
    inspector = inspect(connection)
    if not inspector.has_table(op.table_name):
        return []
    mentioned = mentions(op.column_name)
    return [
        check["name"]
        for check in inspector.get_check_constraints(op.table_name)
        if check.get("name") and mentioned.search(check.get("sqltext") or "")
    ]


# --- UNIQUE on the primary key ------------------------------------------------


def without_unique_on_primary_key(include_object: IncludeObject) -> IncludeObject:
    """`include_object`, also leaving out UNIQUE constraints identical to their table's primary key.

    PostgreSQL silently skips such a UNIQUE in CREATE TABLE, so autogenerate
    would ask for it on every run (and `alembic check` would never be clean);
    the primary key enforces it anyway. This must happen while comparing, not
    in process_revision_directives: pytest-alembic reads the comparison first.
    """

    def include(object_: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "unique_constraint" and _duplicates_primary_key(object_):
            return False
        return include_object(object_, name, type_, reflected, compare_to)

    return include


def _duplicates_primary_key(constraint: Any) -> bool:
    table = getattr(constraint, "table", None)
    primary_key = set(table.primary_key.columns.keys()) if table is not None else set()
    return bool(primary_key) and set(constraint.columns.keys()) == primary_key


def _remove(container: ops.OpContainer, unwanted: Callable[[ops.MigrateOperation], bool]) -> None:
    """Remove the operations `unwanted(op)` picks, and table groups left empty."""
    kept: list[ops.MigrateOperation] = []
    for op in container.ops:
        if isinstance(op, ops.OpContainer):
            _remove(op, unwanted)
            if op.ops:
                kept.append(op)
        elif not unwanted(op):
            kept.append(op)
    container.ops = kept

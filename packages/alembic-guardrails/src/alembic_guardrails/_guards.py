"""Rules for what autogenerate may see and what it may write.

env.py wires these into Alembic; they are plain functions over Alembic's
operation objects, so they are tested without a database.

- `TableFilter` hides ignored tables (by name, before reflection).
- `check_revision` rewrites what it can make safe (renames the command line
  names, NULLs filled before NOT NULL: rewrites.py), refuses empty revisions
  and revisions that lose data or fail on existing rows unless the command
  line allows it explicitly, and returns review points: operations that are
  safe for the data but may block a busy table or fail on duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from alembic.operations import ops
from alembic.util import CommandError
from sqlalchemy import DefaultClause
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.default import DefaultDialect

from ._messages import text
from ._narrowing import narrows
from ._rewrites import Rename, apply_renames, fill_nulls_before_not_null, parse_renames

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"", "0", "false", "no", "off"}
# Server defaults PostgreSQL evaluates per row: adding a column with one rewrites the table.
VOLATILE_DEFAULTS = (
    "random(",
    "gen_random_uuid(",
    "uuid_generate_",
    "clock_timestamp(",
    "now(",
    "timeofday(",
)


def split_list(value: str | None) -> tuple[str, ...]:
    """`"a, b,,c"` -> `("a", "b", "c")`: the comma-separated lists of alembic.ini."""
    return tuple(item.strip() for item in (value or "").split(",") if item.strip())


@dataclass(frozen=True)
class TableFilter:
    """Tables autogenerate and `alembic check` must never see."""

    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()

    def ignores(self, table_name: str | None) -> bool:
        if not table_name:
            return False
        return table_name.startswith(self.prefixes) or table_name.endswith(self.suffixes)

    def include_name(self, name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
        # Runs before reflection: an ignored table is never even inspected.
        if type_ == "table":
            return not self.ignores(name)
        return not self.ignores(parent_names.get("table_name"))

    def include_object(
        self, object_: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        # Covers what include_name cannot: tables that exist only in the models.
        table = name if type_ == "table" else getattr(getattr(object_, "table", None), "name", None)
        return not self.ignores(table)


def _flag(x_args: Mapping[str, str], key: str) -> bool:
    value = x_args.get(key, "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise CommandError(text("bad_flag", flag=key, value=x_args[key]))


@dataclass(frozen=True)
class Overrides:
    """What `-x key=value` on the command line allows or says."""

    allow_destructive: bool = False
    allow_protected: frozenset[str] = frozenset()
    renames: tuple[Rename, ...] = ()

    @classmethod
    def from_x_arguments(cls, x_args: Mapping[str, str]) -> Overrides:
        return cls(
            allow_destructive=_flag(x_args, "allow_destructive"),
            allow_protected=frozenset(split_list(x_args.get("allow_protected"))),
            renames=parse_renames(x_args.get("rename")),
        )


@dataclass(frozen=True)
class Finding:
    table: str
    column: str | None
    action: str

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        return f"{where}: {self.action}"


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


def _has_server_default(op: ops.AlterColumnOp) -> bool:
    return any(
        default not in (False, None) for default in (op.modify_server_default, op.existing_server_default)
    )


def added_columns(upgrade_ops: ops.OpContainer) -> dict[tuple[str, str], Any]:
    """Columns this revision adds to tables that already exist, by (table, column name)."""
    new_tables = created_tables(upgrade_ops)
    return {
        (op.table_name, op.column.name): op.column
        for op in walk(upgrade_ops)
        if isinstance(op, ops.AddColumnOp) and op.table_name not in new_tables
    }


def _unique_columns(op: ops.MigrateOperation) -> tuple[str, str, list[str]] | None:
    """(table, name, column names) of the unique constraint or unique index `op` creates."""
    if isinstance(op, ops.CreateUniqueConstraintOp):
        name = op.constraint_name
    elif isinstance(op, ops.CreateIndexOp) and op.unique:
        name = op.index_name
    else:
        return None
    # Names from autogenerate; Column objects from an Index built in code.
    return op.table_name, str(name), [str(getattr(column, "name", column)) for column in op.columns]


def _same_default_for_every_row(column: Any) -> bool:
    """A constant server default: every existing row gets the same value (a function like
    gen_random_uuid() gives each row its own; identity and computed values differ per row)."""
    return isinstance(column.server_default, DefaultClause) and not _is_volatile(column.server_default)


def _alter_findings(op: ops.AlterColumnOp, dialect: str | None) -> Iterator[Finding]:
    if op.modify_type is not None and narrows(op.existing_type, op.modify_type, dialect):
        action = text("narrow_type", old=str(op.existing_type), new=str(op.modify_type))
        yield Finding(op.table_name, op.column_name, action)
    # With a server default the NULLs are filled first (rewrites.fill_nulls_before_not_null).
    if op.modify_nullable is False and op.existing_nullable is not False and not _has_server_default(op):
        yield Finding(op.table_name, op.column_name, text("not_null"))


def _rename_hint(op: ops.DropTableOp | ops.DropColumnOp, upgrade_ops: ops.OpContainer) -> str:
    """`drop` paired with an `add` in the same revision may be a rename: show the rewrite."""
    if isinstance(op, ops.DropTableOp):
        for other in upgrade_ops.ops:
            if isinstance(other, ops.CreateTableOp):
                return " " + text("maybe_rename_table", old=op.table_name, new=other.table_name)
        return ""
    for container in upgrade_ops.ops:
        if isinstance(container, ops.ModifyTableOps) and container.table_name == op.table_name:
            for other in container.ops:
                if isinstance(other, ops.AddColumnOp):
                    return " " + text(
                        "maybe_rename_column", table=op.table_name, old=op.column_name, new=other.column.name
                    )
    return ""


def destructive_operations(upgrade_ops: ops.OpContainer, dialect: str | None = None) -> list[Finding]:
    """Operations that lose data or fail on rows that already exist."""
    found: list[Finding] = []
    new_tables = created_tables(upgrade_ops)
    for op in walk(upgrade_ops):
        if isinstance(op, ops.DropTableOp):
            found.append(Finding(op.table_name, None, text("drop_table") + _rename_hint(op, upgrade_ops)))
        elif isinstance(op, ops.DropColumnOp):
            found.append(
                Finding(op.table_name, op.column_name, text("drop_column") + _rename_hint(op, upgrade_ops))
            )
        elif isinstance(op, ops.AlterColumnOp):
            found.extend(_alter_findings(op, dialect))
        elif isinstance(op, ops.AddColumnOp) and op.table_name not in new_tables:
            found.extend(_added_column_findings(op, dialect))
    found.extend(_unique_over_a_default(upgrade_ops))
    return found


def _added_column_findings(op: ops.AddColumnOp, dialect: str | None) -> Iterator[Finding]:
    column = op.column
    if column.identity is not None and dialect != "postgresql":
        # Only PostgreSQL numbers the existing rows; SQLAlchemy drops Identity() on MySQL/MariaDB.
        yield Finding(op.table_name, column.name, text("add_identity"))
    elif not column.nullable and column.server_default is None and not column.primary_key:
        yield Finding(op.table_name, column.name, text("add_not_null"))


def _unique_over_a_default(upgrade_ops: ops.OpContainer) -> Iterator[Finding]:
    """A unique constraint over columns added with one constant default: two rows already collide."""
    added = added_columns(upgrade_ops)
    for op in walk(upgrade_ops):
        unique = _unique_columns(op)
        if unique is None:
            continue
        table, name, columns = unique
        new_columns = [added[(table, column)] for column in columns if (table, column) in added]
        if len(new_columns) == len(columns) and all(map(_same_default_for_every_row, new_columns)):
            for column in new_columns:
                default = str(cast(DefaultClause, column.server_default).arg)
                yield Finding(table, column.name, text("unique_default", name=name, default=default))


def _refuse_broken_models(upgrade_ops: ops.OpContainer) -> None:
    """Models no database accepts: refused whatever the overrides, with the fix."""
    for op in walk(upgrade_ops):
        if isinstance(op, ops.CreateIndexOp) and not op.columns:
            raise CommandError(text("empty_index", name=op.index_name, table=op.table_name))
        if isinstance(op, ops.CreateTableOp):
            for index in getattr(op.to_table(), "indexes", ()):
                if not index.expressions:
                    raise CommandError(text("empty_index", name=index.name, table=op.table_name))


def _is_volatile(default: Any) -> bool:
    if default is None:
        return False
    sql = str(getattr(default, "arg", default)).lower().replace(" ", "")
    return any(function in sql for function in VOLATILE_DEFAULTS)


def _type_change_point(op: ops.AlterColumnOp, dialect: str | None) -> str | None:
    """A type change that rewrites or copies the whole table while holding it locked."""
    old, new = op.existing_type, op.modify_type
    if old is None or new is None:
        return None
    enums = isinstance(old, sqltypes.Enum) and isinstance(new, sqltypes.Enum)
    if enums and list(new.enums[: len(old.enums)]) == list(old.enums):
        return None  # values appended at the end: PostgreSQL ADD VALUE, MySQL/MariaDB in place
    strings = isinstance(old, sqltypes.String) and isinstance(new, sqltypes.String)
    if dialect == "postgresql":
        # Widening a VARCHAR or making it TEXT is a catalogue change; other changes rewrite.
        if strings and not isinstance(old, sqltypes.Enum):
            return None
        return text("review_rewrite", old=str(old), new=str(new))
    if dialect == "mysql":
        # In place only while the length keeps its 1-byte prefix (up to 255 bytes, 4 per character).
        if strings and not enums and old.length and new.length and new.length * 4 <= 255:
            return None
        return text("review_copy", old=str(old), new=str(new))
    return None


def _column_points(op: ops.MigrateOperation, dialect: str | None, existing: bool) -> Iterator[str]:
    if isinstance(op, ops.AlterColumnOp):
        where = f"{op.table_name}.{op.column_name}: "
        if op.modify_nullable is True and op.existing_nullable is False:
            yield where + text("review_drop_not_null")
        if op.modify_type is not None and not narrows(op.existing_type, op.modify_type, dialect):
            point = _type_change_point(op, dialect)
            if point:
                yield where + point
        if op.modify_nullable is False and op.existing_nullable is not False and _has_server_default(op):
            yield where + text("review_filled")
    elif isinstance(op, ops.AddColumnOp) and existing:
        where = f"{op.table_name}.{op.column.name}: "
        computed = op.column.computed
        if dialect == "postgresql" and _is_volatile(op.column.server_default):
            yield where + text(
                "review_volatile_default", default=str(cast(DefaultClause, op.column.server_default).arg)
            )
        elif dialect == "postgresql" and op.column.identity is not None:
            yield where + text("review_identity")
        elif dialect == "postgresql" and computed is not None:
            yield where + text("review_generated_rewrite")  # PostgreSQL's generated columns are stored
        elif dialect == "mysql" and computed is not None and computed.persisted:
            yield where + text("review_generated_copy")


def _table_points(
    op: ops.MigrateOperation, dialect: str | None, online: bool, all_null: set[tuple[str, str]]
) -> Iterator[str]:
    # `online`: migrations.online_ddl writes the index CONCURRENTLY and the foreign
    # key NOT VALID on PostgreSQL, so those need no word; duplicates still fail,
    # except over columns this revision adds without a default: NULLs never collide.
    unique = _unique_columns(op)
    if unique and not all((unique[0], column) in all_null for column in unique[2]):
        yield f"{unique[0]}: " + text("review_unique_constraint", name=unique[1])
    if isinstance(op, ops.CreateIndexOp):
        if dialect == "postgresql" and not online and not op.kw.get("postgresql_concurrently"):
            yield f"{op.table_name}: " + text("review_index", name=op.index_name)
    elif isinstance(op, ops.CreateForeignKeyOp) and not online and dialect != "mysql":
        # MySQL/MariaDB: online_ddl says that adding the key copies the table.
        yield f"{op.source_table}: " + text("review_foreign_key_named", name=op.constraint_name)


def review_points(
    upgrade_ops: ops.OpContainer, dialect: str | None = None, *, online: bool = False
) -> list[str]:
    """Operations that are allowed but deserve a second look in the review."""
    points = []
    new_tables = created_tables(upgrade_ops)
    all_null = {
        key
        for key, column in added_columns(upgrade_ops).items()
        if column.nullable and column.server_default is None
    }
    for op in walk(upgrade_ops):
        table = getattr(op, "table_name", None) or getattr(op, "source_table", None)
        existing = table not in new_tables
        if isinstance(op, ops.DropIndexOp):
            points.append(f"{op.table_name}: " + text("drop_index", name=op.index_name))
        elif isinstance(op, ops.DropConstraintOp):
            kind = op.constraint_type or "constraint"
            points.append(f"{op.table_name}: " + text("drop_constraint", kind=kind, name=op.constraint_name))
        elif existing:
            points.extend(_table_points(op, dialect, online, all_null))
        points.extend(_column_points(op, dialect, existing))
    return points


def _listing(headline: str, findings: list[Finding], fix: str) -> str:
    return "\n".join([headline, *(f"  - {finding}" for finding in findings), fix])


def check_revision(
    script: ops.MigrationScript,
    *,
    protected_tables: Iterable[str],
    overrides: Overrides,
    dialect: Dialect | None = None,
    online: bool = False,
) -> list[str]:
    """Rewrite, then refuse (CommandError) an empty or unsafe autogenerated revision; return review points.

    `script` is the MigrationScript autogenerate built; `dialect` the SQLAlchemy
    dialect of the database it compared against (its name picks the review points);
    `online`: migrations.online_ddl will write PostgreSQL's online forms.
    """
    dialect = dialect or DefaultDialect()
    name = dialect.name
    upgrade_ops_list = list(script.upgrade_ops_list)
    if all(upgrade_ops.is_empty() for upgrade_ops in upgrade_ops_list):
        raise CommandError(text("empty_revision"))
    apply_renames(script, overrides.renames)
    for upgrade_ops in upgrade_ops_list:
        _refuse_broken_models(upgrade_ops)
    findings = [f for upgrade_ops in upgrade_ops_list for f in destructive_operations(upgrade_ops, name)]
    protected = set(protected_tables) - overrides.allow_protected
    on_protected = [f for f in findings if f.table in protected]
    if on_protected:
        tables = ",".join(sorted({f.table for f in on_protected}))
        raise CommandError(_listing(text("protected"), on_protected, text("protected_fix", tables=tables)))
    if findings and not overrides.allow_destructive:
        raise CommandError(_listing(text("destructive"), findings, text("destructive_fix")))
    points = [
        point for upgrade_ops in upgrade_ops_list for point in review_points(upgrade_ops, name, online=online)
    ]
    for upgrade_ops in upgrade_ops_list:
        fill_nulls_before_not_null(upgrade_ops, dialect)
    return points

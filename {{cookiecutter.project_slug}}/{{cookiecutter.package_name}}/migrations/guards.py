"""Rules for what autogenerate may see and what it may write.

env.py wires these into Alembic; they are plain functions over Alembic's
operation objects, so they are tested without a database.

- `TableFilter` hides ignored tables (by name, before reflection).
- `check_revision` refuses empty revisions and revisions that lose data or
  fail on existing rows, unless the command line allows it explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alembic.operations import ops
from alembic.util import CommandError
from sqlalchemy import types as sqltypes

from .messages import text

TRUE_WORDS = {"1", "true", "yes", "on"}


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


@dataclass(frozen=True)
class Overrides:
    """What `-x key=value` on the command line allows."""

    allow_destructive: bool = False
    allow_protected: frozenset[str] = frozenset()

    @classmethod
    def from_x_arguments(cls, x_args: Mapping[str, str]) -> Overrides:
        return cls(
            allow_destructive=x_args.get("allow_destructive", "").lower() in TRUE_WORDS,
            allow_protected=frozenset(split_list(x_args.get("allow_protected"))),
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


def _size(type_: Any) -> tuple[Any, ...] | None:
    """The parts of a type that bound its values: length, or precision and scale."""
    if isinstance(type_, sqltypes.String):
        return (type_.length,)
    if isinstance(type_, sqltypes.Numeric):
        return (type_.precision, type_.scale)
    return None


def _python_type(type_: Any) -> Any:
    try:
        return type_.python_type
    except NotImplementedError:
        return None


def _kind_change_loses(old_kind: Any, new_kind: Any) -> bool:
    """A change of kind (text to number, ...) fails on values that do not convert."""
    if old_kind is None or new_kind is None or old_kind is new_kind:
        return False
    if new_kind is str:  # every value has a text form; its length is checked below
        return False
    return not (old_kind is int and new_kind in (float, Decimal))


def narrows(old: Any, new: Any) -> bool:
    """True when values of `old` may not fit in `new` (shorter, less precise, other kind)."""
    if old is None or new is None:
        return False
    if _kind_change_loses(_python_type(old), _python_type(new)):
        return True
    old_size, new_size = _size(old), _size(new)
    if old_size is None or new_size is None or len(old_size) != len(new_size):
        return False
    return any(
        after is not None and (before is None or after < before)
        for before, after in zip(old_size, new_size, strict=False)
    )


def _alter_findings(op: ops.AlterColumnOp) -> Iterator[Finding]:
    if op.modify_type is not None and narrows(op.existing_type, op.modify_type):
        action = text("narrow_type", old=str(op.existing_type), new=str(op.modify_type))
        yield Finding(op.table_name, op.column_name, action)
    defaults = (op.modify_server_default, op.existing_server_default)
    has_default = any(default not in (False, None) for default in defaults)
    if op.modify_nullable is False and op.existing_nullable is not False and not has_default:
        yield Finding(op.table_name, op.column_name, text("not_null"))


def destructive_operations(upgrade_ops: Any) -> list[Finding]:
    """Operations that lose data or fail on rows that already exist."""
    found: list[Finding] = []
    for op in walk(upgrade_ops):
        if isinstance(op, ops.DropTableOp):
            found.append(Finding(op.table_name, None, text("drop_table")))
        elif isinstance(op, ops.DropColumnOp):
            found.append(Finding(op.table_name, op.column_name, text("drop_column")))
        elif isinstance(op, ops.AlterColumnOp):
            found.extend(_alter_findings(op))
    return found


def review_points(upgrade_ops: Any) -> list[str]:
    """Operations that are allowed but deserve a second look in the review."""
    points = []
    for op in walk(upgrade_ops):
        if isinstance(op, ops.DropIndexOp):
            points.append(f"{op.table_name}: " + text("drop_index", name=op.index_name))
        elif isinstance(op, ops.DropConstraintOp):
            kind = op.constraint_type or "constraint"
            points.append(
                f"{op.table_name}: " + text("drop_constraint", kind=kind, name=str(op.constraint_name))
            )
        elif isinstance(op, ops.AddColumnOp) and not op.column.nullable and op.column.server_default is None:
            points.append(f"{op.table_name}.{op.column.name}: " + text("add_not_null"))
    return points


def _listing(headline: str, findings: list[Finding], fix: str) -> str:
    return "\n".join([headline, *(f"  - {finding}" for finding in findings), fix])


def check_revision(
    upgrade_ops_list: Iterable[Any],
    *,
    protected_tables: Iterable[str],
    overrides: Overrides,
) -> list[str]:
    """Refuse (CommandError) an empty or unsafe autogenerated revision; return review points."""
    upgrade_ops_list = list(upgrade_ops_list)
    if all(upgrade_ops.is_empty() for upgrade_ops in upgrade_ops_list):
        raise CommandError(text("empty_revision"))
    findings = [f for upgrade_ops in upgrade_ops_list for f in destructive_operations(upgrade_ops)]
    protected = set(protected_tables) - overrides.allow_protected
    on_protected = [f for f in findings if f.table in protected]
    if on_protected:
        tables = ",".join(sorted({f.table for f in on_protected}))
        raise CommandError(_listing(text("protected"), on_protected, text("protected_fix", tables=tables)))
    if findings and not overrides.allow_destructive:
        raise CommandError(_listing(text("destructive"), findings, text("destructive_fix")))
    return [point for upgrade_ops in upgrade_ops_list for point in review_points(upgrade_ops)]

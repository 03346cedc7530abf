"""Downgrades that run on the rows a table holds, and say what they cannot give back.

Autogenerate writes the downgrade as the mirror of the upgrade, as if the
database were still the one the upgrade found. It is not: the upgrade dropped
values, and rows came and went since. `downgrades_that_run` rewrites the
downgrade after the guards have judged the upgrade:

- a column the upgrade drops comes back with `add_column`. NOT NULL without a
  server default fails on the first row (SQLite: `Cannot add a NOT NULL column
  with default value NULL`, even on an empty table): it comes back nullable.
  With a server default it comes back as it was, every row holding the default.
  Either way a comment in the revision and a warning when it runs say that its
  values are gone;
- a table the upgrade drops comes back empty: said the same way;
- NOT NULL that the downgrade restores on a column without a server default
  fails on the rows given NULL since the upgrade: a comment says so (with a
  default, _rewrites.fill_nulls_before_not_null fills them first);
- a type the downgrade narrows again, or casts to another kind on PostgreSQL
  (`postgresql_using`, _rewrites.cast_across_kinds), fails on values written
  since that do not fit: a comment says so.

`NoteOp` is what writes the comment (and the warning): Alembic renders it where
the operation it speaks of is, in batch mode too.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from alembic.autogenerate.render import renderers
from alembic.operations import ops

from ._messages import text
from ._narrowing import narrows
from ._rewrites import CastingAlterColumnOp, default_sql, fill_default

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from sqlalchemy.engine import Dialect

# The logger Alembic's own "Running downgrade ..." lines come from: alembic.ini shows it.
LOGGER = "alembic.runtime.migration"
WIDTH = 96


class NoteOp(ops.MigrateOperation):
    """A comment in the revision; with `warn`, the same words logged as a warning when it runs."""

    def __init__(self, words: str, *, warn: bool = False) -> None:
        self.words = words
        self.warn = warn


def comment_lines(words: str, width: int = WIDTH) -> list[str]:
    """`words` as `# ...` lines. A line never ends with a colon: Mako's printer would indent
    the lines after it as a block."""
    lines: list[str] = []
    for line in textwrap.wrap(words, width):
        if lines and lines[-1].endswith(":"):
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return [f"# {line}" for line in lines]


@renderers.dispatch_for(NoteOp)
def _render_note(autogen_context: AutogenContext, op: NoteOp) -> list[str]:
    lines = comment_lines(op.words)
    if op.warn:
        autogen_context.imports.add("import logging")
        lines.append(f"logging.getLogger({LOGGER!r}).warning({op.words!r})")
    return lines


def downgrades_that_run(downgrade_ops: ops.OpContainer, dialect: Dialect) -> None:
    """Rewrite the downgrade (see the module docstring)."""
    created = {op.table_name for op in downgrade_ops.ops if isinstance(op, ops.CreateTableOp)}
    _rewrite(downgrade_ops, created, dialect)


def _rewrite(container: ops.OpContainer, created: set[str], dialect: Dialect) -> None:
    rewritten: list[ops.MigrateOperation] = []
    for op in container.ops:
        if isinstance(op, ops.OpContainer):
            _rewrite(op, created, dialect)
            rewritten.append(op)
            continue
        note: NoteOp | None = None
        if isinstance(op, ops.CreateTableOp):
            note = NoteOp(text("table_back", table=op.table_name), warn=True)
        elif isinstance(op, ops.AddColumnOp) and op.table_name not in created:
            note, op = _column_back(op, dialect)
        elif isinstance(op, ops.AlterColumnOp):
            note = _alter_note(op, dialect)
        rewritten += [note, op] if note is not None else [op]
    container.ops = rewritten


def _column_back(op: ops.AddColumnOp, dialect: Dialect) -> tuple[NoteOp, ops.AddColumnOp]:
    """A dropped column added back: in a form the rows it meets accept, and said so."""
    column = op.column
    where = {"table": op.table_name, "column": column.name}
    default = column.server_default
    if default is not None:
        # A plain default fills every row; Identity() and Computed() number or compute them.
        if hasattr(default, "arg"):
            spelled = default_sql(default, dialect)
        else:
            spelled = str(getattr(default, "sqltext", type(default).__name__))
        return NoteOp(text("column_back_default", default=spelled, **where), warn=True), op
    if column.nullable or column.primary_key:
        return NoteOp(text("column_back_empty", **where), warn=True), op
    nullable = column._copy()
    nullable.nullable = True
    back = ops.AddColumnOp(op.table_name, nullable, schema=op.schema)
    return NoteOp(text("column_back_nullable", **where), warn=True), back


def _alter_note(op: ops.AlterColumnOp, dialect: Dialect) -> NoteOp | None:
    where: dict[str, Any] = {"table": op.table_name, "column": op.column_name}
    if op.modify_nullable is False and op.existing_nullable is not False and fill_default(op) is None:
        return NoteOp(text("not_null_back", **where))
    old, new = op.existing_type, op.modify_type
    if old is None or new is None:
        return None
    if isinstance(op, CastingAlterColumnOp):
        return NoteOp(text("cast_back", old=_spelled(old, dialect), new=_spelled(new, dialect), **where))
    if narrows(old, new, dialect.name):
        return NoteOp(text("narrowed_back", old=_spelled(old, dialect), new=_spelled(new, dialect), **where))
    return None


def _spelled(type_: Any, dialect: Dialect) -> str:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # noqa: BLE001 - a type this dialect cannot spell: its generic name
        return str(type_)

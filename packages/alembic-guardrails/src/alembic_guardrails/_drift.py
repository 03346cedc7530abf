"""What `alembic check` found, one line a person can read per difference.

Alembic's own message is the list of `as_diffs()` tuples, object reprs included
(`Table(...)`, `DefaultClause(<TextClause object at 0x...>)`). `lines()` reads the
operations autogenerate built instead and says, for each difference, where it is
(table, column or index), what the models say and what the database has:

    users.email: server default — models: 'x', database: none

Guardrails.process_revision_directives prints them on stderr for `alembic check`
(and tools comparing from Python), before Alembic raises its own error, whose
wording ("New upgrade operations detected") and exit status stay as they were.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from alembic.operations import ops
from sqlalchemy import Enum
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import CheckConstraint, Constraint, ForeignKeyConstraint, Index
from sqlalchemy.sql.elements import ClauseElement, TextClause

from . import _defaults, _messages
from ._enums import AddEnumValuesOp


def lines(script: ops.MigrationScript, dialect: Dialect) -> list[str]:
    """One line per difference in the upgrade operations of `script`."""
    found: list[str] = []
    for upgrade_ops in script.upgrade_ops_list:
        found += _describe_all(upgrade_ops.ops, dialect)
    return found


def report(script: ops.MigrationScript, dialect: Dialect) -> str | None:
    """The header and the lines, or None when models and database agree."""
    found = lines(script, dialect)
    if not found:
        return None
    return "\n".join([_messages.text("drift_header", count=len(found)), *(f"  {line}" for line in found)])


def _describe_all(operations: list[ops.MigrateOperation], dialect: Dialect) -> list[str]:
    found: list[str] = []
    for op in operations:
        if isinstance(op, ops.ModifyTableOps):
            found += _describe_all(op.ops, dialect)
            continue
        try:
            found += _describe(op, dialect)
        except Exception:  # never fail `alembic check` over a description: say what kind it is
            subject = str(getattr(op, "table_name", None) or type(op).__name__)
            found.append(_messages.text("drift_other", subject=subject, kind=type(op).__name__))
    return found


def _line(subject: str, what: str, models: str | None, database: str | None) -> str:
    none = _messages.text("drift_none")
    return _messages.text(
        "drift_line",
        subject=subject,
        what=what.strip(),
        models=none if models is None else models,
        database=none if database is None else database,
    )


def _describe(op: ops.MigrateOperation, dialect: Dialect) -> list[str]:
    if isinstance(op, ops.CreateForeignKeyOp):  # it names its table source_table
        table = _qualified(op.kw.get("source_schema"), op.source_table)
    else:
        table = _qualified(getattr(op, "schema", None), getattr(op, "table_name", None))
    if isinstance(op, ops.CreateTableOp):
        return [_line(table, _messages.text("drift_table"), _columns(op.columns), None)]
    if isinstance(op, ops.DropTableOp):
        columns = op._reverse.columns if op._reverse is not None else []
        return [_line(table, _messages.text("drift_table"), None, _columns(columns) or "?")]
    if isinstance(op, ops.AddColumnOp):
        column = op.column
        return [
            _line(f"{table}.{column.name}", _messages.text("drift_column"), _column(column, dialect), None)
        ]
    if isinstance(op, ops.DropColumnOp):
        dropped = _column(op._reverse.column, dialect) if op._reverse is not None else "?"
        return [_line(f"{table}.{op.column_name}", _messages.text("drift_column"), None, dropped)]
    if isinstance(op, ops.AlterColumnOp):
        return list(_alterations(op, f"{table}.{op.column_name}", dialect))
    if isinstance(op, ops.CreateIndexOp):
        index = op.to_index()
        return [_line(table, _messages.text("drift_index", name=_name(op.index_name)), _indexed(index), None)]
    if isinstance(op, ops.DropIndexOp):
        indexed = _indexed(op.to_index()) if op._reverse is not None else "?"
        return [_line(table, _messages.text("drift_index", name=_name(op.index_name)), None, indexed)]
    if isinstance(op, ops.AddConstraintOp):
        constraint = op.to_constraint()
        return [
            _line(table, _constraint_kind(op.constraint_type, constraint.name), _constrains(constraint), None)
        ]
    if isinstance(op, ops.DropConstraintOp):
        what = _constraint_kind(op.constraint_type, op.constraint_name)
        existing = _constrains(op.to_constraint()) if op._reverse is not None else "?"
        return [_line(table, what, None, existing)]
    if isinstance(op, ops.CreateTableCommentOp):
        return [
            _line(table, _messages.text("drift_comment"), repr(op.comment), _comment(op.existing_comment))
        ]
    if isinstance(op, ops.DropTableCommentOp):
        return [_line(table, _messages.text("drift_comment"), None, _comment(op.existing_comment))]
    if isinstance(op, AddEnumValuesOp):
        return [
            _line(op.enum_name, _messages.text("drift_enum"), _values(op.new_values), _values(op.old_values))
        ]
    if isinstance(op, ops.ExecuteSQLOp):
        return []  # a companion (DROP TYPE after its table), not a difference of its own
    try:
        kind = str(op.to_diff_tuple()[0])
    except NotImplementedError:
        kind = type(op).__name__
    return [_messages.text("drift_other", subject=table or kind, kind=kind)]


def _alterations(op: ops.AlterColumnOp, subject: str, dialect: Dialect) -> Iterator[str]:
    if op.modify_type is not None:
        yield _line(
            subject,
            _messages.text("drift_type"),
            _type(op.modify_type, dialect),
            _type(op.existing_type, dialect),
        )
    if op.modify_nullable is not None:
        yield _line(
            subject,
            _messages.text("drift_nullable"),
            _nullable(op.modify_nullable),
            _nullable(op.existing_nullable) if op.existing_nullable is not None else "?",
        )
    if op.modify_server_default is not False:
        yield _line(
            subject,
            _messages.text("drift_server_default"),
            _default(op.modify_server_default, dialect),
            _default(op.existing_server_default, dialect),
        )
    if op.modify_comment is not False:
        yield _line(
            subject,
            _messages.text("drift_comment"),
            _comment(op.modify_comment),
            _comment(op.existing_comment),
        )


# --- Values as SQL, short --------------------------------------------------------------------


def _qualified(schema: str | None, name: str | None) -> str:
    return f"{schema}.{name}" if schema and name else str(name or "")


def _name(name: Any) -> str:
    return str(name) if name else ""


def _type(type_: Any, dialect: Dialect) -> str:
    if type_ is None:
        return "?"
    if isinstance(type_, Enum) and type_.enums:
        return f"{type_.name or 'ENUM'}{_values(type_.enums)}"
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # a type this dialect cannot write (another dialect's, NullType)
        return repr(type_)


def _nullable(nullable: bool) -> str:
    return "NULL" if nullable else "NOT NULL"


def _default(default: Any, dialect: Dialect) -> str | None:
    """A server default as SQL: `'x'` for the model's "x", the reflected default's own text."""
    if default is None:
        return None
    if isinstance(default, str):
        return default
    if isinstance(default, TextClause):
        return default.text
    arg = getattr(default, "arg", None)
    if isinstance(arg, TextClause):
        return arg.text
    if arg is not None:
        try:
            return _defaults.render(default, dialect)
        except Exception:  # something this dialect cannot compile
            return str(arg)
    if isinstance(default, ClauseElement):
        return str(default.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    return str(default)  # Computed, Identity: their own repr


def _comment(comment: str | None | bool) -> str | None:
    return None if comment is None or comment is False else repr(comment)


def _values(values: Any) -> str:
    return "(" + ", ".join(repr(value) for value in values) + ")"


def _columns(columns: Sequence[Any]) -> str:
    names = [
        str(column.name) for column in columns if getattr(column, "name", None) and hasattr(column, "type")
    ]
    return "(" + ", ".join(names) + ")" if names else ""


def _column(column: Any, dialect: Dialect) -> str:
    spelled = _type(column.type, dialect)
    if not column.nullable:
        spelled += " NOT NULL"
    if column.server_default is not None:
        spelled += f" DEFAULT {_default(column.server_default, dialect)}"
    return spelled


def _indexed(index: Index) -> str:
    expressions = [getattr(expression, "name", None) or str(expression) for expression in index.expressions]
    spelled = "(" + ", ".join(expressions) + ")"
    return f"UNIQUE {spelled}" if index.unique else spelled


def _constraint_kind(constraint_type: str | None, name: Any) -> str:
    name = _name(name)
    if constraint_type == "foreignkey":
        return _messages.text("drift_foreign_key", name=name)
    if constraint_type == "unique":
        return _messages.text("drift_unique", name=name)
    if constraint_type == "check":
        return _messages.text("drift_check", name=name)
    if constraint_type in ("primary", "primarykey"):
        return _messages.text("drift_primary_key", name=name)
    return _messages.text("drift_other", subject=constraint_type or "constraint", kind=name)


def _constrains(constraint: Constraint) -> str:
    if isinstance(constraint, CheckConstraint):
        return str(getattr(constraint.sqltext, "text", constraint.sqltext))
    columns = [column.name for column in getattr(constraint, "columns", [])]
    spelled = "(" + ", ".join(columns) + ")"
    if isinstance(constraint, ForeignKeyConstraint):
        elements = constraint.elements
        referred = elements[0].target_fullname.rsplit(".", 1)[0] if elements else "?"
        targets = ", ".join(element.target_fullname.rsplit(".", 1)[-1] for element in elements)
        spelled += f" -> {referred}({targets})"
    return spelled

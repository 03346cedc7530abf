"""Rows that already break a constraint the revision adds: found before any change is made.

A foreign key over orphan rows, a unique constraint over duplicates, a CHECK
over rows it rejects, NOT NULL over NULLs: the upgrade fails on them, and on
PostgreSQL the online forms fail half-way (the NOT VALID step is committed before
VALIDATE runs in its autocommit block). So, for each such constraint on columns
that already hold rows:

- autogenerate asks the database it compares against (`find`): rows already
  there refuse the revision, naming their count and the query that lists them
  (rules/rows_break_constraint.py);
- the written revision asks again, first thing in `upgrade()` (`add_row_checks`
  writes `refuse_breaking_rows(...)`, helpers.py): on the database it upgrades,
  rows that break the constraint stop it before any DDL, with one line naming
  the constraint and the query.

The query lists the offending rows themselves (`SELECT * FROM ... WHERE ...`), in
SQL every supported database runs: a user pastes it into psql or mysql as it is.
NULLs break none of these but NOT NULL: a foreign key or a unique constraint
ignores a row with a NULL in its columns, a CHECK passes when its condition is NULL.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alembic import op as alembic_op
from alembic.autogenerate import renderers
from alembic.operations import ops
from alembic.util import CommandError
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ClauseElement, TextClause

from ._messages import in_language
from .rules._operations import fills_nulls, walk

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from sqlalchemy.engine import Dialect

    from .rules._rule import Context


@dataclass(frozen=True)
class RowCheck:
    """The constraint, the table it is on, and the SELECT that lists the rows breaking it."""

    kind: str  # "foreign key", "unique", "check", "not null"
    constraint: str
    table: str
    rows: str
    # Tables the query reads: it cannot run before a revision's rename or create of one of them.
    reads: frozenset[str]


def count_sql(check: RowCheck) -> str:
    return f"SELECT count(*) FROM ({check.rows}) AS breaking_rows"


def _columns(columns: Any) -> list[str] | None:
    """Plain column names, or None when one of them is an expression (no simple query)."""
    names = []
    for column in columns:
        if isinstance(column, str):
            names.append(column)
        elif type(column).__name__ == "Column":
            names.append(column.name)
        else:
            return None
    return names


def _sql_text(condition: Any, dialect: Dialect) -> str | None:
    if isinstance(condition, str):
        return condition
    if isinstance(condition, TextClause):
        return condition.text
    if isinstance(condition, ClauseElement):
        try:
            return str(condition.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        except Exception:  # a condition with values SQL cannot inline: not checked ahead
            return None
    return None


class _Quoting:
    def __init__(self, dialect: Dialect) -> None:
        self.quote = dialect.identifier_preparer.quote

    def table(self, name: str, schema: str | None) -> str:
        return f"{self.quote(schema)}.{self.quote(name)}" if schema else self.quote(name)

    def not_null(self, owner: str, columns: list[str]) -> str:
        return " AND ".join(f"{owner}.{self.quote(column)} IS NOT NULL" for column in columns)


def _foreign_key(op: ops.CreateForeignKeyOp, q: _Quoting) -> RowCheck | None:
    local, remote = _columns(op.local_cols), _columns(op.remote_cols)
    if not local or not remote:
        return None
    source = q.table(op.source_table, op.kw.get("source_schema"))
    referent = q.table(op.referent_table, op.kw.get("referent_schema"))
    joined = " AND ".join(
        f"referenced.{q.quote(r)} = {source}.{q.quote(c)}" for c, r in zip(local, remote, strict=True)
    )
    rows = (
        f"SELECT * FROM {source} WHERE {q.not_null(source, local)} "
        f"AND NOT EXISTS (SELECT 1 FROM {referent} AS referenced WHERE {joined})"
    )
    name = str(op.constraint_name or f"{op.source_table}({', '.join(local)})")
    return RowCheck(
        "foreign key", name, op.source_table, rows, frozenset({op.source_table, op.referent_table})
    )


def _unique(op: ops.CreateUniqueConstraintOp | ops.CreateIndexOp, q: _Quoting) -> RowCheck | None:
    names = _columns(op.columns)
    if not names or op.kw.get("mysql_length") or any(key.endswith("_where") for key in op.kw):
        return None  # prefixes and partial indexes: the duplicates are not simple to list
    table = q.table(op.table_name, op.schema)
    listed = ", ".join(q.quote(name) for name in names)
    key = listed if len(names) == 1 else f"({listed})"
    # The duplicated rows themselves (a row-value IN: PostgreSQL, MySQL/MariaDB, SQLite 3.15+);
    # `IN` never matches a NULL, as a unique constraint never compares one.
    rows = (
        f"SELECT * FROM {table} WHERE {key} IN "
        f"(SELECT {listed} FROM {table} GROUP BY {listed} HAVING count(*) > 1)"
    )
    name = op.constraint_name if isinstance(op, ops.CreateUniqueConstraintOp) else op.index_name
    return RowCheck("unique", str(name), op.table_name, rows, frozenset({op.table_name}))


def _check(op: ops.CreateCheckConstraintOp, q: _Quoting, dialect: Dialect) -> RowCheck | None:
    condition = _sql_text(op.condition, dialect)
    if condition is None:
        return None
    rows = f"SELECT * FROM {q.table(op.table_name, op.schema)} WHERE NOT ({condition})"
    return RowCheck("check", str(op.constraint_name), op.table_name, rows, frozenset({op.table_name}))


def _not_null(op: ops.AlterColumnOp, q: _Quoting) -> RowCheck:
    rows = f"SELECT * FROM {q.table(op.table_name, op.schema)} WHERE {q.quote(op.column_name)} IS NULL"
    return RowCheck(
        "not null", f"{op.table_name}.{op.column_name}", op.table_name, rows, frozenset({op.table_name})
    )


def _mentions(condition: str, column: str) -> bool:
    return re.search(rf"(?<![\w$]){re.escape(column)}(?![\w$])", condition) is not None


def row_check(
    op: ops.MigrateOperation, context: Context, dialect: Dialect, unique: Unique | None = None
) -> RowCheck | None:
    """The check for a constraint `op` adds over rows a table already holds (None: nothing to check:
    another operation, a new table, or columns this revision adds, which hold NULL or one default).

    `unique(table, column)`: whether the database keeps the column unique, where NOT NULL fills its
    NULL rows with the default first (they collide, with each other or with a row holding it)."""
    q = _Quoting(dialect)
    added = {column for table, column in context.added_columns if table == getattr(op, "table_name", None)}
    if isinstance(op, ops.CreateForeignKeyOp):
        if not context.existing(op.source_table) or not context.existing(op.referent_table):
            return None
        if {(op.source_table, column) for column in op.local_cols} & set(context.added_columns):
            return None
        return _foreign_key(op, q)
    if isinstance(op, (ops.CreateUniqueConstraintOp, ops.CreateIndexOp)):
        if isinstance(op, ops.CreateIndexOp) and not op.unique:
            return None
        # Autogenerate's index columns are names, or Column objects (whose str() is "table.column").
        if not context.existing(op.table_name) or {getattr(c, "name", str(c)) for c in op.columns} & added:
            return None
        return _unique(op, q)
    if isinstance(op, ops.CreateCheckConstraintOp):
        condition = _sql_text(op.condition, dialect) or ""
        if not context.existing(op.table_name) or any(_mentions(condition, column) for column in added):
            return None
        return _check(op, q, dialect)
    if (
        isinstance(op, ops.AlterColumnOp)
        and op.modify_nullable is False
        and op.existing_nullable is not False
    ):
        if not context.existing(op.table_name) or op.column_name in added:
            return None
        # A default the revision fills NULLs with first (_rewrites.fill_nulls_before_not_null), or
        # the revision's own UPDATE: no NULL is left by the time NOT NULL is set.
        if fills_nulls(context.upgrade_ops, op.table_name, op.column_name):
            return None
        if _fills_from_default(op):
            if unique is not None and unique(op.table_name, op.column_name):
                return _filled_unique(op, q, dialect)
            return None
        return _not_null(op, q)
    return None


def _filled_unique(op: ops.AlterColumnOp, q: _Quoting, dialect: Dialect) -> RowCheck:
    """The NULL rows of a unique column that NOT NULL fills with one default: more than one, or one
    where a row holds the default already, break the unique constraint."""
    from ._rewrites import default_sql, fill_default  # _rewrites imports rules that import us

    table, column = q.table(op.table_name, op.schema), q.quote(op.column_name)
    value = default_sql(fill_default(op), dialect)
    rows = (
        f"SELECT * FROM {table} WHERE {column} IS NULL AND ((SELECT count(*) FROM {table} WHERE "
        f"{column} IS NULL) > 1 OR EXISTS (SELECT 1 FROM {table} WHERE {column} = {value}))"
    )
    name = f"{op.table_name}.{op.column_name} = {value} for its NULL rows"
    return RowCheck("unique", name, op.table_name, rows, frozenset({op.table_name}))


def unique_columns(connection: Connection) -> Unique:
    """Whether the database keeps (table, column) unique by itself (a one-column unique
    constraint or index), read once per table."""
    inspector = inspect(connection)
    cache: dict[str, set[str]] = {}

    def unique(table: str, column: str) -> bool:
        if table not in cache:
            try:
                keys: list[list[str | None]] = [
                    list(u["column_names"]) for u in inspector.get_unique_constraints(table)
                ]
                keys += [i["column_names"] for i in inspector.get_indexes(table) if i.get("unique")]
            except SQLAlchemyError:
                keys = []
            cache[table] = {str(names[0]) for names in keys if len(names) == 1 and names[0]}
        return column in cache[table]

    return unique


def _fills_from_default(op: ops.AlterColumnOp) -> bool:
    return any(
        default not in (False, None) for default in (op.modify_server_default, op.existing_server_default)
    )


# --- autogenerate: ask the database it compares against ---------------------------------------


def count(connection: Connection, check: RowCheck) -> int | None:
    """How many rows break it (None: the database could not say, e.g. a type it cannot compare).

    Inside a savepoint: a failed query must not end autogenerate's transaction."""
    try:
        with connection.begin_nested():
            return int(connection.execute(text(count_sql(check))).scalar_one())
    except SQLAlchemyError:
        return None


Unique = Callable[[str, str], bool]
Found = Callable[[ops.MigrateOperation, "Context"], "tuple[RowCheck, int] | None"]


def finder(connection: Connection, unique: Unique | None = None) -> Found:
    """For Context.breaking_rows: an operation's check and the count of rows breaking it."""

    def find(op: ops.MigrateOperation, context: Context) -> tuple[RowCheck, int] | None:
        check = row_check(op, context, connection.dialect, unique)
        if check is None:
            return None
        found = count(connection, check)
        return (check, found) if found else None

    return find


# --- the written revision: ask again before any DDL --------------------------------------------

CHECKING = (
    "Stops here, before any change, if rows already break a constraint this revision adds "
    "(the line names the constraint and the query that lists the rows)."
)


class RowsCheckOp(ops.MigrateOperation):
    """`refuse_breaking_rows(constraint, rows_query)` in a revision."""

    def __init__(self, check: RowCheck, comment: bool = True) -> None:
        self.check, self.comment = check, comment

    def reverse(self) -> RowsCheckOp:  # a check undoes nothing: Alembic may ask
        return self


@renderers.dispatch_for(RowsCheckOp)
def _render_rows_check(autogen_context: AutogenContext, op: RowsCheckOp) -> list[str] | str:
    autogen_context.imports.add("from alembic_guardrails.helpers import refuse_breaking_rows")
    call = f"refuse_breaking_rows({op.check.constraint!r}, {op.check.rows!r})"
    return [*(f"# {line}" for line in textwrap.wrap(CHECKING, 92)), call] if op.comment else call


def add_row_checks(
    container: ops.OpContainer, context: Context, dialect: Dialect, unique: Unique | None = None
) -> None:
    """Write a `refuse_breaking_rows` before the DDL of each constraint over existing rows.

    At the top of the upgrade (downgrade) when the query can run there, so a failure leaves
    nothing behind even where DDL commits as it goes (MySQL/MariaDB); else just before the
    operation, after the rename or create it reads."""
    top: list[ops.MigrateOperation] = []
    placed: list[tuple[int, ops.MigrateOperation]] = []
    changed: set[str] = set()
    for position, outer in enumerate(list(container.ops)):
        for op in _leaves(outer):
            check = row_check(op, context, dialect, unique)
            if check is None:
                continue
            if check.reads & changed:
                placed.append((position, RowsCheckOp(check)))
            else:
                top.append(RowsCheckOp(check, comment=not top))
        changed |= _renamed_or_created(outer)
    for position, check_op in reversed(placed):
        container.ops.insert(position, check_op)
    container.ops[0:0] = top


def _leaves(outer: ops.MigrateOperation) -> list[ops.MigrateOperation]:
    return list(walk(outer)) if isinstance(outer, ops.OpContainer) else [outer]


def _renamed_or_created(outer: ops.MigrateOperation) -> set[str]:
    names: set[str] = set()
    for op in _leaves(outer):
        if isinstance(op, ops.RenameTableOp):
            names |= {op.table_name, op.new_table_name}
        elif isinstance(op, ops.CreateTableOp):
            names.add(op.table_name)
        elif isinstance(op, ops.AlterColumnOp) and op.modify_name:
            names.add(op.table_name)
    return names


# --- run time: what the written revision calls ---------------------------------------------------

STOPPED = {
    "en": (
        "{constraint}: {count} row(s) break it, so the upgrade stops here with nothing changed; list "
        "them with: {query}  Fix or delete them, then run the upgrade again"
    ),
    "zh": "{constraint}：有 {count} 行违反它，升级在此停止，什么都没有改；列出这些行：{query}  修正或删除它们后再次升级",
}


class BreakingRows(CommandError):
    """Rows break a constraint the revision is about to add; the message is the one line to print
    (a CommandError: Alembic's command line prints it as `FAILED: ...`, with no traceback)."""


def refuse_breaking_rows(constraint: str, rows_query: str) -> None:
    """Stop the migration, before any change, if `rows_query` lists rows (that break `constraint`).

    Under `--sql` there is no database to ask: nothing is checked (the DBA running the SQL meets
    the database's own error instead)."""
    context = alembic_op.get_context()
    if context.as_sql:
        return
    found = int(
        alembic_op.get_bind()
        .execute(text(f"SELECT count(*) FROM ({rows_query}) AS breaking_rows"))
        .scalar_one()
    )
    if found:
        raise BreakingRows(in_language(STOPPED, constraint=constraint, count=found, query=rows_query))

"""Server defaults compared as each database stores them, for every type and every kind of default.

Alembic compares a reflected default with the model's by their SQL text, except on
PostgreSQL, where it asks the server `SELECT <reflected> = <model>`: that fails on a
type without an `=` operator (json, xml, point: sqlalchemy/alembic#1119) and calls
volatile functions. Here no default is ever evaluated:

1. `normalized()`: both SQL texts in one spelling (outer parentheses, letter case,
   PostgreSQL's `::type` casts on constants, `now()` for CURRENT_TIMESTAMP, MySQL's and
   SQLite's 1/0 for true/false, a quoted number on a numeric column as that number).
   The model's side is the text CREATE TABLE writes after DEFAULT (`render()`), not
   Alembic's raw string (`''`, `'it''s'`, `'2000-01-01'` are quoted literals there).
   Equal: the same default. On SQLite that is the whole answer: it keeps the text it
   was given, so there is no other spelling to learn.
2. `canonical()`, PostgreSQL and MySQL/MariaDB, when the texts still differ: both
   defaults are given to the server on two columns of the database column's own type,
   in a temporary table, and the server's own spelling of each is read back and
   compared (PostgreSQL: `pg_get_expr`, as reflection reads it; MySQL: SHOW CREATE
   TABLE). That is how `'2000-01-01'` on a timestamp, `'1'` on a boolean, `lower()`
   (MariaDB's `lcase()`), `1.5` on a DECIMAL(10,3) and `'{"a":1}'` on jsonb come out
   the same, and `'[]'` and `'{}'` on json different. The temporary table lives in
   a savepoint (PostgreSQL) or is dropped at once (MySQL: no implicit commit for
   TEMPORARY tables); it needs the right to create temporary tables, which both grant
   by default. Without it, or when the server refuses a default on that type, the
   defaults count as different.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from weakref import WeakKeyDictionary

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Connection, MetaData, Table, literal_column, text
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import CreateTable, DefaultClause

PROBE_TABLE = "alembic_guardrails_default_probe"

_TOKENS = r"""
    (?P<string>[nNeE]?'(?:{string})*')
  | (?P<ident>"(?:[^"]|"")*"|`(?:[^`]|``)*`)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<word>[A-Za-z_][\w$]*)
  | (?P<op>::|<>|!=|<=|>=|\|\||.)
"""
_TOKEN = re.compile(_TOKENS.replace("{string}", r"[^']|''"), re.VERBOSE | re.DOTALL)
# MySQL strings also escape with a backslash ('it\'s').
_MYSQL_TOKEN = re.compile(_TOKENS.replace("{string}", r"[^'\\]|''|\\."), re.VERBOSE | re.DOTALL)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# Words a PostgreSQL type name goes on with: `character varying`, `timestamp without time zone`.
_TYPE_WORDS = {"varying", "precision", "with", "without", "time", "zone"}
# The current timestamp, however a model or a database spells it.
_NOW = ("now", "current_timestamp")

Token = tuple[str, Any]
NAMES = ("word", "ident")


def render(default: DefaultClause, dialect: Dialect) -> str:
    """The model's default as CREATE TABLE writes it after DEFAULT (a str is a quoted literal)."""
    compiler: Any = dialect.ddl_compiler
    ddl = compiler(dialect, None)
    if hasattr(ddl, "render_default_string"):  # newer SQLAlchemy; older ones inline it
        return str(ddl.render_default_string(default.arg))
    if isinstance(default.arg, str):
        return str(ddl.sql_compiler.render_literal_value(default.arg, sqltypes.STRINGTYPE))
    return str(ddl.sql_compiler.process(default.arg, literal_binds=True))


def normalized(sql: str, dialect_name: str, numeric: bool = False) -> tuple[Token, ...]:
    """`sql` in one spelling, for comparing by text; `numeric`: the column holds numbers."""
    tokens = list(_tokens(sql, dialect_name))
    if dialect_name == "postgresql":
        tokens = _without_casts(tokens)
    tokens = _without_outer_parentheses(_synonyms(tokens, dialect_name))
    if numeric:
        tokens = _as_number(tokens)
    return tuple(tokens)


def _tokens(sql: str, dialect_name: str) -> Iterator[Token]:
    pattern = _MYSQL_TOKEN if dialect_name in ("mysql", "mariadb") else _TOKEN
    for match in pattern.finditer(sql):
        kind = match.lastgroup
        value = match.group()
        if kind == "op" and value.isspace():
            continue
        if kind == "string":
            yield "string", _unquote(value, dialect_name)
        elif kind == "number":
            yield "number", value.lower()  # as written: `1.0` is not `1` in a text column
        elif kind == "word":
            yield "word", value.lower()
        else:
            yield str(kind), value


def _unquote(literal: str, dialect_name: str) -> str:
    body = literal[literal.index("'") + 1 : -1].replace("''", "'")
    if dialect_name in ("mysql", "mariadb"):
        body = re.sub(r"\\(.)", r"\1", body)
    return body


def _without_casts(tokens: list[Token]) -> list[Token]:
    """PostgreSQL gives constants back cast to their column's type: `'x'::character varying`.

    Only a constant's cast: `now()::date` is another default than `now()`.
    """
    kept: list[Token] = []
    index = 0
    while index < len(tokens):
        constant = bool(kept) and kept[-1][0] in ("string", "number")
        if (
            constant
            and tokens[index] == ("op", "::")
            and index + 1 < len(tokens)
            and tokens[index + 1][0] in NAMES
        ):
            index += 2
            while tokens[index : index + 1] == [("op", ".")] and index + 1 < len(tokens):
                index += 2  # schema.type
            while index < len(tokens) and tokens[index][0] == "word" and tokens[index][1] in _TYPE_WORDS:
                index += 1
            index = _skip_type_arguments(tokens, index)
            continue
        kept.append(tokens[index])
        index += 1
    return kept


def _skip_type_arguments(tokens: list[Token], index: int) -> int:
    """Past `(20)`, `(10,3)` and `[]` after a type name."""
    if index < len(tokens) and tokens[index] == ("op", "("):
        end = index + 1
        while end < len(tokens) and (tokens[end][0] == "number" or tokens[end] == ("op", ",")):
            end += 1
        if end < len(tokens) and tokens[end] == ("op", ")"):
            index = end + 1
    while tokens[index : index + 2] == [("op", "["), ("op", "]")]:
        index += 2
    return index


def _synonyms(tokens: list[Token], dialect_name: str) -> list[Token]:
    spelled: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token[0] == "word" and token[1] in _NOW:
            # now(), current_timestamp(), CURRENT_TIMESTAMP: the same default (not now(6)).
            if tokens[index + 1 : index + 3] == [("op", "("), ("op", ")")]:
                index += 2
            spelled.append(("word", "current_timestamp"))
        elif token[0] == "word" and token[1] in ("true", "false") and dialect_name != "postgresql":
            spelled.append(("number", "1" if token[1] == "true" else "0"))
        else:
            spelled.append(token)
        index += 1
    return spelled


def _without_outer_parentheses(tokens: list[Token]) -> list[Token]:
    while len(tokens) >= 2 and tokens[0] == ("op", "(") and tokens[-1] == ("op", ")") and _wraps(tokens):
        tokens = tokens[1:-1]
    return tokens


def _wraps(tokens: list[Token]) -> bool:
    """Whether the first parenthesis closes at the last token: `(a) + (b)` is not wrapped."""
    depth = 0
    for index, token in enumerate(tokens):
        if token == ("op", "("):
            depth += 1
        elif token == ("op", ")"):
            depth -= 1
            if depth == 0:
                return index == len(tokens) - 1
    return False


def _as_number(tokens: list[Token]) -> list[Token]:
    """On a numeric column, `'1.5'`, `1.5` and `-1` are numbers: compare their values."""
    sign = Decimal(1)
    rest = tokens
    if len(tokens) == 2 and tokens[0] in (("op", "-"), ("op", "+")):
        sign, rest = Decimal(-1 if tokens[0][1] == "-" else 1), tokens[1:]
    if len(rest) != 1:
        return tokens
    kind, value = rest[0]
    if kind == "string" and rest is tokens and _NUMBER.fullmatch(value.strip()):
        return [("number", Decimal(value.strip()))]
    if kind == "number":
        return [("number", sign * Decimal(value))]
    return tokens


def is_numeric(*columns: Any) -> bool:
    """Whether every column given holds numbers (booleans too: 1 and 0 on MySQL and SQLite)."""
    types = [getattr(column, "type", None) for column in columns if column is not None]
    numbers = (sqltypes.Integer, sqltypes.Numeric, sqltypes.Float, sqltypes.Boolean)  # Float: 2.1 split it
    return bool(types) and all(isinstance(type_, numbers) for type_ in types)


# --- The server's own spelling (PostgreSQL, MySQL/MariaDB) ---------------------------------


class _DatabaseType(sqltypes.UserDefinedType[Any]):
    """A column type written as the database wrote it (`character varying(20)`, `decimal(10,3)`)."""

    cache_ok = True

    def __init__(self, spelled: str) -> None:
        self.spelled = spelled

    def get_col_spec(self, **kw: Any) -> str:
        return f"{self.spelled} NULL"


def canonical(connection: Connection | None, column: Any, *defaults: str) -> list[str] | None:
    """The server's own spelling of each default SQL, on a column of `column`'s type.

    `column` is the reflected column (its table names the database's table). None
    when the server cannot say (no connection, no such column, a refused default).
    """
    table = getattr(column, "table", None)
    if connection is None or table is None:
        return None
    dialect = connection.dialect
    try:
        spelled = _column_type(connection, table.schema, table.name, column.name)
        if spelled is None:
            return None
        probe = Table(
            PROBE_TABLE,
            MetaData(),
            *(
                # literal_column: the SQL as it is (text() would read `:1` in '{"a":1}' as a parameter).
                Column(
                    f"d{index}", _DatabaseType(spelled), server_default=DefaultClause(literal_column(default))
                )
                for index, default in enumerate(defaults)
            ),
            prefixes=["TEMPORARY"],
        )
        create = str(CreateTable(probe).compile(dialect=dialect))
        if dialect.name == "postgresql":
            return _postgresql_spelling(connection, create, len(defaults))
        return _mysql_spelling(connection, create, len(defaults))
    except SQLAlchemyError:  # refused by the server, or SQL this dialect cannot write
        return None


def _column_type(connection: Connection, schema: str | None, table: str, column: str) -> str | None:
    if connection.dialect.name == "postgresql":
        preparer = connection.dialect.identifier_preparer
        qualified = preparer.format_table(Table(table, MetaData(), schema=schema))
        spelled = connection.execute(
            text(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = to_regclass(:table) AND attname = :column AND NOT attisdropped"
            ),
            {"table": qualified, "column": column},
        ).scalar()
    else:
        spelled = connection.execute(
            text(
                "SELECT column_type FROM information_schema.columns WHERE table_schema = "
                "COALESCE(:schema, DATABASE()) AND table_name = :table AND column_name = :column"
            ),
            {"schema": schema, "table": table, "column": column},
        ).scalar()
    return str(spelled) if spelled is not None else None


def _autocommit(connection: Connection) -> bool:
    return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def _postgresql_spelling(connection: Connection, create: str, count: int) -> list[str] | None:
    """CREATE TEMPORARY TABLE in a savepoint rolled back: nothing stays, whatever happens."""
    read = text(
        "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
        "JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = to_regclass(:probe) AND a.attnum > 0"
    )
    drop = f"DROP TABLE IF EXISTS pg_temp.{PROBE_TABLE}"
    spelled: dict[str, str]
    if _autocommit(connection):  # no transaction to hold a savepoint: drop it by hand
        try:
            connection.exec_driver_sql(create)
            spelled = {
                str(name): str(value)
                for name, value in connection.execute(read, {"probe": f"pg_temp.{PROBE_TABLE}"})
            }
        finally:
            connection.exec_driver_sql(drop)
    else:
        savepoint = connection.begin_nested()
        try:
            connection.exec_driver_sql(create)
            spelled = {
                str(name): str(value)
                for name, value in connection.execute(read, {"probe": f"pg_temp.{PROBE_TABLE}"})
            }
        finally:
            savepoint.rollback()
    return [spelled[f"d{index}"] for index in range(count)] if len(spelled) == count else None


def _mysql_spelling(connection: Connection, create: str, count: int) -> list[str] | None:
    """CREATE TEMPORARY TABLE commits nothing on MySQL/MariaDB; SHOW CREATE TABLE spells each column."""
    try:
        connection.exec_driver_sql(create)
        shown = str(connection.exec_driver_sql(f"SHOW CREATE TABLE `{PROBE_TABLE}`").one()[1])
    finally:
        connection.exec_driver_sql(f"DROP TEMPORARY TABLE IF EXISTS `{PROBE_TABLE}`")
    lines = {}
    for line in shown.splitlines():
        match = re.match(r"\s*`(d\d+)` (.*?),?$", line)
        if match:
            lines[match.group(1)] = match.group(2)
    return [lines[f"d{index}"] for index in range(count)] if len(lines) == count else None


# --- MariaDB: defaults SQLAlchemy does not reflect ---------------------------------------------

_MARIADB_DEFAULTS: WeakKeyDictionary[MigrationContext, dict[tuple[str | None, str], dict[str, str]]] = (
    WeakKeyDictionary()
)


def mariadb_default(context: MigrationContext, column: Any) -> str | None:
    """The default MariaDB has for a column SQLAlchemy reflected without one, or None.

    SQLAlchemy reads defaults from SHOW CREATE TABLE, and misses an expression
    MariaDB writes bare with a string in it (`DEFAULT lcase('ABC')`, from
    `server_default=func.lower("ABC")`). information_schema has it, as SQL (MariaDB
    10.2.7+: literals quoted, `NULL` for DEFAULT NULL). One query per table and run.
    """
    connection = context.connection
    table = getattr(column, "table", None)
    if connection is None or table is None or not getattr(connection.dialect, "is_mariadb", False):
        return None
    tables = _MARIADB_DEFAULTS.setdefault(context, {})
    key = (table.schema, table.name)
    if key not in tables:
        rows = connection.execute(
            text(
                "SELECT column_name, column_default FROM information_schema.columns "
                "WHERE table_schema = COALESCE(:schema, DATABASE()) AND table_name = :table"
            ),
            {"schema": table.schema, "table": table.name},
        )
        tables[key] = {name: default for name, default in rows if default is not None and default != "NULL"}
    return tables[key].get(column.name)

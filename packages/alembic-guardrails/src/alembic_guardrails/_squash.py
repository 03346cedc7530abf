"""`alembic-guardrails squash --to REV`: one baseline revision for the history up to REV.

How it works, in the order the command runs:

1. The plan. The revisions replaced are REV and all its ancestors. A revision
   that stays but points at one of them (`down_revision` or `depends_on`, other
   than REV itself) would lose its parent: refused. REV's id is kept, so a
   database at REV or past it carries on with the new files; a database still
   before REV must be upgraded to REV with the old files first (the baseline's
   docstring says which revisions it replaces, as Django's `replaces` does).
2. What a baseline cannot keep. Each replaced upgrade() is replayed without a
   database by the lint's recorder (_lint/record.py): `op.bulk_insert()`,
   `op.execute()` (DML is a data step; other SQL may create what reflection does
   not see: a view, a trigger, a function), any use of the connection of
   `op.get_bind()` (`alembic_guardrails.backfill()` included), and an upgrade()
   that cannot run offline, are listed with file and line. Django flags RunPython
   and RunSQL the same way, and keeps them unless marked `elidable`; a schema
   baseline cannot keep them at all, so the command refuses until
   `--allow-data-steps` says they may go. They are then named in the baseline's
   docstring and on stderr: nothing is dropped silently.
3. The baseline. The history runs up to REV on a scratch database (SQLite files
   in a temporary directory, or `--url`, an empty database of the project's own
   kind the command may fill and empty), through the project's own env.py: the
   naming convention, and whatever else env.py configures, apply as they do for
   real. env.py is handed the scratch connection (`config.attributes["connection"]`,
   Alembic's cookbook recipe, which the template's env.py follows), and
   DATABASE_URL and an alembic.ini `sqlalchemy.url` are pointed at the scratch
   database for env.py files that read a URL. The schema is reflected and written
   as Alembic operations: `create_table` with its columns, server defaults,
   primary key, unique and CHECK constraints and foreign keys, then
   `create_index`; every name as `op.f()` so that no naming convention renames
   it. Types are written in SQLAlchemy's portable spelling (`sa.Enum`,
   `sa.DateTime(timezone=True)`) whenever that compiles to the same type on the
   database it was reflected from, else in the dialect's own. On MySQL/MariaDB
   the foreign keys come after the indexes (an index made first is the one
   the server uses for the key, as it was in the history).
4. The proof. The full old history runs to REV and to the heads on one scratch
   database, the new files (the baseline and the revisions after REV) on
   another, and both are reflected and compared: tables, columns (type as the
   database spells it, nullability, server default, comment), primary keys,
   foreign keys, indexes, unique and CHECK constraints, and PostgreSQL's enum
   types. Any difference, or a new history that fails to run, puts the old files
   back and exits 1 with the differences. `--check` proves without writing.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import sys
import tempfile
import tokenize
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.autogenerate.render import _render_cmd_body
from alembic.config import Config
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import (
    Connection,
    Engine,
    Enum,
    ForeignKeyConstraint,
    MetaData,
    Table,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Inspector, make_url
from sqlalchemy.schema import sort_tables_and_constraints
from sqlalchemy.sql.elements import conv
from sqlalchemy.types import TypeEngine

from ._lint.record import DataStep, recording

VERSION_TABLE = "alembic_version"
# URL backends -> the dialect the lint's recorder replays revisions for.
DIALECTS = {"postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql", "mariadb": "mysql"}
# Sync drivers for bare server URLs (the command runs revisions on a sync Connection).
DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}
DML = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE|COPY|TRUNCATE|REPLACE|UPSERT|WITH|SELECT|CALL|DO)\b", re.I)
MYSQL_INTEGER_WIDTH = re.compile(r"^((?:TINY|SMALL|MEDIUM|BIG)?INT(?:EGER)?)\(\d+\)")
PG_SERIAL = re.compile(r"^nextval\('[^']+'::regclass\)$")


@dataclass(frozen=True)
class Step:
    """One thing a replaced revision does that the baseline does not keep."""

    revision: str
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: revision {self.revision}: {self.what}"


@dataclass
class Plan:
    target: Script
    # Upgrade order: the first revision first, REV last.
    replaced: list[Script]
    steps: list[Step] = field(default_factory=list)


# --- 1. the plan -------------------------------------------------------------------------------


def _ids(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def plan(script: ScriptDirectory, to: str) -> Plan:
    target = script.get_revision(to)
    if target is None:
        raise CommandError(f"no revision {to!r}")
    replaced = list(reversed(list(script.iterate_revisions(target.revision, "base"))))
    if len(replaced) < 2:
        raise CommandError(f"revision {target.revision} has no ancestors: there is nothing to squash")
    gone = {revision.revision for revision in replaced} - {target.revision}
    for kept in script.walk_revisions():
        if kept.revision in gone or kept.revision == target.revision:
            continue
        lost = [parent for parent in _ids(kept.down_revision) + _ids(kept.dependencies) if parent in gone]
        if lost:
            raise CommandError(
                f"revision {kept.revision} ({Path(kept.path).name}) stays but points at {', '.join(lost)}, "
                f"which the squash to {target.revision} replaces: merge it into the main line first, or "
                "squash to a revision it descends from"
            )
    return Plan(target, replaced)


# --- 2. what a baseline cannot keep ------------------------------------------------------------


def _sql_text(sqltext: Any) -> str:
    return str(getattr(sqltext, "text", sqltext))


def _execute_step(operation: ops.ExecuteSQLOp) -> str:
    sqltext = operation.sqltext
    if not isinstance(sqltext, str) and getattr(sqltext, "is_dml", False):
        return f"op.execute() of {type(sqltext).__name__.upper()}: a data step"
    sql = " ".join(_sql_text(sqltext).split())
    shown = sql if len(sql) <= 60 else sql[:57] + "..."
    if DML.match(sql):
        return f"op.execute({shown!r}): a data step"
    return (
        f"op.execute({shown!r}): raw SQL; the baseline keeps only what reflection sees "
        "(tables, columns, indexes, constraints, enum types)"
    )


def _bind_step(path: Path, line: int) -> str:
    try:
        source = path.read_text().splitlines()[line - 1] if line else ""
    except (OSError, IndexError):
        source = ""
    if "backfill(" in source:
        return "alembic_guardrails.backfill(): a data step"
    return "uses the connection of op.get_bind(): a data step (reads or writes rows)"


def dropped_steps(replaced: Sequence[Script], dialect: str) -> list[Step]:
    """What each replaced upgrade() does beyond the schema, replayed offline (_lint/record.py)."""
    steps: list[Step] = []
    for script in replaced:
        path = Path(script.path)

        def step(line: int, what: str, script: Script = script, path: Path = path) -> None:
            steps.append(Step(script.revision, str(path), line, what))

        upgrade = getattr(script.module, "upgrade", None)
        if upgrade is None:
            continue
        with recording(dialect, path) as recorder:
            try:
                upgrade()
            except DataStep:
                pass
            except Exception as error:
                if recorder.bind_line is None:
                    step(0, f"upgrade() cannot be replayed without a database ({error}): check it by hand")
        for item in recorder.recorded:
            if isinstance(item.operation, ops.BulkInsertOp):
                step(item.line, f"op.bulk_insert() into {item.operation.table.name}: a data step")
            elif isinstance(item.operation, ops.ExecuteSQLOp):
                step(item.line, _execute_step(item.operation))
        if recorder.bind_line is not None:
            step(recorder.bind_line, _bind_step(path, recorder.bind_line))
    return sorted(steps, key=lambda step: [s.revision for s in replaced].index(step.revision))


# --- scratch databases and running the project's env.py ----------------------------------------


def _sync(url: str) -> str:
    """The URL with a sync driver: bare server URLs get one, async ones (asyncpg, aiosqlite) too."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if "+" not in parsed.drivername or parsed.get_dialect().is_async:
        parsed = parsed.set(drivername=DRIVERS.get(backend, backend))
    return parsed.render_as_string(hide_password=False)


class Scratch:
    """Empty databases to build schemas in: SQLite files in a temporary directory, or the one
    database of `url`, refused unless empty, emptied between builds and at the end."""

    def __init__(self, url: str | None, directory: Path) -> None:
        self.url = _sync(url) if url else None
        self.directory = directory
        self.count = 0
        if self.url is not None:
            with self._engine(self.url) as engine, engine.connect() as connection:
                left = _user_objects(connection)
            if left:
                shown = make_url(self.url).render_as_string(hide_password=True)
                raise CommandError(
                    f"--url {shown} is not empty ({', '.join(left[:5])}{', ...' if len(left) > 5 else ''}): "
                    "squash fills and empties its scratch database; name an empty throwaway one"
                )

    @contextmanager
    def _engine(self, url: str) -> Iterator[Engine]:
        engine = create_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()

    @contextmanager
    def database(self) -> Iterator[str]:
        self.count += 1
        if self.url is None:
            yield f"sqlite:///{self.directory / f'scratch{self.count}.sqlite3'}"
            return
        try:
            yield self.url
        finally:
            with self._engine(self.url) as engine, engine.begin() as connection:
                _empty(connection)

    @property
    def dialect(self) -> str:
        return DIALECTS.get(make_url(self.url).get_backend_name(), "sqlite") if self.url else "sqlite"


def _user_objects(connection: Connection) -> list[str]:
    inspector = inspect(connection)
    found = list(inspector.get_table_names())
    if connection.dialect.name == "postgresql":
        found += [f"type {enum['name']}" for enum in inspector.get_enums()]  # type: ignore[attr-defined]
    return found


def _empty(connection: Connection) -> None:
    metadata = MetaData()
    metadata.reflect(connection)
    metadata.drop_all(connection)
    if connection.dialect.name == "postgresql":
        for enum in inspect(connection).get_enums():  # type: ignore[attr-defined]
            connection.execute(text(f'DROP TYPE IF EXISTS "{enum["name"]}"'))


@contextmanager
def _quiet() -> Iterator[None]:
    """Without Alembic's `Running upgrade` lines (env.py's fileConfig sets INFO)."""
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def upgrade(config_file: str, url: str, target: str) -> None:
    """`alembic upgrade target` through the project's env.py, on the scratch database `url` only."""
    config = Config(config_file)
    if config.file_config.get(config.config_ini_section, "sqlalchemy.url", raw=True, fallback="").strip():
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    engine = create_engine(url)
    try:
        with engine.connect() as connection, _environment(DATABASE_URL=url), _quiet():
            config.attributes["connection"] = connection
            command.upgrade(config, target)
            if connection.in_transaction():
                connection.commit()
        with engine.connect() as connection:
            heads = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    if target not in ("head", "heads") and target not in heads:
        raise CommandError(
            f"after `upgrade {target}` the scratch database is at {sorted(heads) or 'base'}: the project's "
            "env.py ran the revisions elsewhere. It must use the connection in "
            "config.attributes['connection'] (Alembic's cookbook), or sqlalchemy.url / DATABASE_URL"
        )


# --- 3. the baseline ---------------------------------------------------------------------------


def _same_type(reflected: TypeEngine[Any], portable: TypeEngine[Any], connection: Connection) -> bool:
    try:
        spelled = reflected.compile(dialect=connection.dialect)
        generic = portable.compile(dialect=connection.dialect)
    except Exception:
        return False
    if connection.dialect.name == "mysql":
        spelled, generic = MYSQL_INTEGER_WIDTH.sub(r"\1", spelled), MYSQL_INTEGER_WIDTH.sub(r"\1", generic)
    return bool(spelled == generic)


def _portable(reflected: TypeEngine[Any], connection: Connection) -> TypeEngine[Any]:
    """SQLAlchemy's portable type for a reflected one, when it is the same type on this database."""
    try:
        if isinstance(reflected, Enum) and reflected.native_enum and reflected.name:
            portable: TypeEngine[Any] = Enum(*reflected.enums, name=reflected.name)
        else:
            portable = reflected.as_generic()
    except Exception:
        return reflected
    return portable if _same_type(reflected, portable, connection) else reflected


def reflect(connection: Connection, exclude: frozenset[str] = frozenset({VERSION_TABLE})) -> MetaData:
    """The database's tables as a MetaData: portable types, every constraint and index name a
    `conv` (rendered `op.f()`, which no naming convention renames)."""
    metadata = MetaData()

    def column_reflect(inspector: Inspector, table: Table, column: dict[str, Any]) -> None:
        column["type"] = _portable(column["type"], connection)
        default = column.get("default")
        # A SERIAL's sequence comes with the column: its nextval() default is not written.
        if connection.dialect.name == "postgresql" and default and PG_SERIAL.match(str(default)):
            column["default"] = None
            column["autoincrement"] = True

    names = [name for name in inspect(connection).get_table_names() if name not in exclude]
    event.listen(Table, "column_reflect", column_reflect)
    try:
        metadata.reflect(connection, only=names)
    finally:
        event.remove(Table, "column_reflect", column_reflect)
    mysql = connection.dialect.name == "mysql"
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint.name, str) and not (mysql and constraint is table.primary_key):
                constraint.name = conv(constraint.name)
            elif constraint is table.primary_key:
                constraint.name = None  # MySQL calls every primary key PRIMARY
        for index in table.indexes:
            if index.name:
                index.name = conv(index.name)
        # Reflection spells out dialect options at their defaults (postgresql_include=[]): not written.
        items: list[Any] = [*table.constraints, *table.indexes]
        for item in items:
            for key, value in list(item.dialect_kwargs.items()):
                if value in ([], (), None, False):
                    del item.dialect_kwargs[key]
    return metadata


def _native_enums(metadata: MetaData) -> list[str]:
    names: list[str] = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            type_ = column.type
            if isinstance(type_, Enum) and type_.native_enum and type_.name and type_.name not in names:
                names.append(type_.name)
    return names


def baseline_operations(metadata: MetaData, dialect: str) -> tuple[ops.UpgradeOps, ops.DowngradeOps]:
    """create_table for every table (parents first), then create_index; foreign keys inline,
    except those in a cycle (and, on MySQL/MariaDB, all of them: after the indexes)."""
    upgrade: list[ops.MigrateOperation] = []
    downgrade: list[ops.MigrateOperation] = []
    indexes: list[ops.MigrateOperation] = []
    later: list[ForeignKeyConstraint] = []
    tables = sorted(metadata.tables.values(), key=lambda table: table.name)
    ordered: list[tuple[Table | None, Any]] = sort_tables_and_constraints(tables)  # type: ignore[no-untyped-call]
    if dialect == "sqlite":  # no ALTER ADD CONSTRAINT, and no check of the table referred to
        ordered = [(table, set(table.foreign_key_constraints)) for table, _ in ordered if table is not None]
    for table, own in ordered:
        if table is None:
            later.extend(own)  # the foreign keys of a cycle
            continue
        keep_inline = dialect != "mysql"
        inline_fks = [
            fk for fk in table.foreign_key_constraints if keep_inline and (fk in own or dialect == "sqlite")
        ]
        later += [fk for fk in table.foreign_key_constraints if fk not in inline_fks]
        constraints = [
            constraint
            for constraint in list(table.constraints)
            if not isinstance(constraint, ForeignKeyConstraint) or constraint in inline_fks
        ]
        create = ops.CreateTableOp(
            table.name,
            [column._copy() for column in table.columns] + [constraint._copy() for constraint in constraints],
            schema=table.schema,
            comment=table.comment,
        )
        upgrade.append(create)
        indexes += [ops.CreateIndexOp.from_index(index) for index in sorted(table.indexes, key=_index_key)]
        downgrade.insert(0, ops.DropTableOp.from_table(table))
    upgrade += indexes
    for fk in sorted(later, key=lambda fk: (fk.table.name, str(fk.name))):
        upgrade.append(ops.CreateForeignKeyOp.from_constraint(fk))
        if dialect != "sqlite":
            downgrade.insert(0, ops.DropConstraintOp.from_constraint(fk))
    return ops.UpgradeOps(ops=upgrade), ops.DowngradeOps(ops=downgrade)


def _index_key(index: Any) -> str:
    return str(index.name)


def _indented(body: str) -> str:
    """Alembic's rendered commands, four spaces in, continuation lines four more."""
    lines = body.strip("\n").splitlines()
    depth_at: dict[int, int] = {}
    depth = 0
    for token in tokenize.generate_tokens(io.StringIO(body.strip("\n") + "\n").readline):
        depth_at.setdefault(token.start[0], depth)
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
    result = []
    for number, source in enumerate(lines, start=1):
        inner = depth_at.get(number, 0) > 0 and not source.startswith(")")
        result.append(("        " if inner else "    ") + source if source else "")
    return "\n".join(result)


def render(operations: ops.UpgradeOps | ops.DowngradeOps, dialect: str, imports: set[str]) -> str:
    context = AutogenContext(
        MigrationContext.configure(dialect_name=dialect),
        opts={
            "sqlalchemy_module_prefix": "sa.",
            "alembic_module_prefix": "op.",
            "render_as_batch": False,
            "user_module_prefix": None,
        },
    )
    body = _render_cmd_body(operations, context)
    imports.update(context.imports)
    lines = [line for line in body.splitlines() if not line.startswith("# ###")]
    return _indented("\n".join(lines)) or "    pass"


BASELINE = '''"""Baseline: the schema of {count} revisions up to {revision}, squashed.

Revision ID: {revision}
Revises:
Written by `alembic-guardrails squash --to {revision}`, from the history run on {dialect} and
proven against it there (the same tables, columns, types, defaults, keys, indexes and
constraints). It keeps {revision}'s id: a database at {revision} or past it carries on. A
database at one of the replaced revisions below must first be upgraded to {revision} with the
old files (from version control).

Replaces:
{replaces}
{dropped}"""

from alembic import op
import sqlalchemy as sa
{imports}
revision = {revision!r}
down_revision = None
branch_labels = {branch_labels!r}
depends_on = None

# The revisions this baseline replaces (alembic-guardrails squash).
squashes = {squashes!r}


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def _summary(script: Script) -> str:
    return (script.doc or "").strip().splitlines()[0] if (script.doc or "").strip() else ""


def baseline_source(the_plan: Plan, metadata: MetaData, dialect: str) -> str:
    upgrade_ops, downgrade_ops = baseline_operations(metadata, dialect)
    imports: set[str] = set()
    upgrade_code = render(upgrade_ops, dialect, imports)
    downgrade_code = render(downgrade_ops, dialect, imports)
    enums = _native_enums(metadata) if dialect == "postgresql" else []
    if enums:
        drops = "\n".join(f"        op.execute('DROP TYPE IF EXISTS {name}')" for name in enums)
        downgrade_code += (
            "\n    # PostgreSQL keeps an enum type when its last table goes.\n"
            f"    if op.get_context().dialect.name == 'postgresql':\n{drops}"
        )
    labels: list[str] = []
    for script in [the_plan.target, *the_plan.replaced]:
        labels += [label for label in script.branch_labels if label not in labels]
    replaces = "\n".join(
        f"  {script.revision}  {_summary(script)}  ({Path(script.path).name})" for script in the_plan.replaced
    )
    dropped = ""
    if the_plan.steps:
        dropped = (
            "\nDropped (not in this baseline; a database built from it has none of their rows):\n"
            + "\n".join(
                f"  {step.revision} {Path(step.path).name}:{step.line}: {step.what}"
                for step in the_plan.steps
            )
            + "\n"
        )
    return BASELINE.format(
        count=len(the_plan.replaced),
        revision=the_plan.target.revision,
        dialect=dialect,
        replaces=replaces,
        dropped=dropped,
        imports="".join(f"{line}\n" for line in sorted(imports)),
        branch_labels=tuple(labels) or None,
        squashes=tuple(script.revision for script in the_plan.replaced),
        upgrade=upgrade_code,
        downgrade=downgrade_code,
    )


# --- 4. the proof ------------------------------------------------------------------------------


def _safely(call: Any, *arguments: Any) -> Any:
    try:
        return call(*arguments)
    except NotImplementedError:
        return None


def _type(type_: Any, connection: Connection) -> str:
    try:
        return str(type_.compile(dialect=connection.dialect))
    except Exception:
        return repr(type_)


def snapshot(connection: Connection, exclude: frozenset[str] = frozenset({VERSION_TABLE})) -> dict[str, Any]:
    """The schema as the database reports it, in plain values that compare with ==."""
    inspector = inspect(connection)
    schema: dict[str, Any] = {}
    for name in sorted(inspector.get_table_names()):
        if name in exclude:
            continue
        columns = [
            (
                column["name"],
                _type(column["type"], connection),
                column["nullable"],
                None if column.get("default") is None else str(column["default"]),
                column.get("comment"),
                column.get("autoincrement"),
            )
            for column in inspector.get_columns(name)
        ]
        pk = inspector.get_pk_constraint(name)
        foreign_keys = sorted(
            (
                str(fk.get("name")),
                tuple(fk["constrained_columns"]),
                fk["referred_table"],
                tuple(fk["referred_columns"]),
                tuple(sorted((fk.get("options") or {}).items())),
            )
            for fk in inspector.get_foreign_keys(name)
        )
        indexes = sorted(
            (
                str(index.get("name")),
                tuple(str(column) for column in index.get("column_names") or ()),
                tuple(str(expression) for expression in index.get("expressions") or ()),
                bool(index.get("unique")),
            )
            for index in inspector.get_indexes(name)
        )
        uniques = sorted(
            (str(unique.get("name")), tuple(unique["column_names"]))
            for unique in inspector.get_unique_constraints(name)
        )
        checks = sorted(
            (str(check.get("name")), " ".join(str(check["sqltext"]).split()))
            for check in _safely(inspector.get_check_constraints, name) or ()
        )
        schema[f"table {name}"] = {
            "columns": columns,
            "primary key": (pk.get("name"), tuple(pk["constrained_columns"])),
            "foreign keys": foreign_keys,
            "indexes": indexes,
            "unique constraints": uniques,
            "check constraints": checks,
            "comment": (_safely(inspector.get_table_comment, name) or {}).get("text"),
        }
    if connection.dialect.name == "postgresql":
        for enum in inspector.get_enums():  # type: ignore[attr-defined]
            schema[f"type {enum['name']}"] = {"labels": list(enum["labels"])}
    return schema


def differences(history: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """One line per difference: what the history built and what the baseline built."""
    lines: list[str] = []
    for name in sorted(set(history) | set(baseline)):
        if name not in baseline:
            lines.append(f"{name}: built by the history, not by the baseline")
        elif name not in history:
            lines.append(f"{name}: built by the baseline, not by the history")
        else:
            for key in history[name]:
                if history[name][key] != baseline[name].get(key):
                    lines.append(
                        f"{name}, {key}: history {history[name][key]!r}, baseline {baseline[name].get(key)!r}"
                    )
    return lines


def _snapshot_of(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return snapshot(connection)
    finally:
        engine.dispose()


# --- the command -------------------------------------------------------------------------------


@dataclass
class Result:
    baseline: Path
    removed: list[Path]
    steps: list[Step]
    differences: list[str]
    dialect: str
    written: bool


@contextmanager
def _swapped(the_plan: Plan, source: str, keep: bool) -> Iterator[tuple[Path, list[Path]]]:
    """The new files in place: the baseline in REV's file, the other replaced files removed.
    Put back on leaving unless `keep` is still true then (a failed proof clears it)."""
    baseline = Path(the_plan.target.path)
    removed = [Path(script.path) for script in the_plan.replaced if script is not the_plan.target]
    with tempfile.TemporaryDirectory(prefix="squash-originals-") as saved:
        originals = [(path, Path(saved) / str(number)) for number, path in enumerate([baseline, *removed])]
        for path, copy in originals:
            shutil.copy2(path, copy)
        state = {"keep": keep}
        try:
            baseline.write_text(source)
            for path in removed:
                path.unlink()
            for path in [baseline, *removed]:
                cached = Path(_cache_from_source(path))
                cached.unlink(missing_ok=True)
            yield baseline, removed
        except BaseException:
            state["keep"] = False
            raise
        finally:
            if not state["keep"]:
                for path, copy in originals:
                    shutil.copy2(copy, path)
                    Path(_cache_from_source(path)).unlink(missing_ok=True)


def _cache_from_source(path: Path) -> str:
    import importlib.util

    return importlib.util.cache_from_source(str(path))


def squash(
    config_file: str,
    to: str,
    *,
    url: str | None = None,
    allow_data_steps: bool = False,
    check: bool = False,
    say: Any = None,
) -> Result:
    """Plan, refuse what would be dropped silently, write the baseline, prove it; see the module."""
    say = say or (lambda line: print(line, file=sys.stderr))
    if not Path(config_file).is_file():
        raise CommandError(f"no {config_file}: pass -c PATH/alembic.ini")
    sys.dont_write_bytecode = True
    script = ScriptDirectory.from_config(Config(config_file))
    the_plan = plan(script, to)
    with tempfile.TemporaryDirectory(prefix="squash-") as directory:
        scratch = Scratch(url, Path(directory))
        the_plan.steps = dropped_steps(the_plan.replaced, scratch.dialect)
        if the_plan.steps and not allow_data_steps:
            for step in the_plan.steps:
                say(f"ERROR: {step}")
            raise CommandError(
                f"{len(the_plan.steps)} step(s) of the revisions up to {the_plan.target.revision} would not be in "
                "the baseline (above): write them elsewhere if they must still run, then pass "
                "--allow-data-steps to drop them"
            )
        for step in the_plan.steps:
            say(f"dropped: {step}")
        target = the_plan.target.revision
        # The old history: to REV (the baseline's schema), then to the heads.
        with scratch.database() as old:
            upgrade(config_file, old, target)
            engine = create_engine(old)
            try:
                with engine.connect() as connection:
                    metadata = reflect(connection)
                    dialect = connection.dialect.name
                    old_at_target = snapshot(connection)
            finally:
                engine.dispose()
            upgrade(config_file, old, "heads")
            old_at_heads = _snapshot_of(old)
        source = baseline_source(the_plan, metadata, dialect)
        found: list[str] = []
        with _swapped(the_plan, source, keep=not check) as (baseline, removed):
            with scratch.database() as new:
                upgrade(config_file, new, target)
                found = [f"at {target}: {line}" for line in differences(old_at_target, _snapshot_of(new))]
                upgrade(config_file, new, "heads")
                found += [f"at the heads: {line}" for line in differences(old_at_heads, _snapshot_of(new))]
            if found:
                raise _ProofFailed(found)
    return Result(baseline, removed, the_plan.steps, found, dialect, written=not check)


class _ProofFailed(CommandError):
    def __init__(self, found: list[str]) -> None:
        super().__init__(
            "the baseline does not build the schema the history builds; the old files are back:\n"
            + "\n".join(f"  {line}" for line in found)
        )
        self.found = found

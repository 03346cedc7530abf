"""Random model changes, replayed through the real `alembic` command: the promise, step by step.

A seeded generator (`random.Random(seed)`) makes a table of random columns (every kind the
template's models use, random nullability, server defaults, indexes, unique constraints, a
foreign key to a second table), fills it with rows the models allow (NULLs and repeated values
where allowed), then applies random changes one at a time: add/drop a column, a type made wider,
narrower or of another kind, nullable on/off, a server default added/dropped/changed, an index,
a unique constraint or a foreign key added/dropped, a column renamed (`-x rename=...`). Each step
runs `alembic revision --autogenerate` and is one of:

- refused: the refusal names a rule in brackets and a command (or says no override writes it);
  refusing growth (a column added that may be NULL or has a default, a wider type, a default, an
  index, a constraint dropped, a rename...) is a false refusal;
- written: `upgrade head` passes on the rows (else a violation) and keeps them, `alembic check`
  is clean right after (else drift), `downgrade -1` then `upgrade head` pass too;
- a crash: a Python traceback in any output.

Each counterexample is shrunk to the changed columns alone when that still fails the same way,
and reported with the models before and after, the command and its output. Those found so far
are replayed alone in test_counterexamples_found_keep_the_promise, each on the database it was
found on (to spare CI).

CI runs a few fixed seeds (GUARDRAILS_FUZZ_SEEDS, default "1,2") of a few steps
(GUARDRAILS_FUZZ_STEPS, default 4) on the test database; locally, for example:

    GUARDRAILS_FUZZ_SEEDS=1-200 GUARDRAILS_FUZZ_STEPS=8 GUARDRAILS_FUZZ_REPORT=/tmp/fuzz.jsonl \
        pytest -q tests/test_random_changes.py

GUARDRAILS_FUZZ_REPORT appends one JSON line per step (its verdict) and per counterexample.
Setting GUARDRAILS_FUZZ_SEEDS also runs `alembic check` after the downgrade and the upgrade again.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import json
import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic_project import Project, url_of

ITEMS, PARENTS = "fz_items", "fz_parents"
PARENT_IDS = (1, 2, 3, 4, 5)

INTEGERS = ("smallint", "int", "bigint")
KINDS = (
    "smallint",
    "int",
    "bigint",
    "string",
    "text",
    "bool",
    "numeric",
    "float",
    "date",
    "datetime",
    "json",
    "enum",
    "enum_native",
    "binary",
)
# Kinds an index or a unique constraint may cover on every database (no TEXT/BLOB prefix on
# MySQL, no json equality on PostgreSQL); unique ones also need enough distinct values.
INDEXABLE = (
    "smallint",
    "int",
    "bigint",
    "string",
    "bool",
    "numeric",
    "date",
    "datetime",
    "enum",
    "enum_native",
)
UNIQUABLE = ("smallint", "int", "bigint", "string", "numeric", "date", "datetime")
# A refusal that names one of these rules is accepted for the change it answers.
ACCEPTED_ALWAYS = {"rows-break-constraint"}


def _seeds() -> list[int]:
    spec = os.environ.get("GUARDRAILS_FUZZ_SEEDS", "1,2")
    seeds: list[int] = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        seeds.extend(range(int(low), int(high or low) + 1))
    return seeds


STEPS = int(os.environ.get("GUARDRAILS_FUZZ_STEPS", "4"))
# Local runs also check for drift after the downgrade and the upgrade again (CI: the first upgrade).
THOROUGH = "GUARDRAILS_FUZZ_SEEDS" in os.environ
REPORT = os.environ.get("GUARDRAILS_FUZZ_REPORT")


@dataclass
class Col:
    name: str
    kind: str
    length: int = 20
    precision: int = 10
    scale: int = 2
    values: tuple[str, ...] = ()
    enum_name: str = ""
    nullable: bool = True
    default: str | None = None  # Python source of server_default=
    index: bool = False
    unique: bool = False
    fk: bool = False
    # The values rows get: from a small pool (repeated), one per row, or parents' ids.
    style: str = "repeat"

    def type_source(self) -> str:
        kind = self.kind
        if kind in ("enum", "enum_native"):
            values = ", ".join(repr(value) for value in self.values)
            native = kind == "enum_native"
            return f"sa.Enum({values}, name={self.enum_name!r}, native_enum={native})"
        return {
            "smallint": "sa.SmallInteger()",
            "int": "sa.Integer()",
            "bigint": "sa.BigInteger()",
            "string": f"sa.String({self.length})",
            "text": "sa.Text()",
            "bool": "sa.Boolean()",
            "numeric": f"sa.Numeric({self.precision}, {self.scale})",
            "float": "sa.Float()",
            "date": "sa.Date()",
            "datetime": "sa.DateTime()",
            "json": "sa.JSON()",
            "binary": "sa.LargeBinary()",
        }[kind]

    def source(self) -> str:
        parts = [repr(self.name), self.type_source()]
        if self.fk:
            parts.append(f'sa.ForeignKey("{PARENTS}.id")')
        parts.append(f"nullable={self.nullable}")
        if self.default is not None:
            parts.append(f"server_default={self.default}")
        if self.index:
            parts.append("index=True")
        if self.unique:
            parts.append("unique=True")
        return f"    sa.Column({', '.join(parts)}),\n"


@dataclass
class State:
    columns: list[Col] = field(default_factory=list)

    def column(self, name: str) -> Col:
        return next(column for column in self.columns if column.name == name)

    def models(self) -> str:
        return (
            MODELS_HEAD
            + f'{PARENTS} = sa.Table("{PARENTS}", metadata, sa.Column("id", sa.Integer, primary_key=True, '
            "autoincrement=False))\n"
            + f'{ITEMS} = sa.Table(\n    "{ITEMS}",\n    metadata,\n'
            + '    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),\n'
            + "".join(column.source() for column in self.columns)
            + ")\n"
        )


MODELS_HEAD = """import sqlalchemy as sa


def _constraint_name_or_column_0_name(constraint, table):
    if isinstance(constraint.name, str) and constraint.name:
        return constraint.name
    return str(next(iter(constraint.columns)).name)


metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name_or_column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "constraint_name_or_column_0_name": _constraint_name_or_column_0_name,
    }
)
"""


# -- random columns, defaults and values ------------------------------------------------------


def random_default(rng: random.Random, column: Col) -> str | None:
    kind = column.kind
    choices: list[str]
    if kind in INTEGERS:
        choices = ['"0"', '"7"', '"-1"', 'sa.text("42")']
    elif kind == "string":
        choices = ['""', '"x"', '"it\'s"', "sa.text(\"'t'\")", '"12"']
    elif kind == "text":
        choices = ['""', '"long text"']
    elif kind == "bool":
        choices = ["sa.true()", "sa.false()", '"0"', '"1"']
    elif kind == "numeric":
        choices = ['"1.5"', 'sa.text("2")', '"0"']
    elif kind == "float":
        choices = ['"2.5"', 'sa.text("0")']
    elif kind == "date":
        choices = ['"2000-01-01"', "sa.text(\"'2001-02-03'\")"]
    elif kind == "datetime":
        choices = ['"2000-01-01 00:00:00"', "sa.func.now()", 'sa.text("CURRENT_TIMESTAMP")']
    elif kind == "json":
        choices = ['"[]"', "sa.text(\"'{}'\")"]
    elif kind in ("enum", "enum_native"):
        choices = [repr(value) for value in column.values]
    else:  # binary: no literal default on every database
        return None
    return rng.choice(choices)


def new_column(rng: random.Random, name: str, kind: str | None = None) -> Col:
    kind = kind or rng.choice(KINDS)
    column = Col(name=name, kind=kind)
    column.length = rng.choice((5, 20, 100))
    column.precision, column.scale = rng.choice(((10, 2), (6, 2), (12, 4), (5, 0)))
    if kind in ("enum", "enum_native"):
        column.values = tuple(rng.sample(["red", "green", "blue", "cyan", "magenta"], rng.randint(2, 4)))
        column.enum_name = f"{name}_kind"
    column.nullable = rng.random() < 0.6
    column.style = rng.choice(("repeat", "distinct", "refs") if kind == "int" else ("repeat", "distinct"))
    if rng.random() < 0.4:
        column.default = random_default(rng, column)
    if kind in INDEXABLE and rng.random() < 0.25:
        column.index = True
    if kind in UNIQUABLE and rng.random() < 0.2:
        column.unique = True
    return column


def random_value(rng: random.Random, column: Col, *, distinct: int | None = None) -> Any:
    """A value the column allows; `distinct` picks from a wide range (unique columns)."""
    kind = column.kind
    pool = distinct is None
    if column.fk or column.style == "refs":
        return rng.choice(PARENT_IDS)
    if kind in INTEGERS:
        return rng.choice((0, 1, 7, -3, 100)) if pool else distinct * 3 - 5
    if kind in ("string", "text"):
        limit = column.length if kind == "string" else 200
        if not pool:
            return f"u{distinct}"[:limit]
        return rng.choice(("", "a", "abc", "12", "x" * limit, "it's", "Ünï"))[:limit]
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "numeric":
        whole = 10 ** (column.precision - column.scale) - 1
        if not pool:
            return decimal.Decimal(min(distinct, whole))
        values = [0, 1, -1, whole] + (["0.5", f"{whole}.5"] if column.scale else [])
        return decimal.Decimal(rng.choice(values))
    if kind == "float":
        return rng.choice((0.0, 1.5, -2.25, 1e10))
    if kind == "date":
        return datetime.date(2000, 1, 1) + datetime.timedelta(
            days=distinct if not pool else rng.choice((0, 40))
        )
    if kind == "datetime":
        return datetime.datetime(2000, 1, 1, 12) + datetime.timedelta(
            hours=distinct if not pool else rng.choice((0, 5))
        )
    if kind == "json":
        return rng.choice(([1, 2], {"a": 1}, "x", 3))
    if kind in ("enum", "enum_native"):
        return rng.choice(column.values)
    return rng.choice((b"", b"\x00\x01", b"abc"))


def random_rows(rng: random.Random, state: State, ids: range) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for row_id in ids:
        row: dict[str, Any] = {"id": row_id}
        for column in state.columns:
            if column.nullable and rng.random() < 0.25:
                row[column.name] = None
            elif column.default is not None and not column.unique and rng.random() < 0.2:
                continue  # the server default fills it
            elif column.unique or (column.style == "distinct" and not column.fk):
                row[column.name] = random_value(rng, column, distinct=row_id)
            else:
                row[column.name] = random_value(rng, column)
        rows.append(row)
    return rows


# -- the changes --------------------------------------------------------------------------------

# kind -> kinds it widens into, values kept
WIDER = {
    "smallint": ("int", "bigint", "numeric", "string", "text"),
    "int": ("bigint", "text"),
    "bigint": ("text",),
    "string": ("text",),
    "bool": ("smallint", "int"),
    "date": ("datetime", "text"),
    "enum": ("string", "text"),
}


@dataclass
class Change:
    description: str
    growth: bool  # a refusal is a false refusal
    accepted: set[str] = field(default_factory=set)  # rules whose refusal is justified
    x: list[str] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)  # the columns it touches (old and new names)
    constraint: str | None = None  # "foreign key", "unique", "not null": what rows may break


def fresh_name(state: State, rng: random.Random) -> str:
    taken = {column.name for column in state.columns}
    while True:
        name = f"c{rng.randint(1, 99)}"
        if name not in taken:
            return name


def change_type(rng: random.Random, column: Col) -> tuple[str, bool]:
    """Change column's type in place: (description, widened)."""
    old = column.type_source()
    mode = rng.choice(("wider", "narrower", "cross"))
    widened = False
    if mode == "wider" and column.kind == "string":
        column.length = column.length * 2
        widened = True
    elif mode == "narrower" and column.kind == "string" and column.length > 5:
        column.length = column.length // 2
    elif mode == "wider" and column.kind == "numeric":
        column.precision += 2
        widened = True
    elif mode == "narrower" and column.kind == "numeric":
        column.scale = max(0, column.scale - 1)
        column.precision = max(column.scale + 1, column.precision - 2)
    elif mode == "wider" and column.kind in ("enum", "enum_native"):
        extra = [value for value in ("red", "green", "blue", "cyan", "magenta") if value not in column.values]
        column.values = (*column.values, extra[0])
        widened = True
    elif mode == "narrower" and column.kind in ("enum", "enum_native") and len(column.values) > 2:
        column.values = column.values[:-1]
    elif mode == "wider" and column.kind in WIDER:
        column.kind = rng.choice(WIDER[column.kind])
        widened = True
    elif mode == "narrower" and column.kind in INTEGERS and column.kind != "smallint":
        column.kind = INTEGERS[INTEGERS.index(column.kind) - 1]
    else:
        kind = column.kind
        column.kind = rng.choice([other for other in KINDS if other != kind])
        widened = column.kind in WIDER.get(kind, ())
    if column.kind in ("enum", "enum_native") and not column.values:
        column.values = ("red", "green", "blue")
        column.enum_name = f"{column.name}_kind"
    if column.kind not in INDEXABLE:
        column.index = False
    if column.kind not in UNIQUABLE:
        column.unique = False
    if column.fk and column.kind != "int":  # MySQL: a key and its reference share a type
        column.fk = False
    if column.default is not None and not default_fits(column):
        column.default = random_default(rng, column)
    return f"{column.name}: {old} -> {column.type_source()}", widened


def default_fits(column: Col) -> bool:
    return column.default in {choice for choice in _all_defaults(column)}


def _all_defaults(column: Col) -> set[str | None]:
    rng = random.Random(0)
    return {random_default(rng, column) for _ in range(40)}


# Defaults spelled differently and stored the same: no change to detect.
SAME_DEFAULTS = [
    {"sa.func.now()", 'sa.text("CURRENT_TIMESTAMP")'},
    {"sa.false()", '"0"'},
    {"sa.true()", '"1"'},
]


def random_change(rng: random.Random, state: State) -> Change:
    columns = state.columns
    options = ["add", "type", "nullable", "default", "index", "unique", "fk", "fk", "rename"]
    if len(columns) > 1:
        options.append("drop")
    while True:
        what = rng.choice(options)
        if what == "add":
            column = new_column(rng, fresh_name(state, rng))
            if rng.random() < 0.2:
                column.kind, column.fk, column.index, column.unique = "int", True, False, False
                column.default = None
            columns.append(column)
            growth = (column.nullable or column.default is not None) and not column.unique
            return Change(
                f"add {column.source().strip()}",
                growth,
                {"add-not-null-without-default", "unique-over-constant-default"},
                columns={column.name},
            )
        if not columns:
            continue
        column = rng.choice(columns)
        if what == "fk":
            column = rng.choice([column for column in columns if column.kind == "int"] or [column])
        elif what in ("index", "unique"):
            column = rng.choice([column for column in columns if column.kind in INDEXABLE] or [column])
        if what == "drop":
            columns.remove(column)
            destructive = rng.random() < 0.6
            x = ["allow_destructive=true"] if destructive else []
            return Change(f"drop {column.name}", destructive, {"drop-column"}, x, {column.name})
        if what == "type":
            description, widened = change_type(rng, column)
            return Change(f"type {description}", widened, {"narrow-type"}, columns={column.name})
        if what == "nullable":
            column.nullable = not column.nullable
            if column.nullable:
                return Change(f"{column.name} nullable", True, columns={column.name})
            return Change(
                f"{column.name} NOT NULL",
                False,
                {"set-not-null-without-default"},
                columns={column.name},
                constraint="not null",
            )
        if what == "default":
            old = column.default
            new = random_default(rng, column) if rng.random() < 0.7 else None
            if new == old or {old, new} in SAME_DEFAULTS:
                continue
            column.default = new
            return Change(f"{column.name} default {old} -> {new}", True, columns={column.name})
        if what == "index" and column.kind in INDEXABLE:
            column.index = not column.index
            return Change(f"{column.name} index={column.index}", True, columns={column.name})
        if what == "unique" and column.kind in UNIQUABLE:
            column.unique = not column.unique
            return Change(
                f"{column.name} unique={column.unique}",
                not column.unique,
                {"unique-over-constant-default"},
                columns={column.name},
                constraint="unique" if column.unique else None,
            )
        if what == "fk" and column.kind == "int":
            column.fk = not column.fk
            return Change(
                f"{column.name} foreign key={column.fk}",
                not column.fk,
                columns={column.name},
                constraint="foreign key" if column.fk else None,
            )
        if what == "rename":
            old_name = column.name
            column.name = fresh_name(state, rng)
            return Change(
                f"rename {old_name} -> {column.name}",
                True,
                x=[f"rename={ITEMS}.{old_name}:{column.name}"],
                columns={old_name, column.name},
            )


# -- running a step -------------------------------------------------------------------------------

RULE = re.compile(r"\[([a-z][a-z0-9-]+)\]")


@dataclass
class Verdict:
    kind: str  # refused, written, violation, false-refusal, drift, crash, missed, bad-refusal
    command: str = ""
    output: str = ""

    @property
    def counterexample(self) -> bool:
        return self.kind not in ("refused", "written")


def load(models: str) -> sa.MetaData:
    namespace: dict[str, Any] = {}
    exec(compile(models, "models.py", "exec"), namespace)
    return namespace["metadata"]


def insert(engine: sa.Engine, state: State, rows: list[dict[str, Any]], *, parents: bool = False) -> None:
    metadata = load(state.models())
    with engine.begin() as connection:
        if parents:
            connection.execute(sa.insert(metadata.tables[PARENTS]), [{"id": i} for i in PARENT_IDS])
        for row in rows:  # one at a time: rows may leave different columns to their defaults
            connection.execute(sa.insert(metadata.tables[ITEMS]), [row])


def current_rows(engine: sa.Engine, state: State) -> list[dict[str, Any]]:
    table = load(state.models()).tables[ITEMS]
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(sa.select(table).order_by(table.c.id))]


def breaking_rows(engine: sa.Engine, change: Change) -> int | None:
    """How many rows break the constraint `change` adds (None: not one this test counts)."""
    if change.constraint is None or len(change.columns) != 1:
        return None
    (name,) = change.columns
    where = {
        "not null": f"{name} IS NULL",
        "foreign key": f"{name} IS NOT NULL AND {name} NOT IN ({', '.join(map(str, PARENT_IDS))})",
        "unique": f"{name} IN (SELECT {name} FROM (SELECT {name} FROM {ITEMS} GROUP BY {name} "
        f"HAVING COUNT(*) > 1) AS repeated)",
    }[change.constraint]
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT COUNT(*) FROM {ITEMS} WHERE {where}")).scalar_one()


def count(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT COUNT(*) FROM {ITEMS}")).scalar_one()


def snapshot(engine: sa.Engine, names: list[str]) -> list[tuple[Any, ...]]:
    if not names:
        return []
    with engine.connect() as connection:
        table = sa.Table(ITEMS, sa.MetaData(), *(sa.Column(name) for name in ["id", *names]))
        return [tuple(row) for row in connection.execute(sa.select(table).order_by(table.c.id))]


def run(project: Project, *arguments: str) -> tuple[int, str, str]:
    result = project.alembic(*arguments)
    return result.returncode, result.stdout + result.stderr, "alembic " + " ".join(arguments)


def step(
    project: Project, engine: sa.Engine, before: State, after: State, change: Change, number: int
) -> Verdict:
    project.models(after.models())
    x = [argument for value in change.x for argument in ("-x", value)]
    versions = set(project.versions.glob("*.py"))
    code, output, command = run(project, *x, "revision", "--autogenerate", "-m", f"step {number}")
    if "Traceback" in output:
        return Verdict("crash", command, output)
    written = set(project.versions.glob("*.py")) - versions
    if code != 0 or not written:
        if written:
            return Verdict("crash", command, output + "\n(a revision file was left behind)")
        if "No schema change detected" in output:
            return Verdict("missed", command, output)
        rules = set(RULE.findall(output))
        if not rules or not ("alembic " in output or "No -x option" in output):
            return Verdict("bad-refusal", command, output)
        if change.growth or not rules <= change.accepted | ACCEPTED_ALWAYS:
            return Verdict("false-refusal", command, output)
        if rules == {"rows-break-constraint"} and breaking_rows(engine, change) == 0:
            return Verdict("false-refusal", command, output + "\n(no row breaks it)")
        return Verdict("refused", command, output)
    (script,) = written
    output = f"{script.read_text()}\n{output}"
    kept = [column.name for column in before.columns if column.name not in change.columns]
    rows, values = count(engine), snapshot(engine, kept)
    for arguments, failure in (
        (("upgrade", "head"), "violation"),
        (("check",), "drift"),
        (("downgrade", "-1"), "violation"),
        (("upgrade", "head"), "violation"),
        *([(("check",), "drift")] if THOROUGH else []),
    ):
        code, more, command = run(project, *arguments)
        output += f"\n$ {command}\n{more}"
        # The test env.py has no guardrails.guarded(): an upgrade that fails ends in a traceback.
        if code != 0 and arguments[0] != "check":
            return Verdict(failure, command, output)
        if "Traceback" in more:
            return Verdict("crash", command, output)
        if code != 0:
            return Verdict(failure, command, output)
        if count(engine) != rows:
            return Verdict("violation", command, output + f"\n(rows: {rows} before, {count(engine)} after)")
        if arguments[0] == "upgrade" and snapshot(engine, kept) != values:
            return Verdict("violation", command, output + "\n(values of untouched columns changed)")
    return Verdict("written", command, output)


def reset(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        leftovers = sa.MetaData()
        leftovers.reflect(connection, only=lambda name, _: name in (ITEMS, PARENTS, "alembic_version"))
        leftovers.drop_all(connection)
        if connection.dialect.name == "postgresql":
            for (name,) in connection.execute(
                sa.text("SELECT typname FROM pg_type WHERE typname LIKE 'c%\\_kind'")
            ):
                connection.execute(sa.text(f'DROP TYPE IF EXISTS "{name}" CASCADE'))


def start(directory: Path, engine: sa.Engine, state: State, rows: list[dict[str, Any]]) -> Project:
    reset(engine)
    project = Project(directory, url_of(engine))
    project.models(state.models())
    project.migrate("start")
    insert(engine, state, rows, parents=True)
    return project


def replay(
    directory: Path,
    engine: sa.Engine,
    before: State,
    after: State,
    change: Change,
    rows: list[dict[str, Any]],
) -> Verdict:
    return step(start(directory, engine, before, rows), engine, before, after, change, 1)


def shrink(
    tmp_path: Path,
    engine: sa.Engine,
    before: State,
    after: State,
    change: Change,
    rows: list[dict[str, Any]],
    kind: str,
) -> tuple[State, State, Verdict] | None:
    """The step on a table of the changed columns alone, if it still fails the same way."""
    small_before = State([column for column in before.columns if column.name in change.columns])
    small_after = State([column for column in after.columns if column.name in change.columns])
    if len(small_before.columns) == len(before.columns) and len(small_after.columns) == len(after.columns):
        return None
    keep = {"id", *change.columns}
    small_rows = [{name: value for name, value in row.items() if name in keep} for row in rows]
    verdict = replay(tmp_path / "shrunk", engine, small_before, small_after, change, small_rows)
    return (small_before, small_after, verdict) if verdict.kind == kind else None


def record(entry: dict[str, Any]) -> None:
    if REPORT:
        with open(REPORT, "a") as report:
            report.write(json.dumps(entry, default=str) + "\n")


@pytest.mark.parametrize("seed", _seeds())
def test_random_changes_keep_the_promise(alembic_engine, tmp_path, seed):
    rng = random.Random(seed)
    database = alembic_engine.dialect.name
    state = State([new_column(rng, f"c{i}") for i in range(rng.randint(3, 6))])
    project = start(tmp_path / "project", alembic_engine, state, random_rows(rng, state, range(1, 7)))
    next_id = 7
    for number in range(1, STEPS + 1):
        before = copy.deepcopy(state)
        rows = current_rows(alembic_engine, before)
        change = random_change(rng, state)
        verdict = step(project, alembic_engine, before, state, change, number)
        record(
            {
                "database": database,
                "seed": seed,
                "step": number,
                "change": change.description,
                "verdict": verdict.kind,
                "rules": sorted(set(RULE.findall(verdict.output))),
            }
        )
        if verdict.counterexample:
            found = f"seed {seed} step {number} on {database}: {verdict.kind} after `{change.description}`"
            shrunk = shrink(tmp_path, alembic_engine, before, state, change, rows, verdict.kind)
            if shrunk:
                before, state, verdict = shrunk
                found += " (shrunk to the changed columns)"
            record(
                {
                    "database": database,
                    "seed": seed,
                    "step": number,
                    "counterexample": verdict.kind,
                    "change": change.description,
                    "before": before.models(),
                    "after": state.models(),
                    "command": verdict.command,
                    "output": verdict.output[-6000:],
                }
            )
            pytest.fail(
                f"{found}\n--- models before\n{before.models()}\n--- models after\n{state.models()}\n"
                f"--- {verdict.command}\n{verdict.output[-6000:]}"
            )
        if verdict.kind == "refused":
            state = before
            project.models(state.models())
            continue
        insert(alembic_engine, state, random_rows(rng, state, range(next_id, next_id + 2)))
        next_id += 2


# Counterexamples the generator found, replayed alone: (databases, before, after, change, rows).
REGRESSIONS = [
    pytest.param(
        {"postgresql"},
        State([Col("c0", "bool", default="sa.false()")]),
        State([Col("c0", "smallint", default='sa.text("42")')]),
        Change("type c0: sa.Boolean() -> sa.SmallInteger()", True, columns={"c0"}),
        [{"id": 1, "c0": True}, {"id": 2, "c0": None}],
        id="postgresql-default-of-another-kind-boolean-to-smallint",
    ),
    pytest.param(
        {"postgresql"},
        State([Col("c3", "numeric", nullable=False, default='"1.5"')]),
        State([Col("c3", "string", length=100, nullable=False, default='""')]),
        Change("type c3: sa.Numeric(10, 2) -> sa.String(100)", False, columns={"c3"}),
        [{"id": 1, "c3": decimal.Decimal("2.5")}, {"id": 2}],
        id="postgresql-default-of-another-kind-numeric-to-string-and-back",
    ),
]


@pytest.mark.parametrize(("databases", "before", "after", "change", "rows"), REGRESSIONS)
def test_counterexamples_found_keep_the_promise(
    alembic_engine, tmp_path, databases, before, after, change, rows
):
    if alembic_engine.dialect.name not in databases:
        pytest.skip(f"found on {', '.join(sorted(databases))}")
    verdict = replay(tmp_path / "project", alembic_engine, before, after, change, rows)
    assert not verdict.counterexample, f"{verdict.kind}: {verdict.command}\n{verdict.output[-6000:]}"


# A unique index over a column the same revision adds (the downgrade of its drop, too): its
# rows hold NULL, so no row check (_row_checks compared Column objects as "table.column").
REGRESSIONS += [
    pytest.param(
        {"mysql", "mariadb"},
        State([Col("c2", "smallint", index=True, unique=True)]),
        State([]),
        Change("drop c2", True, x=["allow_destructive=true"], columns={"c2"}),
        [{"id": 1, "c2": 7}, {"id": 2, "c2": None}],
        id="downgrade-adds-back-a-column-with-a-unique-index",
    ),
    pytest.param(
        {"postgresql"},
        State([Col("c1", "int")]),
        State([Col("c1", "int"), Col("c2", "smallint", index=True, unique=True)]),
        Change("add c2", True, columns={"c2"}),
        [{"id": 1, "c1": 7}, {"id": 2, "c1": None}],
        id="upgrade-adds-a-column-with-a-unique-index",
    ),
]
REGRESSIONS += [
    pytest.param(
        {"postgresql"},
        State([]),
        State(
            [
                Col(
                    "c64",
                    "enum_native",
                    values=("red", "magenta", "blue"),
                    enum_name="c64_kind",
                    default="'red'",
                )
            ]
        ),
        Change("add c64", True, columns={"c64"}),
        [{"id": 1}, {"id": 2}],
        id="postgresql-add-a-native-enum-column",
    ),
]
REGRESSIONS += [
    pytest.param(
        {"mysql", "mariadb", "postgresql", "sqlite"},
        State([Col("c0", "float")]),
        State([Col("c0", "enum", values=("red", "green", "blue"), enum_name="c0_kind")]),
        Change("type c0: sa.Float() -> sa.Enum(...)", False, {"narrow-type"}, columns={"c0"}),
        [{"id": 1, "c0": 1.5}, {"id": 2, "c0": None}],
        id="a-number-becomes-a-non-native-enum",
    ),
]
# NOT NULL over a unique column whose NULLs the default fills (_rewrites.fill_nulls_before_not_null):
# two NULLs would become two equal values; refused as rows-break-constraint.
REGRESSIONS += [
    pytest.param(
        {"sqlite"},
        State([Col("c2", "smallint", default='"0"', unique=True)]),
        State([Col("c2", "smallint", nullable=False, default='"0"', unique=True)]),
        Change("c2 NOT NULL", False, {"set-not-null-without-default"}, columns={"c2"}, constraint="not null"),
        [{"id": 1, "c2": None}, {"id": 2, "c2": None}, {"id": 3, "c2": 5}],
        id="not-null-filled-from-a-default-over-a-unique-column",
    ),
]
REGRESSIONS += [
    pytest.param(
        {"mysql", "mariadb"},
        State([Col("c5", "enum_native", values=("cyan", "magenta"), enum_name="c5_kind")]),
        State([Col("c5", "enum", values=("cyan", "magenta"), enum_name="c5_kind")]),
        Change("type c5: native Enum -> non-native Enum", False, {"narrow-type"}, columns={"c5"}),
        [{"id": 1, "c5": "cyan"}, {"id": 2, "c5": None}],
        id="mysql-native-enum-becomes-non-native",
    ),
]

"""What the guards promise, kept on seeded rows through the real `alembic` CLI, on every database.

1. A rename (`-x rename=old:new`, `-x rename=table.old:new`) carries what is named after the
   table or column: its indexes, its constraints (the naming convention's `ix_`, `uq_`, `fk_`,
   `pk_`, `ck_` names) and the foreign keys of other tables that point at it, both ways. After
   the upgrade `alembic check` is clean and the schema has the names a fresh `create_all()` of
   the models gives (a reference database says which); `downgrade -1` gives back the names the
   database had, and `upgrade head` runs again; the rows stay throughout.
2. Every refusal either names the whole command that writes the revision, and that command
   writes it, or says that no override exists and gives the safe way: each refusing rule is
   triggered, on the protected `users` table and on another, and the command it names is run.
3. Downgrades run on a populated table: a dropped column comes back in a form its rows accept
   (and the revision says, in a comment and when it runs, that its values are gone), NOT NULL
   comes back after the rows are filled, and PostgreSQL gets `postgresql_using` for a change of
   type to another kind, both ways.

One baked project and one database per backend serve a whole worker (and a second database,
the reference): between cases the database is emptied and the new revision deleted, as in
test_guard_corpus.py.
"""

from __future__ import annotations

import re
import runpy
import shlex
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from alembic_guardrails.rules import MODULES
from sqlalchemy.pool import NullPool

from conftest import bake_project, empty_database, throwaway_database

BACKENDS = ["sqlite", "postgresql", "mysql"]
MODELS_HEADER = (
    '"""Models of one promise case."""\n\nimport sqlalchemy as sa\n\nfrom .schema import metadata\n\n'
)
NO_OVERRIDE = "No -x option writes this revision"
VALUES_GONE = "was dropped by the upgrade, and its values with it"


class Bench:
    """A baked project, its database and a reference database on one backend, reused case after case."""

    def __init__(self, project, backend: str, url: str, reference_url: str):
        self.project, self.backend, self.url, self.reference_url = project, backend, url, reference_url
        self.env = {"DATABASE_URL": url}
        # Style hooks only tidy the file; what is written is judged faster without them.
        project.edit("alembic.ini", "hooks = ruff_fix, ruff_format", "hooks =")
        self.ini = (project.path / "alembic.ini").read_text()

    def engine(self, url: str | None = None) -> sa.Engine:
        return sa.create_engine(url or self.url, poolclass=NullPool)

    def empty(self, url: str) -> None:
        empty_database(self.backend, url)

    def metadata(self, models: str) -> sa.MetaData:
        """The tables of `models`, on a fresh copy of the project's MetaData (its naming convention)."""
        metadata = runpy.run_path(str(self.project.package / "schema.py"))["metadata"]
        exec(models, {"sa": sa, "metadata": metadata})  # noqa: S102 - the cases' own model code
        return metadata

    def start(self, before: str, seed: dict[str, list[dict]], after: str) -> None:
        """The database holds `before` and the seeded rows; models.py says `after`."""
        for revision in self.project.versions():
            revision.unlink()
        (self.project.path / "alembic.ini").write_text(self.ini)
        self.empty(self.url)
        engine = self.engine()
        metadata = self.metadata(before)
        with engine.begin() as connection:
            metadata.create_all(connection)
            for table in metadata.sorted_tables:
                if seed.get(table.name):
                    connection.execute(table.insert(), seed[table.name])
        engine.dispose()
        (self.project.package / "models.py").write_text(MODELS_HEADER + after)

    def autogenerate(self, *x_args: str):
        """`alembic -x ... revision --autogenerate`: (exit code, output, new files)."""
        before = set(self.project.versions())
        options = [part for arg in x_args for part in ("-x", arg)]
        result = self.project.alembic(
            *options, "revision", "--autogenerate", "-m", "promise case", env=self.env, check=False
        )
        return result.returncode, result.stdout + result.stderr, sorted(set(self.project.versions()) - before)

    def alembic(self, *args: str) -> str:
        result = self.project.alembic(*args, env=self.env)
        return result.stdout + result.stderr

    def rows(self, table: str) -> list[dict]:
        engine = self.engine()
        with engine.connect() as connection:
            found = sa.Table(table, sa.MetaData(), autoload_with=connection)
            result = [
                {key: plain(value) for key, value in row._mapping.items()}
                for row in connection.execute(found.select().order_by(*found.primary_key.columns))
            ]
        engine.dispose()
        return result

    def names(self, url: str | None = None) -> dict[str, Any]:
        """Every table's index and constraint names (and PostgreSQL's sequences), as reflected."""
        engine = self.engine(url)
        inspector = sa.inspect(engine)
        found: dict[str, Any] = {}
        for table in inspector.get_table_names():
            if table == "alembic_version":
                continue
            uniques = {u["name"] for u in inspector.get_unique_constraints(table)}
            found[table] = {
                "indexes": {i["name"] for i in inspector.get_indexes(table) if i["name"] not in uniques},
                "uniques": uniques,
                "foreign keys": {f["name"] for f in inspector.get_foreign_keys(table)},
                "checks": {c["name"] for c in inspector.get_check_constraints(table)},
                "primary key": inspector.get_pk_constraint(table).get("name"),
            }
        if self.backend == "postgresql":
            with engine.connect() as connection:
                query = (
                    "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'"
                )
                found["<sequences>"] = set(connection.scalars(sa.text(query)))
        engine.dispose()
        return found

    def fresh_names(self, models: str) -> dict[str, Any]:
        """The names `create_all()` of `models` gives, in the reference database."""
        self.empty(self.reference_url)
        engine = self.engine(self.reference_url)
        with engine.begin() as connection:
            self.metadata(models).create_all(connection)
        engine.dispose()
        return self.names(self.reference_url)


def plain(value: Any) -> Any:
    """A value as every database gives it back: booleans as 0/1, decimals as int or float."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


@pytest.fixture(scope="session")
def benches(cookies_session):
    """bench(backend): this worker's Bench for `backend`, made on first use."""
    made: dict[str, Bench] = {}
    databases = []

    def bench(backend: str) -> Bench:
        if backend not in made:
            project = bake_project(cookies_session, database=backend, project_name=f"promise {backend}")
            if backend == "sqlite":
                url = f"sqlite:///{project.path / 'promise.sqlite3'}"
                reference = f"sqlite:///{project.path / 'reference.sqlite3'}"
            else:
                urls = []
                for _ in range(2):
                    generator = throwaway_database(backend)
                    urls.append(next(generator))
                    databases.append(generator)
                url, reference = urls
            made[backend] = Bench(project, backend, url, reference)
        return made[backend]

    yield bench
    for generator in databases:
        next(generator, None)


def expect_rows(bench: Bench, expected: dict[str, list[dict]]) -> None:
    for table, rows in expected.items():
        found = bench.rows(table)
        assert len(found) == len(rows), (table, found)
        for got, want in zip(found, rows, strict=True):
            assert {key: got[key] for key in want} == {key: plain(value) for key, value in want.items()}, (
                table
            )


def written(bench: Bench, *x_args: str) -> tuple[str, str]:
    """Autogenerate that must write one file: (its text, the command's output)."""
    code, output, files = bench.autogenerate(*x_args)
    assert code == 0 and len(files) == 1, output
    assert "Traceback" not in output, output
    return files[0].read_text(), output


# ---- 1. renames carry their names -----------------------------------------------------------

GOODS = """
users = sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(50)))
goods = sa.Table(
    "goods",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sku", sa.String(20), index=True, nullable=False),
    sa.Column("code", sa.String(20), unique=True),
    sa.Column("qty", sa.Integer, nullable=False, server_default="0"),
    sa.Column("flag", sa.Boolean(create_constraint=True)),
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("goods.id")),
    sa.CheckConstraint("qty >= 0", name="qty_positive"),
)
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("goods_id", sa.Integer, sa.ForeignKey("goods.id"), index=True),
    sa.Column("backup_id", sa.Integer, sa.ForeignKey("goods.id")),
)
"""
GOODS_ROWS = {
    "users": [{"id": 1, "name": "Ada"}],
    "goods": [
        {"id": 1, "sku": "a-1", "code": "c1", "qty": 3, "flag": True, "owner_id": 1, "parent_id": None},
        {"id": 2, "sku": "b-2", "code": "c2", "qty": 0, "flag": False, "owner_id": 1, "parent_id": 1},
    ],
    "orders": [{"id": 1, "goods_id": 2, "backup_id": 1}],
}


def renamed(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


def renamed_rows(rows: dict[str, list[dict]], tables: dict[str, str], columns: dict[str, dict[str, str]]):
    return {
        tables.get(table, table): [
            {columns.get(table, {}).get(key, key): value for key, value in row.items()} for row in values
        ]
        for table, values in rows.items()
    }


@dataclass(frozen=True)
class RenameCase:
    name: str
    rename: str
    after: str
    tables: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    before: str = GOODS
    seed: dict[str, list[dict]] = field(default_factory=lambda: GOODS_ROWS)


SHOPS = 'shops = sa.Table("shops", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("title", sa.String(30), unique=True))\n'
SHOPS_ROWS = {**GOODS_ROWS, "shops": [{"id": 1, "title": "Main"}], "goods": GOODS_ROWS["goods"]}
GOODS_IN_SHOPS = renamed(
    GOODS,
    (
        'sa.Column("parent_id"',
        'sa.Column("shop_id", sa.Integer, sa.ForeignKey("shops.id")),\n    sa.Column("parent_id"',
    ),
)

RENAMES = [
    RenameCase(
        "table",
        "goods:products",
        renamed(GOODS, ('"goods"', '"products"'), ('"goods.id"', '"products.id"')),
        tables={"goods": "products"},
    ),
    RenameCase(
        "columns",
        # users is protected: a rename loses nothing, so no override is needed.
        "goods.sku:article,goods.code:ean,goods.flag:on_sale,goods.owner_id:user_id,users.id:uid,orders.goods_id:item_id",
        renamed(
            GOODS,
            ('"sku"', '"article"'),
            ('"code"', '"ean"'),
            ('"flag"', '"on_sale"'),
            ('"owner_id"', '"user_id"'),
            (
                'sa.Column("id", sa.Integer, primary_key=True), sa.Column("name"',
                'sa.Column("uid", sa.Integer, primary_key=True), sa.Column("name"',
            ),
            ('"users.id"', '"users.uid"'),
            ('"goods_id"', '"item_id"'),
        ),
        columns={
            "goods": {"sku": "article", "code": "ean", "flag": "on_sale", "owner_id": "user_id"},
            "users": {"id": "uid"},
            "orders": {"goods_id": "item_id"},
        },
    ),
    RenameCase(
        "several_in_one_revision",
        # Two tables, a foreign key between them, a column of a renamed table (named by its new
        # name), a column of a table that stays; the renamed table also gains an indexed column.
        "shops:stores,goods:products,products.sku:article,orders.goods_id:product_id",
        renamed(
            SHOPS + GOODS_IN_SHOPS,
            ('"shops"', '"stores"'),
            ('"shops.id"', '"stores.id"'),
            ('"goods"', '"products"'),
            ('"goods.id"', '"products.id"'),
            ('"sku"', '"article"'),
            ('"goods_id"', '"product_id"'),
            (
                'sa.CheckConstraint("qty >= 0"',
                'sa.Column("color", sa.String(10), index=True),\n    sa.CheckConstraint("qty >= 0"',
            ),
        ),
        tables={"shops": "stores", "goods": "products"},
        columns={"goods": {"sku": "article"}, "orders": {"goods_id": "product_id"}},
        before=SHOPS + GOODS_IN_SHOPS,
        seed={
            **SHOPS_ROWS,
            "goods": [{**row, "shop_id": 1} for row in GOODS_ROWS["goods"]],
        },
    ),
]
RENAME_RUNS = [(case, backend) for case in RENAMES for backend in BACKENDS]


@pytest.mark.parametrize(
    ("case", "backend"), RENAME_RUNS, ids=[f"{case.name}-{backend}" for case, backend in RENAME_RUNS]
)
def test_a_rename_carries_its_indexes_constraints_and_foreign_keys(benches, case: RenameCase, backend: str):
    bench = benches(backend)
    bench.start(case.before, case.seed, case.after)
    names_before = bench.names()
    revision, _ = written(bench, f"rename={case.rename}")
    upgrade = revision.split("def downgrade")[0]
    for dropped in ("drop_table", "create_table", "drop_column"):
        assert dropped not in upgrade, revision

    bench.alembic("upgrade", "head")
    after_rows = renamed_rows(case.seed, case.tables, case.columns)
    expect_rows(bench, after_rows)
    assert "No new upgrade operations detected" in bench.alembic("check")
    assert bench.names() == bench.fresh_names(case.after), revision

    bench.alembic("downgrade", "-1")
    expect_rows(bench, case.seed)
    assert bench.names() == names_before, revision
    bench.alembic("upgrade", "head")
    expect_rows(bench, after_rows)
    assert "No new upgrade operations detected" in bench.alembic("check")


# ---- 2. every refusal names a command that writes the file, or says there is none -------------

BASE = 'sa.Column("id", sa.Integer, primary_key=True, autoincrement=False), sa.Column("name", sa.String(20), nullable=False), sa.Column("note", sa.String(20))'


def tables(users: str | None = BASE, items: str | None = BASE) -> str:
    """users (protected in the baked alembic.ini) and items, with `BASE` columns unless told; None: no table."""
    columns = {"users": users, "items": items}
    return "".join(
        f'{name} = sa.Table("{name}", metadata, {body})\n' for name, body in columns.items() if body
    )


def with_columns(table: str, columns: str) -> str:
    return tables(**{table: f"{BASE}, {columns}"})


def changed(table: str, old: str, new: str) -> str:
    assert old in BASE
    return tables(**{table: BASE.replace(old, new)})


@dataclass(frozen=True)
class Trigger:
    """A model change, on a given table, that one refusing rule refuses."""

    after: Any  # (table name) -> models
    dialects: tuple[str, ...] = tuple(BACKENDS)
    # Without PostgreSQL's online forms (alembic.ini: postgresql_safe_ddl = false).
    plain_ddl: bool = False


NOTE = ', sa.Column("note", sa.String(20))'
TRIGGERS = {
    "index-without-columns": Trigger(lambda t: with_columns(t, f'sa.Index("ix_{t}_nothing")')),
    "concurrent-index-in-transaction": Trigger(
        lambda t: with_columns(t, f'sa.Index("ix_{t}_name_now", "name", postgresql_concurrently=True)'),
        dialects=("postgresql",),
        plain_ddl=True,  # else the index is built in an autocommit_block(), as it must be
    ),
    "drop-table": Trigger(lambda t: tables(**{t: None})),
    "drop-column": Trigger(lambda t: changed(t, NOTE, "")),
    "narrow-type": Trigger(
        lambda t: changed(t, "sa.String(20), nullable=False", "sa.String(10), nullable=False")
    ),
    "set-not-null-without-default": Trigger(lambda t: changed(t, NOTE, NOTE[:-1] + ", nullable=False)")),
    "add-identity-column": Trigger(
        lambda t: with_columns(t, 'sa.Column("seq", sa.Integer, sa.Identity())'), dialects=("sqlite", "mysql")
    ),
    "add-not-null-without-default": Trigger(
        lambda t: with_columns(t, 'sa.Column("code", sa.String(8), nullable=False)')
    ),
    "unique-over-constant-default": Trigger(
        lambda t: with_columns(t, 'sa.Column("slug", sa.String(8), server_default="x", unique=True)')
    ),
    # Rows 1 and 3 share their note.
    "rows-break-constraint": Trigger(lambda t: changed(t, NOTE, NOTE[:-1] + ", unique=True)")),
}
REFUSING = {module.RULE.id: module.RULE for module in MODULES if module.RULE.verdict == "refuse"}
SEED = {
    "users": [
        {"id": 1, "name": "Ada", "note": "n"},
        {"id": 2, "name": "Bob", "note": "m"},
        {"id": 3, "name": "Cy", "note": "n"},
    ]
}
SEED["items"] = SEED["users"]
REFUSAL_RUNS = [
    (rule, table, backend)
    for rule, trigger in TRIGGERS.items()
    for table in ("users", "items")
    for backend in trigger.dialects
]


# Refusing rules autogenerate cannot trip: they judge hand-written revisions (`alembic-guardrails lint`).
HAND_WRITTEN_ONLY = {
    # Autogenerate writes batch mode on SQLite (render_as_batch): none of its operations is outside it.
    "sqlite-alter-outside-batch",
}


def test_every_refusing_rule_has_a_trigger():
    assert set(TRIGGERS) | HAND_WRITTEN_ONLY == set(REFUSING)


def named_command(output: str) -> list[str]:
    """The -x arguments of the `re-run as: alembic ... revision --autogenerate` the refusal names."""
    found = re.search(r"re-run as: alembic (.+?) revision --autogenerate", output)
    assert found, output
    words = shlex.split(found[1])
    assert words[::2] == ["-x"] * (len(words) // 2), words
    return words[1::2]


@pytest.mark.parametrize(
    ("rule", "table", "backend"), REFUSAL_RUNS, ids=[f"{r}-{t}-{b}" for r, t, b in REFUSAL_RUNS]
)
def test_a_refusal_names_the_command_that_writes_it_or_says_there_is_none(benches, rule, table, backend):
    bench = benches(backend)
    trigger = TRIGGERS[rule]
    bench.start(tables(), SEED, trigger.after(table))
    if trigger.plain_ddl:
        bench.project.edit("alembic.ini", "postgresql_safe_ddl = true", "postgresql_safe_ddl = false")
    code, output, files = bench.autogenerate()
    assert code != 0 and not files, output
    assert f"[{rule}]" in output and "Traceback" not in output, output
    if not REFUSING[rule].overridable:
        assert NO_OVERRIDE in output and "re-run as" not in output, output
        assert REFUSING[rule].safe["en"] in output, output
        # And indeed no override writes it.
        code, output, files = bench.autogenerate("allow_destructive=true", f"allow_protected={table}")
        assert code != 0 and not files and NO_OVERRIDE in output, output
        return
    command = named_command(output)
    assert "allow_destructive=true" in command
    assert ("allow_protected=users" in command) is (table == "users"), command
    written(bench, *command)


def test_the_named_command_keeps_the_other_options_of_the_run(benches):
    """A refused run with `-x rename=...`: the command it names renames too, and writes the file."""
    bench = benches("sqlite")
    after = tables(users=BASE.replace(', sa.Column("note", sa.String(20))', "")).replace(
        '"items"', '"things"'
    )
    bench.start(tables(), SEED, after)
    code, output, _ = bench.autogenerate("rename=items:things")
    assert code != 0, output
    command = named_command(output)
    assert command == ["rename=items:things", "allow_protected=users", "allow_destructive=true"], output
    revision, _ = written(bench, *command)
    assert "op.rename_table('items', 'things')" in revision


# ---- 3. downgrades that run on the rows a table holds ----------------------------------------

ITEMS_BEFORE = """
items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("code", sa.String(8), nullable=False),
    sa.Column("state", sa.String(8), nullable=False, server_default="new"),
    sa.Column("note", sa.String(8)),
    sa.Column("v", sa.String(20), nullable=False, server_default="x"),
)
"""
ITEMS_AFTER = """
items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("v", sa.String(20), server_default="x"),
)
"""
ITEMS_ROWS = [
    {"id": 1, "code": "a", "state": "done", "note": "n", "v": "p"},
    {"id": 2, "code": "b", "state": "new", "note": None, "v": "q"},
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_dropped_columns_come_back_in_a_form_the_rows_accept(benches, backend):
    bench = benches(backend)
    bench.start(ITEMS_BEFORE, {"items": ITEMS_ROWS}, ITEMS_AFTER)
    revision, _ = written(bench, "allow_destructive=true")
    downgrade = revision.split("def downgrade")[1]
    # A comment in the file and a warning when it runs, for each column.
    assert downgrade.count(VALUES_GONE) == 6 and downgrade.count(".warning(") == 3, downgrade
    bench.alembic("upgrade", "head")
    expect_rows(bench, {"items": [{"id": 1, "v": "p"}, {"id": 2, "v": "q"}]})
    assert "No new upgrade operations detected" in bench.alembic("check")
    # A row written since, NULL where the downgrade makes NOT NULL again (with a default to fill).
    engine = bench.engine()
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO items (id, v) VALUES (3, NULL)"))
    engine.dispose()

    said = bench.alembic("downgrade", "-1")
    assert said.count(VALUES_GONE) == 3, said
    expect_rows(
        bench,
        {
            "items": [
                {"id": 1, "code": None, "state": "new", "note": None, "v": "p"},
                {"id": 2, "code": None, "state": "new", "note": None, "v": "q"},
                {"id": 3, "code": None, "state": "new", "note": None, "v": "x"},
            ]
        },
    )
    bench.alembic("upgrade", "head")
    expect_rows(bench, {"items": [{"id": 1, "v": "p"}, {"id": 2, "v": "q"}, {"id": 3, "v": "x"}]})
    assert "No new upgrade operations detected" in bench.alembic("check")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dropped_table_comes_back_empty_and_says_so(benches, backend):
    bench = benches(backend)
    bench.start(
        ITEMS_BEFORE + ITEMS_AFTER.replace('"items"', '"kept"'),
        {"items": ITEMS_ROWS},
        ITEMS_AFTER.replace('"items"', '"kept"'),
    )
    revision, _ = written(bench, "allow_destructive=true")
    assert "items was dropped by the upgrade, and its rows with it" in revision
    bench.alembic("upgrade", "head")
    assert "No new upgrade operations detected" in bench.alembic("check")
    assert "its rows with it: it comes back empty" in bench.alembic("downgrade", "-1")
    assert bench.rows("items") == []
    bench.alembic("upgrade", "head")


KINDS_BEFORE = """
items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("flag", sa.Boolean, nullable=False),
    sa.Column("amount", sa.Text),
    sa.Column("big", sa.BigInteger),
)
"""
KINDS_AFTER = """
items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("flag", sa.String(255), nullable=False),
    sa.Column("amount", sa.Integer),
    sa.Column("big", sa.String(20)),
)
"""
KINDS_ROWS = [
    {"id": 1, "flag": True, "amount": "12", "big": 2**63 - 1},
    {"id": 2, "flag": False, "amount": None, "big": -(2**63)},
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_change_of_kind_casts_both_ways(benches, backend):
    """Boolean -> String(255) and BigInteger -> String(20) are allowed, Text -> Integer narrows (the
    override writes it); on PostgreSQL each direction casts with `postgresql_using`."""
    bench = benches(backend)
    bench.start(KINDS_BEFORE, {"items": KINDS_ROWS}, KINDS_AFTER)
    revision, _ = written(bench, "allow_destructive=true")
    upgrade, downgrade = revision.split("def downgrade")
    if backend == "postgresql":
        for using in ("flag::VARCHAR(255)", "amount::INTEGER", "big::VARCHAR(20)"):
            assert f"postgresql_using='{using}'" in upgrade, upgrade
        for using in ("flag::BOOLEAN", "amount::TEXT", "big::BIGINT"):
            assert f"postgresql_using='{using}'" in downgrade, downgrade
    else:
        assert "postgresql_using" not in revision
    bench.alembic("upgrade", "head")
    expect_rows(bench, {"items": [{"id": 1, "amount": 12, "big": str(2**63 - 1)}, {"id": 2, "amount": None}]})
    assert "No new upgrade operations detected" in bench.alembic("check")
    bench.alembic("downgrade", "-1")
    expect_rows(bench, {"items": KINDS_ROWS})
    bench.alembic("upgrade", "head")
    assert "No new upgrade operations detected" in bench.alembic("check")

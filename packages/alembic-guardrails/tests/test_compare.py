"""_compare.py, _enums.py and the autogenerate plugin (_plugin.py): Alembic objects in, corrections out.

The plugin's comparators run in Alembic's own comparison (its dispatch, or
produce_migrations), configured as Guardrails.options() configures it. SQLite in
memory stands in where a database must answer (enum values held by rows or
allowed by a CHECK); the template's own tests run the same code through the CLI
on PostgreSQL and MariaDB, and tests/test_plugin.py through an installed wheel.
"""

import ast
import re
import warnings

import pytest
import sqlalchemy as sa
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.operations import ops
from conftest import NAMING_CONVENTION
from sqlalchemy.dialects import mysql, postgresql

from alembic_guardrails import Guardrails
from alembic_guardrails import _compare as compare
from alembic_guardrails import _enums as enums
from alembic_guardrails import _plugin as plugin

STOCK = ["alembic.autogenerate.*"]
# The plugins Guardrails.options() enables, with compare_server_default=True.
PLUGINS = ["alembic.autogenerate.*", plugin.register()]


def context(dialect_name, metadata=None, connection=None):
    opts = {"target_metadata": metadata}
    if connection is not None:
        return MigrationContext.configure(connection=connection, opts=opts)
    return MigrationContext.configure(dialect_name=dialect_name, opts=opts)


def script(upgrade, downgrade=()):
    return ops.MigrationScript(
        "rev", ops.UpgradeOps(ops=list(upgrade)), ops.DowngradeOps(ops=list(downgrade))
    )


def names(container):
    return [type(op).__name__ for op in container.ops]


@pytest.mark.parametrize(
    ("model", "reflected", "verdict"),
    [
        (sa.Float(precision=53), mysql.DOUBLE(), False),
        (sa.Double(), mysql.DOUBLE(), False),
        (sa.Float(precision=10), mysql.DOUBLE(), None),
        (sa.Float(), mysql.FLOAT(), None),
        (sa.Integer(), mysql.DOUBLE(), None),
    ],
)
def test_types_mysql_stores_identically_compare_equal(model, reflected, verdict):
    assert compare.compare_type(context("mysql"), None, None, reflected, model) is verdict
    assert compare.compare_type(context("postgresql"), None, None, reflected, model) is None


@pytest.mark.parametrize(
    ("reflected", "rendered", "column_type", "verdict"),
    [
        ("0", "false", mysql.TINYINT(1), False),
        ("1", "true", mysql.TINYINT(1), False),
        ("current_timestamp()", "now()", mysql.DATETIME(), False),
        ("current_timestamp(6)", "now(6)", mysql.DATETIME(fsp=6), False),
        ("1.000", "1", mysql.DECIMAL(10, 3), False),
        ("1.500", "'1.5'", mysql.DECIMAL(10, 3), False),
        ("'EUR'", "'EUR'", mysql.VARCHAR(3), False),
        ("''", "''", mysql.VARCHAR(3), False),
        ("'it''s'", "'it\\'s'", mysql.VARCHAR(9), False),
        ("'2000-01-01'", "'2000-01-01'", mysql.DATE(), False),
        ("'1.0'", "'1'", mysql.VARCHAR(3), None),  # text, not numbers: the server says (none here)
        ("'EUR'", "'USD'", mysql.VARCHAR(3), None),
        ("0", "1", mysql.INTEGER(), None),
    ],
)
def test_defaults_in_mysql_spelling_compare_equal(reflected, rendered, column_type, verdict):
    """Without a connection to ask, a difference the text shows is Alembic's to judge (None)."""
    column = sa.Column("value", column_type)
    assert (
        compare.compare_server_default(context("mysql"), column, column, reflected, None, rendered) is verdict
    )


@pytest.mark.parametrize(
    ("dialect_name", "reflected", "rendered", "column_type", "verdict"),
    [
        # SQLite keeps the text it was given: Alembic's own comparison missed '' and quotes.
        ("sqlite", "''", "''", sa.String(), False),
        ("sqlite", "'it''s'", "'it''s'", sa.String(), False),
        ("sqlite", "'1'", "1", sa.Integer(), False),
        ("sqlite", "'2.5'", "2.5", sa.Float(), False),
        ("sqlite", "(lower('A'))", "lower('A')", sa.String(), False),
        ("sqlite", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP", sa.DateTime(), False),
        ("sqlite", "'1.0'", "'1'", sa.String(), True),
        ("sqlite", "'x'", "'y'", sa.String(), True),
        ("sqlite", "'2000-01-01'", "'2000-01-01 00:00:00'", sa.DateTime(), True),  # SQLite stores text
        # PostgreSQL gives constants back cast to their type; nothing is evaluated (json has no `=`).
        ("postgresql", "'[]'::json", "'[]'", sa.JSON(), False),
        ("postgresql", "'x'::character varying", "'x'", sa.String(), False),
        (
            "postgresql",
            "'2000-01-01 00:00:00'::timestamp without time zone",
            "'2000-01-01 00:00:00'",
            sa.DateTime(),
            False,
        ),
        ("postgresql", "'{}'::integer[]", "'{}'", sa.ARRAY(sa.Integer()), False),
        ("postgresql", "('a'::text || 'b'::text)", "'a' || 'b'", sa.String(), False),
        ("postgresql", "'-1'::integer", "-1", sa.Integer(), False),
        ("postgresql", "now()", "CURRENT_TIMESTAMP", sa.DateTime(), False),
        ("postgresql", "'{}'::json", "'[]'", sa.JSON(), True),  # without a connection: by the text
        ("postgresql", "'(1,2)'::point", "'(2,1)'", sa.String(), True),
    ],
)
def test_defaults_compare_by_their_text_on_sqlite_and_postgresql(
    dialect_name, reflected, rendered, column_type, verdict
):
    column = sa.Column("value", column_type)
    answer = compare.compare_server_default(context(dialect_name), column, column, reflected, None, rendered)
    assert answer is verdict


def test_options_enable_the_plugin_instead_of_compare_callables():
    options = Guardrails(config=Config()).options("sqlite")
    assert options["autogenerate_plugins"] == ["alembic.autogenerate.*", "alembic_guardrails"]
    assert options["compare_type"] is True
    assert options["compare_server_default"] is True  # Alembic compares no default otherwise
    # Set up once: a second Plugin("alembic_guardrails") would raise.
    assert plugin.register() == "alembic_guardrails"


def columns(model, reflected, **model_options):
    """A model column and the column the database gives back for it, each in its own table."""
    model_column = sa.Column("value", model, **model_options)
    reflected_column = sa.Column("value", reflected)
    for column in (model_column, reflected_column):
        sa.Table("measures", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), column)
    return model_column, reflected_column


def compare_column(
    dialect_name, model_column, reflected_column, plugins=PLUGINS, compare_server_default=True
):
    """The AlterColumnOp Alembic's column comparators, and the plugins named, write for one column."""
    opts = {"autogenerate_plugins": plugins, "compare_server_default": compare_server_default}
    autogen_context = AutogenContext(MigrationContext.configure(dialect_name=dialect_name, opts=opts))
    alter = ops.AlterColumnOp("measures", "value")
    compare_columns = autogen_context.comparators.dispatch("column", qualifier=dialect_name)
    compare_columns(autogen_context, alter, None, "measures", "value", reflected_column, model_column)
    return alter


@pytest.mark.parametrize("dialect_name", ["mysql", "mariadb"])
def test_plugin_compares_types_as_mysql_stores_them(dialect_name):
    model, reflected = columns(sa.Float(precision=53), mysql.DOUBLE(), nullable=False)
    assert compare_column(dialect_name, model, reflected, STOCK).modify_type is not None
    alter = compare_column(dialect_name, model, reflected)
    assert alter.modify_type is None
    # Alembic's own comparators still ran: the nullability change keeps the type MySQL needs.
    assert alter.modify_nullable is False
    assert isinstance(alter.existing_type, mysql.DOUBLE)
    assert (
        compare_column(dialect_name, *columns(sa.Float(precision=10), mysql.DOUBLE())).modify_type is not None
    )
    assert compare_column("postgresql", model, reflected).modify_type is not None  # MySQL's spelling only


def test_plugin_compares_defaults_in_mysql_spelling():
    model, reflected = columns(sa.DateTime(), mysql.DATETIME(), server_default=sa.func.now())
    reflected.server_default = sa.DefaultClause(sa.text("current_timestamp()"))
    assert compare_column("mysql", model, reflected, STOCK).modify_server_default is not False
    alter = compare_column("mysql", model, reflected)
    assert not alter.has_changes()
    assert alter.existing_server_default is reflected.server_default  # noted by Alembic first
    # A default that differs is still Alembic's to find, and compare_server_default=False still wins.
    reflected.server_default = sa.DefaultClause(sa.text("'2000-01-01 00:00:00'"))
    assert compare_column("mysql", model, reflected).has_changes()
    assert not compare_column("mysql", model, reflected, compare_server_default=False).has_changes()


def test_plugin_compares_json_defaults_on_postgresql_without_evaluating_them():
    """Alembic's own comparison runs `SELECT '[]'::json = '[]'`: no `=` for json (alembic#1119)."""
    model, reflected = columns(sa.JSON(), postgresql.JSON(), server_default="[]")
    reflected.server_default = sa.DefaultClause(sa.text("'[]'::json"))
    alter = compare_column("postgresql", model, reflected)  # no connection: nothing could be evaluated
    assert not alter.has_changes()
    assert alter.existing_server_default is reflected.server_default
    reflected.server_default = sa.DefaultClause(sa.text("'{}'::json"))
    alter = compare_column("postgresql", model, reflected)
    assert alter.modify_server_default is model.server_default


def test_plugin_compares_sqlite_defaults_it_used_to_miss():
    for default in ("", "it's"):
        model, reflected = columns(sa.String(10), sa.VARCHAR(10), server_default=default)
        reflected.server_default = sa.DefaultClause(sa.text("'" + default.replace("'", "''") + "'"))
        assert compare_column("sqlite", model, reflected, STOCK).has_changes()  # Alembic alone
        assert not compare_column("sqlite", model, reflected).has_changes()


def test_plugin_leaves_generated_columns_to_alembic():
    """The compare_server_default callable made Alembic read a reflected Computed as a default: AttributeError."""
    model, reflected = columns(sa.Integer(), mysql.INTEGER(), server_default=sa.Computed("id * 2"))
    reflected.server_default = sa.Computed("id * 2")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Alembic warns when a generated column's expression changes
        assert not compare_column("mysql", model, reflected).has_changes()


def test_unique_identical_to_the_primary_key_is_left_out_of_the_comparison():
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sessions = sa.Table(
        "sessions",
        metadata,
        sa.Column("token", sa.String(64), primary_key=True, unique=True),
        sa.Column("email", sa.String(100), unique=True),
    )
    seen = []
    include = compare.without_unique_on_primary_key(lambda *args: seen.append(args[1]) or True)
    verdicts = {
        constraint.name: include(constraint, constraint.name, "unique_constraint", False, None)
        for constraint in sessions.constraints
        if isinstance(constraint, sa.UniqueConstraint)
    }
    assert verdicts == {"uq_sessions_token": False, "uq_sessions_email": True}
    assert seen == ["uq_sessions_email"]  # everything else still goes through the table filter


def test_dropped_tables_take_their_indexes_and_keys_go_before_indexes():
    upgrade = [
        ops.DropIndexOp("ix_orders_user_id", table_name="orders"),
        ops.DropTableOp("orders"),
        ops.ModifyTableOps(
            "items",
            [
                ops.DropIndexOp("ix_items_order_id", table_name="items"),
                ops.DropConstraintOp("fk_items_order_id_orders", "items", type_="foreignkey"),
                ops.DropColumnOp("items", "order_id"),
            ],
        ),
    ]
    migration = script(upgrade)
    compare.tidy(context("mysql"), migration)
    assert names(migration.upgrade_ops) == ["DropTableOp", "ModifyTableOps"]
    items = migration.upgrade_ops.ops[1]
    assert names(items) == ["DropConstraintOp", "DropIndexOp", "DropColumnOp"]


def test_mysql_drops_a_foreign_key_index_between_dropping_and_adding_the_key():
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table("orders", metadata, sa.Column("id", sa.Integer, primary_key=True))
    items = sa.Table(
        "items",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.ForeignKey("orders.id")),
    )
    drop = ops.DropIndexOp.from_index(sa.Index("ix_items_order_id", items.c.order_id))
    migration = script([ops.ModifyTableOps("items", [drop])])
    compare.tidy(context("mysql", metadata), migration)
    (group,) = migration.upgrade_ops.ops
    assert names(group) == ["DropConstraintOp", "DropIndexOp", "CreateForeignKeyOp"]
    assert group.ops[0].constraint_name == group.ops[2].constraint_name == "fk_items_order_id_orders"
    unchanged = script([ops.ModifyTableOps("items", [drop])])
    compare.tidy(context("postgresql", metadata), unchanged)
    assert names(unchanged.upgrade_ops.ops[0]) == ["DropIndexOp"]


@pytest.fixture
def sqlite_connection():
    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def tickets(values, **enum_options):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table(
        "tickets",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", sa.Enum(*values, name="ticket_status", **enum_options)),
    )
    return metadata


def enum_change(connection, metadata, plugins=PLUGINS):
    """What autogenerate finds, as Guardrails.options() configures it (`plugins=STOCK`: Alembic alone)."""
    opts = {"target_metadata": metadata, "compare_server_default": True, "autogenerate_plugins": plugins}
    return produce_migrations(MigrationContext.configure(connection=connection, opts=opts), metadata)


def test_sqlite_rows_outside_the_enum_show_a_removal(sqlite_connection):
    tickets(["open", "closed"]).create_all(sqlite_connection)
    sqlite_connection.execute(sa.text("INSERT INTO tickets (id, status) VALUES (1, 'open'), (2, 'closed')"))
    migration = enum_change(sqlite_connection, tickets(["open"]))
    (group,) = migration.upgrade_ops.ops
    (alter,) = group.ops
    assert (alter.table_name, alter.column_name) == ("tickets", "status")
    assert (alter.existing_type.enums, alter.modify_type.enums) == (["open", "closed"], ["open"])
    (undo,) = migration.downgrade_ops.ops[0].ops
    assert (undo.existing_type.enums, undo.modify_type.enums) == (["open"], ["open", "closed"])
    # No row outside the models' values, no CHECK: nothing the database can show. Alembic's own
    # comparison still finds the VARCHAR shorter, from the type it reflected.
    sqlite_connection.execute(sa.text("DELETE FROM tickets WHERE status = 'closed'"))
    (alter,) = enum_change(sqlite_connection, tickets(["open"])).upgrade_ops.ops[0].ops
    assert isinstance(alter.existing_type, sa.VARCHAR)
    assert (alter.existing_type.length, alter.modify_type.length) == (6, 4)


def test_sqlite_check_constraint_shows_added_and_removed_values(sqlite_connection):
    tickets(["open", "closed"], native_enum=False, create_constraint=True).create_all(sqlite_connection)
    models = tickets(["open", "closed", "held"], create_constraint=True)
    assert enum_change(sqlite_connection, models, STOCK).upgrade_ops.is_empty()  # Alembic alone
    added = enum_change(sqlite_connection, models)
    (alter,) = added.upgrade_ops.ops[0].ops
    assert (alter.existing_type.enums, alter.modify_type.enums) == (
        ["open", "closed"],
        ["open", "closed", "held"],
    )
    (undo,) = added.downgrade_ops.ops[0].ops
    assert (undo.existing_type.enums, undo.modify_type.enums) == (
        ["open", "closed", "held"],
        ["open", "closed"],
    )
    same = enum_change(sqlite_connection, tickets(["closed", "open"], create_constraint=True))
    assert same.upgrade_ops.is_empty()


def test_enum_change_joins_the_alter_column_autogenerate_wrote(sqlite_connection):
    tickets(["open", "closed"], native_enum=False, create_constraint=True).create_all(sqlite_connection)
    models = tickets(["open", "closed", "held"], create_constraint=True)
    models.tables["tickets"].c.status.nullable = False
    migration = enum_change(sqlite_connection, models)
    (group,) = migration.upgrade_ops.ops
    (alter,) = group.ops
    assert alter.modify_nullable is False
    assert (alter.existing_type.enums, alter.modify_type.enums) == (
        ["open", "closed"],
        ["open", "closed", "held"],
    )
    (undo,) = migration.downgrade_ops.ops[0].ops
    assert undo.modify_nullable is True
    assert (undo.existing_type.enums, undo.modify_type.enums) == (
        ["open", "closed", "held"],
        ["open", "closed"],
    )


def test_postgresql_enum_operations_render_what_postgresql_needs():
    users = [("tickets", "status", "'open'::ticket_status")]
    added = enums.AddEnumValuesOp(
        "ticket_status", users, ["open", "closed"], ["new", "open", "held", "closed"]
    )
    code = render_python_code(ops.UpgradeOps(ops=[added]), migration_context=context("postgresql"))
    assert "with op.get_context().autocommit_block():" in code
    assert "ADD VALUE IF NOT EXISTS 'new' BEFORE 'open'" in code
    assert "ADD VALUE IF NOT EXISTS 'held' AFTER 'open'" in code
    removal = added.reverse()
    assert isinstance(removal, ops.AlterColumnOp)  # what the guards inspect
    assert (removal.existing_type.enums, removal.modify_type.enums) == (
        ["new", "open", "held", "closed"],
        ["open", "closed"],
    )
    code = render_python_code(ops.UpgradeOps(ops=[removal]), migration_context=context("postgresql"))
    executed = [ast.literal_eval(call) for call in re.findall(r"op\.execute\((.*)\)", code)]
    assert executed == [
        "ALTER TYPE ticket_status RENAME TO ticket_status_old",
        "CREATE TYPE ticket_status AS ENUM ('open', 'closed')",
        "ALTER TABLE tickets ALTER COLUMN status DROP DEFAULT",
        "ALTER TABLE tickets ALTER COLUMN status TYPE ticket_status USING status::text::ticket_status",
        "ALTER TABLE tickets ALTER COLUMN status SET DEFAULT 'open'::ticket_status",
        "DROP TYPE ticket_status_old",
    ]
    assert "loses ['new', 'held']" in code

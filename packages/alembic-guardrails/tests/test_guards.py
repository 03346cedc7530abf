"""The guards on their own: Alembic operation trees in, verdicts and rewritten trees out. No database."""

import re

import pytest
import sqlalchemy as sa
from alembic.autogenerate import render_python_code
from alembic.operations import ops
from alembic.util import CommandError
from sqlalchemy.dialects import mysql, postgresql, sqlite

from alembic_guardrails._guards import (
    Overrides,
    TableFilter,
    check_revision,
    destructive_operations,
    review_points,
    split_list,
)
from alembic_guardrails._messages import MESSAGES, text
from alembic_guardrails._narrowing import narrows
from alembic_guardrails._rewrites import Rename, parse_renames
from alembic_guardrails.rules import (
    RULES,
    add_foreign_key,
    add_identity_column,
    add_not_null_without_default,
    drop_column,
    drop_constraint,
    drop_index,
    drop_not_null,
    drop_table,
    foreign_key_copies_table,
    generated_column_rewrites_table,
    identity_rewrites_table,
    index_not_concurrent,
    index_without_columns,
    narrow_type,
    rename_column,
    set_not_null_fills_nulls,
    set_not_null_without_default,
    stored_generated_column_copies_table,
    type_change_copies_table,
    type_change_rewrites_table,
    unique_constraint_on_existing_rows,
    unique_over_constant_default,
    volatile_default_rewrites_table,
)

NO_OVERRIDES = Overrides()
PG, MY, LITE = postgresql.dialect(), mysql.dialect(), sqlite.dialect()


def upgrade_ops(*operations):
    return ops.UpgradeOps(ops=list(operations))


def script(*operations, downgrade=()):
    return ops.MigrationScript("rev", upgrade_ops(*operations), ops.DowngradeOps(ops=list(downgrade)))


def on_table(table, *operations):
    """How autogenerate nests column operations: inside a ModifyTableOps."""
    return ops.ModifyTableOps(table, list(operations))


def drop_email():
    return on_table("users", ops.DropColumnOp("users", "email"))


def check(*operations, protected=(), overrides=NO_OVERRIDES, dialect=None):
    return check_revision(
        script(*operations), protected_tables=protected, overrides=overrides, dialect=dialect
    )


def refusal(*operations, **options) -> str:
    with pytest.raises(CommandError) as error:
        check(*operations, **options)
    return str(error.value)


def alter(**kw):
    return on_table("items", ops.AlterColumnOp("items", "v", **kw))


def add_column(column, table="items"):
    return on_table(table, ops.AddColumnOp(table, column))


def line(rule, table, column=None, **values):
    """What `rule` (a module of alembic_guardrails.rules) says: `table.column: message [rule-id]`."""
    return str(rule.RULE.finding(table, column, **values))


def test_split_list():
    assert split_list(" tmp_, ,scratch_ ") == ("tmp_", "scratch_")
    assert split_list(None) == ()


def test_table_filter_hides_prefixes_and_suffixes_before_reflection():
    table_filter = TableFilter(prefixes=("tmp_",), suffixes=("_bak",))
    assert not table_filter.include_name("tmp_import", "table", {})
    assert not table_filter.include_name("users_bak", "table", {})
    assert table_filter.include_name("users", "table", {})
    assert not table_filter.include_name("ix_x", "index", {"table_name": "tmp_import"})
    assert table_filter.include_name("ix_x", "index", {"table_name": "users"})


def test_table_filter_hides_model_only_tables_and_their_columns():
    table = sa.Table("tmp_cache", sa.MetaData(), sa.Column("id", sa.Integer))
    table_filter = TableFilter(prefixes=("tmp_",))
    assert not table_filter.include_object(table, "tmp_cache", "table", False, None)
    assert not table_filter.include_object(table.c.id, "id", "column", False, None)


def test_empty_revision_is_refused():
    assert refusal() == text("empty_revision")


def test_dropped_column_nested_in_table_ops_is_found():
    message = refusal(drop_email())
    assert message.startswith(text("destructive"))
    assert line(drop_column, "users", "email") in message
    assert message.endswith(text("destructive_fix"))


def test_every_refusal_line_ends_with_its_rule_id():
    assert "\n  - users.email: drop column (its values are lost) [drop-column]\n" in refusal(drop_email())


def test_every_offending_operation_is_listed():
    message = refusal(ops.DropTableOp("orders"), drop_email())
    assert line(drop_table, "orders") in message and line(drop_column, "users", "email") in message


@pytest.mark.parametrize(
    ("old", "new", "narrowed"),
    [
        (sa.String(100), sa.String(50), True),
        (sa.String(50), sa.String(100), False),
        (sa.Text(), sa.String(50), True),
        (sa.String(50), sa.Text(), False),
        (sa.Numeric(10, 2), sa.Numeric(8, 2), True),
        (sa.Numeric(10, 2), sa.Numeric(10, 4), True),  # 8 integer digits -> 6
        (sa.Numeric(10, 4), sa.Numeric(10, 2), True),  # scale 4 -> 2
        (sa.Numeric(10, 2), sa.Numeric(12, 4), False),
        (sa.Numeric(10, 2), sa.Integer(), True),
        (sa.Numeric(9, 0), sa.Integer(), False),
        (sa.Integer(), sa.Numeric(12, 2), False),
        (sa.Integer(), sa.Numeric(10, 2), True),
        (sa.Integer(), sa.BigInteger(), False),
        (sa.SmallInteger(), sa.Integer(), False),
        (sa.Integer(), sa.SmallInteger(), True),
        (sa.BigInteger(), sa.Integer(), True),
        (mysql.INTEGER(display_width=11), sa.SmallInteger(), True),
        (mysql.BIGINT(), mysql.INTEGER(), True),
        (sa.String(20), sa.Integer(), True),
        (sa.Integer(), sa.String(5), True),  # -2147483648 is 11 characters
        (sa.Integer(), sa.String(11), False),
        (sa.BigInteger(), sa.String(19), True),
        (sa.BigInteger(), sa.String(20), False),
        (sa.Integer(), sa.Float(precision=53), False),
        (sa.BigInteger(), sa.Float(precision=53), True),
        (sa.Double(), sa.REAL(), True),
        (mysql.DOUBLE(), sa.Float(precision=53), False),
        (sa.Float(precision=53), mysql.DOUBLE(), False),
        (mysql.DOUBLE(), sa.Float(precision=24), True),
        (sa.REAL(), sa.Double(), False),
        (sa.DateTime(), sa.Date(), True),
        (sa.Date(), sa.DateTime(), False),
        (sa.Boolean(), sa.Integer(), False),
        (sa.Enum("a", "b", "c", name="e"), sa.Enum("a", "b", name="e"), True),
        (sa.Enum("a", "b", name="e"), sa.Enum("a", "b", "c", name="e"), False),
        (sa.String(20), sa.Enum("a", "b", name="e"), True),
        (sa.Enum("draft", "posted", name="e"), sa.String(6), False),
        (sa.Enum("draft", "posted", name="e"), sa.String(5), True),
    ],
)
def test_narrowing(old, new, narrowed):
    assert narrows(old, new) is narrowed


def test_a_bare_float_is_single_precision_only_on_mysql():
    assert narrows(sa.Double(), sa.Float(), "mysql")
    assert not narrows(sa.Double(), sa.Float(), "postgresql")


def test_narrowed_type_and_not_null_without_default_are_destructive():
    operations = on_table(
        "users",
        ops.AlterColumnOp("users", "name", existing_type=sa.String(100), modify_type=sa.String(50)),
        ops.AlterColumnOp(
            "users", "email", existing_type=sa.String(100), existing_nullable=True, modify_nullable=False
        ),
    )
    found = [str(f) for f in destructive_operations(upgrade_ops(operations))]
    assert found == [
        line(narrow_type, "users", "name", old="VARCHAR(100)", new="VARCHAR(50)"),
        line(set_not_null_without_default, "users", "email"),
    ]


def test_enum_value_removal_at_the_top_level_is_refused():
    removal = ops.AlterColumnOp(
        "items", "v", existing_type=sa.Enum("a", "b", name="e"), modify_type=sa.Enum("a", name="e")
    )
    assert narrow_type.RULE.says(old="VARCHAR(1)", new="VARCHAR(1)") in refusal(removal)


def test_not_null_on_a_column_with_a_server_default_fills_the_nulls_first():
    revision = script(
        alter(
            existing_type=sa.String(20),
            existing_nullable=True,
            modify_nullable=False,
            existing_server_default="new",
        )
    )
    points = check_revision(revision, protected_tables=(), overrides=NO_OVERRIDES, dialect=LITE)
    assert points == [line(set_not_null_fills_nulls, "items", "v")]
    code = render_python_code(revision.upgrade_ops, render_as_batch=True)
    update = "op.execute(\"UPDATE items SET v = 'new' WHERE v IS NULL\")"
    # Before the batch block: SQLite copies the table inside it.
    assert code.index(update) < code.index("batch_alter_table")


def test_a_server_default_given_in_the_same_revision_is_the_fill_value():
    revision = script(
        alter(existing_nullable=True, modify_nullable=False, modify_server_default=sa.text("0"))
    )
    check_revision(revision, protected_tables=(), overrides=NO_OVERRIDES, dialect=PG)
    assert "UPDATE items SET v = 0 WHERE v IS NULL" in render_python_code(revision.upgrade_ops)


def test_adding_a_not_null_column_needs_a_server_default_on_an_existing_table():
    column = sa.Column("code", sa.String(8), nullable=False)
    assert line(add_not_null_without_default, "items", "code") in refusal(add_column(column))
    with_default = sa.Column("code", sa.String(8), nullable=False, server_default="x")
    assert check(add_column(with_default)) == []


def test_an_identity_column_on_an_existing_table_is_numbered_only_by_postgresql():
    column = sa.Column("seq", sa.Integer, sa.Identity(), nullable=False)
    assert check(add_column(column), dialect=PG) == [line(identity_rewrites_table, "items", "seq")]
    for dialect in (LITE, MY):
        assert line(add_identity_column, "items", "seq") in refusal(add_column(column), dialect=dialect)


def test_a_generated_column_on_an_existing_table_is_computed_by_a_table_rewrite():
    def generated(persisted):
        return add_column(sa.Column("v_upper", sa.String(20), sa.Computed("upper(v)", persisted=persisted)))

    rewrite = line(generated_column_rewrites_table, "items", "v_upper")
    copy = line(stored_generated_column_copies_table, "items", "v_upper")
    assert check(generated(None), dialect=PG) == check(generated(True), dialect=PG) == [rewrite]
    assert check(generated(True), dialect=MY) == [copy]
    # A virtual column is added in place on MySQL/MariaDB; SQLite's batch mode copies small tables.
    assert check(generated(False), dialect=MY) == check(generated(None), dialect=MY) == []
    assert check(generated(True), dialect=LITE) == []


def test_a_unique_constraint_over_one_default_for_every_row_is_refused():
    code = sa.Column("code", sa.String(20), nullable=False, server_default="x")
    unique = ops.CreateUniqueConstraintOp("uq_items_code", "items", ["code"])
    expected = line(unique_over_constant_default, "items", "code", name="uq_items_code", default="x")
    assert expected in refusal(add_column(code), unique, dialect=PG)
    unique_index = ops.CreateIndexOp("ix_items_code", "items", ["code"], unique=True)
    expected_index = line(unique_over_constant_default, "items", "code", name="ix_items_code", default="x")
    assert expected_index in refusal(add_column(code), unique_index, dialect=MY)
    # A per-row default gives each row its own value; an existing column keeps rows apart.
    uuid = sa.Column("code", sa.Uuid, nullable=False, server_default=sa.text("gen_random_uuid()"))
    assert check(add_column(uuid), unique, dialect=PG)
    together = ops.CreateUniqueConstraintOp("uq_items_id_code", "items", ["id", "code"])
    assert check(add_column(code), together, dialect=PG) == [
        line(unique_constraint_on_existing_rows, "items", name="uq_items_id_code")
    ]


def test_a_unique_constraint_over_new_columns_that_are_all_null_needs_no_review():
    code = sa.Column("code", sa.String(20), nullable=True)
    unique = ops.CreateUniqueConstraintOp("uq_items_code", "items", ["code"])
    assert check(add_column(code), unique, dialect=PG) == []
    # On a column the table already has, duplicates may be there.
    assert check(unique, dialect=PG) == [
        line(unique_constraint_on_existing_rows, "items", name="uq_items_code")
    ]


def test_not_null_columns_of_a_new_table_are_fine():
    table = sa.Table(
        "codes",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("c", sa.Integer, nullable=False),
    )
    assert check(ops.CreateTableOp.from_table(table), dialect=PG) == []


def test_an_index_without_columns_is_refused_even_with_the_override():
    index = ops.CreateIndexOp("ix_items_nothing", "items", [])
    allow = Overrides.from_x_arguments({"allow_destructive": "true"})
    said = index_without_columns.RULE.says(name="ix_items_nothing", table="items")
    message = refusal(index, overrides=allow)
    assert message.startswith(f"{said} [index-without-columns]\n")
    assert text("no_override") in message


@pytest.mark.parametrize("word", ["true", "1", "yes", "on", "TRUE"])
def test_allow_destructive_lets_it_through(word):
    assert check(drop_email(), overrides=Overrides.from_x_arguments({"allow_destructive": word})) == []


@pytest.mark.parametrize("word", ["false", "0", "no", "off", ""])
def test_allow_destructive_spelled_false_allows_nothing(word):
    overrides = Overrides.from_x_arguments({"allow_destructive": word})
    assert drop_column.RULE.says() in refusal(drop_email(), overrides=overrides)


def test_an_unreadable_override_is_refused_in_one_line():
    with pytest.raises(CommandError) as error:
        Overrides.from_x_arguments({"allow_destructive": "maybe"})
    assert str(error.value) == text("bad_flag", flag="allow_destructive", value="maybe")
    assert "\n" not in str(error.value)


def test_protected_table_needs_its_own_override():
    allow = Overrides.from_x_arguments({"allow_destructive": "true"})
    message = refusal(drop_email(), protected=("users",), overrides=allow)
    assert message.startswith(text("protected"))
    assert message.endswith(text("protected_fix", tables="users"))
    both = Overrides.from_x_arguments({"allow_destructive": "true", "allow_protected": "users"})
    assert check(drop_email(), protected=("users",), overrides=both) == []


def test_allow_protected_names_only_those_tables():
    overrides = Overrides.from_x_arguments({"allow_destructive": "yes", "allow_protected": "orders"})
    with pytest.raises(CommandError, match="users.email"):
        check(drop_email(), protected=("users", "orders"), overrides=overrides)


def test_additive_changes_pass():
    assert check(add_column(sa.Column("email", sa.String(100), nullable=True)), dialect=PG) == []


# ---- renames ------------------------------------------------------------------------------


def column_swap(table, old, new):
    return on_table(
        table, ops.DropColumnOp(table, old), ops.AddColumnOp(table, sa.Column(new, sa.String(40)))
    )


def test_drop_and_add_in_one_table_is_shown_as_a_possible_rename():
    message = refusal(column_swap("users", "fullname", "name"))
    assert text("maybe_rename_column", table="users", old="fullname", new="name") in message
    assert 'op.alter_column("users", "fullname", new_column_name="name")' in message


def test_dropped_and_created_tables_are_shown_as_a_possible_rename():
    created = ops.CreateTableOp("products", [sa.Column("id", sa.Integer, primary_key=True)])
    message = refusal(created, ops.DropTableOp("goods"))
    assert text("maybe_rename_table", old="goods", new="products") in message
    assert 'op.rename_table("goods", "products")' in message


def test_parse_renames():
    assert parse_renames("users.fullname:name, goods:products") == (
        Rename("users", "fullname", "name"),
        Rename("", "goods", "products"),
    )
    for bad in ("fullname", "users.fullname:", ".a:b", "a:b:c", "a:b.c"):
        with pytest.raises(CommandError) as error:
            parse_renames(bad)
        assert str(error.value) == text("bad_rename", spec=bad)


def test_a_named_column_rename_replaces_the_drop_and_add_both_ways():
    revision = script(
        column_swap("users", "fullname", "name"),
        downgrade=[column_swap("users", "name", "fullname")],
    )
    renames = Overrides.from_x_arguments({"rename": "users.fullname:name"})
    # Written, with a review point: the running code still uses the old name.
    assert check_revision(revision, protected_tables=("users",), overrides=renames) == [
        line(rename_column, "users", "fullname", new="name")
    ]
    upgrade = render_python_code(revision.upgrade_ops)
    assert "op.alter_column('users', 'fullname'" in upgrade and "new_column_name='name'" in upgrade
    assert "drop_column" not in upgrade and "add_column" not in upgrade
    downgrade = render_python_code(revision.downgrade_ops)
    assert "op.alter_column('users', 'name'" in downgrade and "new_column_name='fullname'" in downgrade


def test_a_named_table_rename_becomes_rename_table_and_keeps_index_order():
    table = sa.Table("products", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    revision = script(
        ops.CreateTableOp.from_table(table),
        ops.CreateIndexOp("ix_products_id", "products", ["id"]),
        ops.DropIndexOp("ix_goods_id", table_name="goods"),
        ops.DropTableOp("goods"),
    )
    check_revision(
        revision, protected_tables=(), overrides=Overrides.from_x_arguments({"rename": "goods:products"})
    )
    code = render_python_code(revision.upgrade_ops)
    assert "create_table" not in code and "drop_table" not in code
    drop, rename, create = (
        code.index(s) for s in ("drop_index", "op.rename_table('goods', 'products')", "create_index")
    )
    assert drop < rename < create


def test_a_rename_that_matches_nothing_is_refused():
    with pytest.raises(CommandError) as error:
        check(
            column_swap("users", "fullname", "name"),
            overrides=Overrides.from_x_arguments({"rename": "users.nick:name"}),
        )
    assert str(error.value) == text("rename_unmatched", old="users.nick", new="name")


# ---- review points ------------------------------------------------------------------------


def test_dropped_indexes_and_constraints_are_review_points_not_refusals():
    operations = upgrade_ops(
        on_table(
            "users",
            ops.DropIndexOp("ix_users_name", table_name="users"),
            ops.DropConstraintOp("uq_users_name", "users", type_="unique"),
        )
    )
    assert destructive_operations(operations) == []
    assert review_points(operations, "postgresql") == [
        line(drop_index, "users", name="ix_users_name"),
        line(drop_constraint, "users", kind="unique", name="uq_users_name"),
    ]


def test_availability_review_points_on_existing_tables():
    operations = upgrade_ops(
        ops.CreateUniqueConstraintOp("uq_items_v", "items", ["v"]),
        ops.CreateIndexOp("ix_items_w", "items", ["w"]),
        ops.CreateForeignKeyOp("fk_notes_item_id_items", "notes", "items", ["item_id"], ["id"]),
        add_column(sa.Column("seen", sa.DateTime, server_default=sa.text("clock_timestamp()"))),
        alter(existing_type=sa.String(20), existing_nullable=False, modify_nullable=True),
        alter(existing_type=sa.Integer(), modify_type=sa.BigInteger()),
    )
    assert review_points(operations, "postgresql") == [
        line(unique_constraint_on_existing_rows, "items", name="uq_items_v"),
        line(index_not_concurrent, "items", name="ix_items_w"),
        line(add_foreign_key, "notes", name="fk_notes_item_id_items"),
        line(volatile_default_rewrites_table, "items", "seen", default="clock_timestamp()"),
        line(drop_not_null, "items", "v"),
        line(type_change_rewrites_table, "items", "v", old="INTEGER", new="BIGINT"),
    ]


def test_online_forms_leave_only_what_they_cannot_make_safe():
    # PostgreSQL with migrations.online_ddl: the indexes are built CONCURRENTLY and the
    # foreign key added NOT VALID.
    operations = upgrade_ops(
        ops.CreateUniqueConstraintOp("uq_items_v", "items", ["v"]),
        ops.CreateIndexOp("ix_items_w", "items", ["w"]),
        ops.CreateForeignKeyOp("fk_notes_item_id_items", "notes", "items", ["item_id"], ["id"]),
    )
    # The unique index is built CONCURRENTLY too: duplicates are counted before (rows-break-constraint).
    assert review_points(operations, "postgresql", online=True) == []
    # MySQL/MariaDB: no CONCURRENTLY, and adding the foreign key copies the table.
    assert review_points(operations, "mysql") == [
        line(unique_constraint_on_existing_rows, "items", name="uq_items_v"),
        line(foreign_key_copies_table, "notes", name="fk_notes_item_id_items"),
    ]


def test_the_same_operations_on_a_new_table_need_no_review():
    table = sa.Table("items", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    operations = upgrade_ops(
        ops.CreateTableOp.from_table(table),
        ops.CreateIndexOp("ix_items_w", "items", ["w"], unique=True),
        ops.CreateForeignKeyOp("fk_items_x", "items", "others", ["x"], ["id"]),
    )
    assert review_points(operations, "postgresql") == []


@pytest.mark.parametrize(
    ("old", "new", "copies"),
    [
        (sa.String(20), sa.String(40), False),  # 160 bytes: length prefix unchanged, in place
        (mysql.VARCHAR(20), sa.String(40), False),  # as reflected
        (sa.String(20), sa.String(100), True),  # past 255 bytes: the table is copied
        (sa.String(20), sa.Text(), True),
        (sa.Integer(), sa.BigInteger(), True),
    ],
)
def test_mysql_type_changes_that_copy_the_table(old, new, copies):
    points = review_points(upgrade_ops(alter(existing_type=old, modify_type=new)), "mysql")
    copy = line(type_change_copies_table, "items", "v", old=str(old), new=str(new))
    assert points == ([copy] if copies else [])


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_an_enum_value_appended_needs_no_review(dialect):
    appended = alter(existing_type=sa.Enum("a", "b", name="e"), modify_type=sa.Enum("a", "b", "c", name="e"))
    assert review_points(upgrade_ops(appended), dialect) == []


def test_widening_a_varchar_on_postgresql_needs_no_review():
    assert (
        review_points(upgrade_ops(alter(existing_type=sa.String(20), modify_type=sa.Text())), "postgresql")
        == []
    )


def placeholders(message):
    return sorted(re.findall(r"{(\w+)}", message))


# A translation may leave out what would stay English: the driver's own error text.
LEFT_OUT = {
    ("zh", key): {"detail"} for key in ("connect_unreachable", "connect_login", "connect_no_database")
}


def test_every_language_has_every_message_with_the_same_placeholders():
    english = MESSAGES["en"]
    for language, catalogue in MESSAGES.items():
        assert catalogue.keys() == english.keys(), language
        for key, message in catalogue.items():
            expected = [
                name for name in placeholders(english[key]) if name not in LEFT_OUT.get((language, key), ())
            ]
            assert placeholders(message) == expected, (language, key)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_every_rule_speaks_every_language_with_the_same_placeholders(rule):
    for words in (rule.message, rule.safe):
        assert words.keys() == MESSAGES.keys(), rule.id
        for language, message in words.items():
            assert message.strip(), (rule.id, language)
            assert placeholders(message) == placeholders(words["en"]), (rule.id, language)

"""Renames (`-x rename=...`) written with what is named after them: operation trees in, code out.

The trees are built as autogenerate builds them: the upgrade from the models and a table as
reflected (plain names), the downgrade its reverse. No database: tests/test_real_histories_promise.py
in the template runs the same through the real CLI on SQLite, PostgreSQL and MariaDB.
"""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import render_python_code
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError
from conftest import NAMING_CONVENTION
from sqlalchemy.dialects import mysql, postgresql, sqlite

from alembic_guardrails._guards import Overrides, check_revision
from alembic_guardrails._messages import text
from alembic_guardrails._renames import Direction, Shape, match, rename_ops

PG, MY, LITE = postgresql.dialect(), mysql.dialect(), sqlite.dialect()


def models() -> sa.MetaData:
    return sa.MetaData(naming_convention=NAMING_CONVENTION)


def goods_table(metadata: sa.MetaData, name: str, *, reflected: bool) -> sa.Table:
    """goods (or products) as the models say it, or as reflected: the same names, spelled out."""
    if "users" not in metadata.tables:
        sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True))

    def named(kind: str, rest: str) -> dict:
        return {"name": f"{kind}_{name}_{rest}"} if reflected else {}

    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sku", sa.String(20), nullable=False),
        sa.Column("code", sa.String(20)),
        sa.Column("qty", sa.Integer, nullable=False, server_default="0"),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id", **named("fk", "owner_id_users"))),
        sa.PrimaryKeyConstraint("id", **({"name": f"pk_{name}"} if reflected else {})),
        sa.UniqueConstraint("code", **named("uq", "code")),
        sa.CheckConstraint("qty >= 0", name=f"ck_{name}_qty_positive" if reflected else "qty_positive"),
        sa.Index(f"ix_{name}_sku", "sku"),
    )


def table_rename_script():
    """What autogenerate sees when goods became products in the models: a create and a drop."""
    new = goods_table(models(), "products", reflected=False)
    old = goods_table(sa.MetaData(), "goods", reflected=True)
    upgrade = ops.UpgradeOps(
        ops=[
            ops.CreateTableOp.from_table(new),
            ops.ModifyTableOps("products", [ops.CreateIndexOp.from_index(index) for index in new.indexes]),
            ops.DropTableOp.from_table(old),
        ]
    )
    script = ops.MigrationScript("rev", upgrade, ops.DowngradeOps(ops=[]))
    upgrade.reverse_into(script.downgrade_ops)
    return script


def rewrite(script, renames, dialect, **kw):
    overrides = Overrides.from_x_arguments({"rename": renames, **kw})
    return check_revision(script, protected_tables=("users",), overrides=overrides, dialect=dialect)


def code(container, dialect) -> str:
    context = MigrationContext.configure(dialect_name=dialect.name)
    return render_python_code(container, migration_context=context, render_as_batch=dialect.name == "sqlite")


def test_a_table_rename_renames_its_index_and_constraints_in_place_on_postgresql():
    script = table_rename_script()
    rewrite(script, "goods:products", PG)
    upgrade, downgrade = code(script.upgrade_ops, PG), code(script.downgrade_ops, PG)
    assert "create_table" not in upgrade + downgrade and "drop_table" not in upgrade + downgrade
    for old, new, sql in [
        ("goods", "products", "op.rename_table('goods', 'products')"),
        ("goods", "products", "ALTER SEQUENCE IF EXISTS goods_id_seq RENAME TO products_id_seq"),
        ("goods", "products", "ALTER INDEX ix_goods_sku RENAME TO ix_products_sku"),
        ("goods", "products", "ALTER TABLE products RENAME CONSTRAINT pk_goods TO pk_products"),
        ("goods", "products", "ALTER TABLE products RENAME CONSTRAINT uq_goods_code TO uq_products_code"),
        (
            "goods",
            "products",
            "ALTER TABLE products RENAME CONSTRAINT fk_goods_owner_id_users TO fk_products_owner_id_users",
        ),
        (
            "goods",
            "products",
            "ALTER TABLE products RENAME CONSTRAINT ck_goods_qty_positive TO ck_products_qty_positive",
        ),
    ]:
        assert sql in upgrade, upgrade
        mirrored = sql.replace(old, "@").replace(new, old).replace("@", new)
        assert mirrored in downgrade, downgrade
    # The table is renamed before anything else touches it.
    assert upgrade.index("rename_table") < upgrade.index("ALTER")
    assert downgrade.index("rename_table") < downgrade.index("ALTER")


def test_a_table_rename_on_mysql_renames_indexes_and_adds_keys_and_checks_again():
    script = table_rename_script()
    rewrite(script, "goods:products", MY)
    upgrade = code(script.upgrade_ops, MY)
    assert "ALTER TABLE products RENAME INDEX ix_goods_sku TO ix_products_sku" in upgrade
    assert "ALTER TABLE products RENAME INDEX uq_goods_code TO uq_products_code" in upgrade
    assert "op.drop_constraint(op.f('fk_goods_owner_id_users'), 'products', type_='foreignkey')" in upgrade
    assert "op.create_foreign_key(op.f('fk_products_owner_id_users'), 'products', 'users'" in upgrade
    assert "op.create_check_constraint(op.f('ck_products_qty_positive'), 'products', 'qty >= 0')" in upgrade
    assert "pk_" not in upgrade  # MySQL's primary key is PRIMARY whatever the table


def test_a_table_rename_on_sqlite_recreates_renamed_constraints_in_one_batch():
    script = table_rename_script()
    rewrite(script, "goods:products", LITE)
    upgrade = code(script.upgrade_ops, LITE)
    assert upgrade.count("batch_alter_table('products'") == 1, upgrade
    for line in [
        "batch_op.drop_constraint(batch_op.f('pk_goods'), type_='primary')",
        "batch_op.create_primary_key(batch_op.f('pk_products'), ['id'])",
        "batch_op.drop_index(batch_op.f('ix_goods_sku'))",
        "batch_op.create_index(batch_op.f('ix_products_sku'), ['sku'], unique=False)",
        "batch_op.create_unique_constraint(batch_op.f('uq_products_code'), ['code'])",
        "batch_op.create_check_constraint(batch_op.f('ck_products_qty_positive'), 'qty >= 0')",
    ]:
        assert line in upgrade, upgrade
    downgrade = code(script.downgrade_ops, LITE)
    assert "batch_op.create_primary_key(batch_op.f('pk_goods'), ['id'])" in downgrade, downgrade


def test_a_foreign_key_pointing_at_a_renamed_table_follows_it():
    script = table_rename_script()
    reflected = sa.MetaData()
    sa.Table("goods", reflected, sa.Column("id", sa.Integer, primary_key=True))
    orders_then = sa.Table(
        "orders",
        reflected,
        sa.Column("goods_id", sa.Integer, sa.ForeignKey("goods.id", name="fk_orders_goods_id_goods")),
    )
    model = models()
    sa.Table("products", model, sa.Column("id", sa.Integer, primary_key=True))
    orders_now = sa.Table("orders", model, sa.Column("goods_id", sa.Integer, sa.ForeignKey("products.id")))
    (old_key,), (new_key,) = orders_then.foreign_key_constraints, orders_now.foreign_key_constraints
    group = ops.ModifyTableOps(
        "orders",
        [ops.DropConstraintOp.from_constraint(old_key), ops.CreateForeignKeyOp.from_constraint(new_key)],
    )
    script.upgrade_ops.ops.append(group)
    script.downgrade_ops.ops.insert(0, group.reverse())
    rewrite(script, "goods:products", PG)
    rename = "ALTER TABLE orders RENAME CONSTRAINT fk_orders_goods_id_goods TO fk_orders_goods_id_products"
    assert rename in code(script.upgrade_ops, PG)
    downgrade = code(script.downgrade_ops, PG)
    assert "RENAME CONSTRAINT fk_orders_goods_id_products TO fk_orders_goods_id_goods" in downgrade
    # The table is back under its old name before the key names it.
    assert downgrade.index("rename_table") < downgrade.index("fk_orders_goods_id_products TO")


def column_rename_script(table_then, table_now, *pairs):
    """Autogenerate's view of renamed columns: each dropped (as reflected), each added (the model's)."""
    upgrade_ops = []
    for old, new in pairs:
        upgrade_ops.append(ops.AddColumnOp.from_column(table_now.c[new]))
        upgrade_ops.append(
            ops.DropColumnOp.from_column_and_tablename(None, table_then.name, table_then.c[old])
        )
    return upgrade_ops


def test_a_column_rename_renames_the_index_unique_and_foreign_key_named_after_it():
    then = sa.MetaData()
    sa.Table("users", then, sa.Column("id", sa.Integer, primary_key=True))
    items_then = sa.Table(
        "items",
        then,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sku", sa.String(20)),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id", name="fk_items_owner_id_users")),
        sa.Index("ix_items_sku", "sku", unique=True),
    )
    now = models()
    sa.Table("users", now, sa.Column("id", sa.Integer, primary_key=True))
    items_now = sa.Table(
        "items",
        now,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article", sa.String(20), index=True, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
    )
    (fk_then,), (fk_now,) = items_then.foreign_key_constraints, items_now.foreign_key_constraints
    (ix_then,), (ix_now,) = items_then.indexes, items_now.indexes
    group = ops.ModifyTableOps(
        "items",
        [
            *column_rename_script(items_then, items_now, ("sku", "article"), ("owner_id", "user_id")),
            ops.DropIndexOp.from_index(ix_then),
            ops.CreateIndexOp.from_index(ix_now),
            ops.DropConstraintOp.from_constraint(fk_then),
            ops.CreateForeignKeyOp.from_constraint(fk_now),
        ],
    )
    upgrade = ops.UpgradeOps(ops=[group])
    script = ops.MigrationScript("rev", upgrade, ops.DowngradeOps(ops=[]))
    upgrade.reverse_into(script.downgrade_ops)
    rewrite(script, "items.sku:article,items.owner_id:user_id", PG)
    written = code(script.upgrade_ops, PG)
    assert "new_column_name='article'" in written and "new_column_name='user_id'" in written
    assert "ALTER INDEX ix_items_sku RENAME TO ix_items_article" in written
    assert "RENAME CONSTRAINT fk_items_owner_id_users TO fk_items_user_id_users" in written
    assert "drop_index" not in written and "create_foreign_key" not in written
    # The columns are renamed first: the renamed constraints name them by their new names.
    assert written.index("new_column_name") < written.index("ALTER INDEX")
    back = code(script.downgrade_ops, PG)
    assert "ALTER INDEX ix_items_article RENAME TO ix_items_sku" in back
    assert "RENAME CONSTRAINT fk_items_user_id_users TO fk_items_owner_id_users" in back


def test_a_column_rename_on_sqlite_is_native_and_its_check_takes_the_new_name():
    then = sa.MetaData()
    items_then = sa.Table(
        "items",
        then,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("flag", sa.Boolean()),
        sa.CheckConstraint("flag IN (0, 1)", name="ck_items_flag"),
    )
    now = models()
    items_now = sa.Table(
        "items",
        now,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("on_sale", sa.Boolean(create_constraint=True)),
    )
    # _compare.tidy drops a CHECK before its column on SQLite (batch mode would copy it).
    group = ops.ModifyTableOps(
        "items",
        [
            ops.AddColumnOp.from_column(items_now.c.on_sale),
            ops.DropConstraintOp("ck_items_flag", "items", type_="check"),
            ops.DropColumnOp.from_column_and_tablename(None, "items", items_then.c.flag),
        ],
    )
    script = ops.MigrationScript("rev", ops.UpgradeOps(ops=[group]), ops.DowngradeOps(ops=[]))
    rewrite(script, "items.flag:on_sale", LITE)
    written = code(script.upgrade_ops, LITE)
    # Outside batch mode: SQLite renames the column itself, its CHECK's text included.
    assert written.index("op.alter_column('items', 'flag'") < written.index("batch_alter_table"), written
    assert "batch_op.drop_constraint(batch_op.f('ck_items_flag'), type_='check')" in written
    assert "batch_op.create_check_constraint(batch_op.f('ck_items_on_sale'), 'on_sale IN (0, 1)')" in written


def test_a_column_rename_keeps_a_check_whose_name_does_not_say_the_column():
    then = sa.MetaData()
    items_then = sa.Table(
        "items", then, sa.Column("qty", sa.Integer), sa.CheckConstraint("qty >= 0", name="ck_items_positive")
    )
    now = models()
    items_now = sa.Table(
        "items", now, sa.Column("amount", sa.Integer), sa.CheckConstraint("amount >= 0", name="positive")
    )
    group = ops.ModifyTableOps(
        "items",
        [
            ops.AddColumnOp.from_column(items_now.c.amount),
            ops.DropConstraintOp("ck_items_positive", "items", type_="check"),
            ops.DropColumnOp.from_column_and_tablename(None, "items", items_then.c.qty),
        ],
    )
    script = ops.MigrationScript("rev", ops.UpgradeOps(ops=[group]), ops.DowngradeOps(ops=[]))
    rewrite(script, "items.qty:amount", LITE)
    written = code(script.upgrade_ops, LITE)
    assert "ck_items_positive" not in written  # the native rename keeps it, with the new name in its text


def test_mysql_renames_the_index_it_made_for_a_renamed_foreign_key():
    then = sa.MetaData()
    sa.Table("users", then, sa.Column("id", sa.Integer, primary_key=True))
    items_then = sa.Table(
        "items",
        then,
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id", name="fk_items_owner_id_users")),
    )
    now = models()
    sa.Table("users", now, sa.Column("id", sa.Integer, primary_key=True))
    items_now = sa.Table("items", now, sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")))
    (fk_then,), (fk_now,) = items_then.foreign_key_constraints, items_now.foreign_key_constraints
    group = ops.ModifyTableOps(
        "items",
        [
            *column_rename_script(items_then, items_now, ("owner_id", "user_id")),
            ops.DropConstraintOp.from_constraint(fk_then),
            ops.CreateForeignKeyOp.from_constraint(fk_now),
        ],
    )
    upgrade = ops.UpgradeOps(ops=[group])
    script = ops.MigrationScript("rev", upgrade, ops.DowngradeOps(ops=[]))
    upgrade.reverse_into(script.downgrade_ops)
    rewrite(script, "items.owner_id:user_id", MY)
    written = code(script.upgrade_ops, MY)
    drop, rename, add = (
        written.index(part)
        for part in (
            "drop_constraint('fk_items_owner_id_users', 'items', type_='foreignkey')",
            "RENAME INDEX fk_items_owner_id_users TO fk_items_user_id_users",
            "create_foreign_key(op.f('fk_items_user_id_users')",
        )
    )
    assert drop < rename < add
    assert "RENAME INDEX fk_items_user_id_users TO fk_items_owner_id_users" in code(script.downgrade_ops, MY)


def test_several_renames_in_one_revision_map_through_each_other():
    """goods -> products and users -> people: products' key to people is goods' key to users, renamed."""
    users_then = sa.Table(
        "users",
        reflected := sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    )
    goods_then = goods_table(reflected, "goods", reflected=True)
    model = models()
    people = sa.Table("people", model, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False))
    products = goods_table(model, "products", reflected=False)
    products.c.owner_id.foreign_keys.clear()
    products.constraints -= set(products.foreign_key_constraints)
    products.append_constraint(sa.ForeignKeyConstraint(["owner_id"], ["people.id"]))
    upgrade = ops.UpgradeOps(
        ops=[
            ops.CreateTableOp.from_table(people),
            ops.CreateTableOp.from_table(products),
            ops.ModifyTableOps("products", [ops.CreateIndexOp.from_index(i) for i in products.indexes]),
            ops.DropTableOp.from_table(goods_then),
            ops.DropTableOp.from_table(users_then),
        ]
    )
    script = ops.MigrationScript("rev", upgrade, ops.DowngradeOps(ops=[]))
    upgrade.reverse_into(script.downgrade_ops)
    rewrite(script, "goods:products,users:people", PG)
    written = code(script.upgrade_ops, PG)
    assert (
        "op.rename_table('goods', 'products')" in written and "op.rename_table('users', 'people')" in written
    )
    assert "RENAME CONSTRAINT fk_goods_owner_id_users TO fk_products_owner_id_people" in written
    assert "create_foreign_key" not in written and "drop_constraint" not in written


def test_a_renamed_table_gains_and_loses_columns_as_any_table():
    script = table_rename_script()
    products = script.upgrade_ops.ops[0].to_table(MigrationContext.configure(dialect_name="postgresql"))
    gained = sa.Table(
        "products",
        models(),
        *(c._copy() for c in products.columns if c.name not in ("code", "owner_id")),
        sa.Column("color", sa.String(10)),
        sa.CheckConstraint("qty >= 0", name="qty_positive"),
        sa.Index("ix_products_sku", "sku"),
    )
    script.upgrade_ops.ops[0] = ops.CreateTableOp.from_table(gained)
    rewrite(script, "goods:products", PG, allow_destructive="true")
    written = code(script.upgrade_ops, PG)
    assert "op.add_column('products', sa.Column('color', sa.String(length=10), nullable=True))" in written
    assert "op.drop_column('products', 'code')" in written
    # What the table loses goes before the rename, under the names it had.
    for dropped in (
        "drop_constraint(op.f('uq_goods_code'), 'goods'",
        "drop_constraint(op.f('fk_goods_owner_id_users'), 'goods'",
    ):
        assert written.index(dropped) < written.index("rename_table"), written


def test_the_drop_of_a_renamed_column_is_no_longer_refused_but_a_rename_that_matches_nothing_is():
    script = table_rename_script()
    with pytest.raises(CommandError) as error:
        rewrite(script, "goods:products,goods.nothing:else", PG)
    assert str(error.value) == text("rename_unmatched", old="goods.nothing", new="else")


def test_match_pairs_by_shape_and_checks_by_name():
    direction, _ = Direction.both_ways([("", "goods", "products")])
    old = goods_table(sa.MetaData(), "goods", reflected=True)
    new = goods_table(models(), "products", reflected=False)
    pairs, src_only, dst_only = match(
        Shape.of(old, old.indexes, PG).items, Shape.of(new, new.indexes, PG).items, "goods", direction
    )
    assert sorted((a.name, b.name) for a, b in pairs) == [
        ("ck_goods_qty_positive", "ck_products_qty_positive"),
        ("fk_goods_owner_id_users", "fk_products_owner_id_users"),
        ("ix_goods_sku", "ix_products_sku"),
        ("pk_goods", "pk_products"),
        ("uq_goods_code", "uq_products_code"),
    ]
    assert src_only == [] and dst_only == []


@pytest.mark.parametrize(
    ("dialect", "written"),
    [
        (PG, ["ALTER INDEX ix_a RENAME TO ix_b"]),
        (MY, ["ALTER TABLE t RENAME INDEX ix_a TO ix_b"]),
        (LITE, ["drop_index(op.f('ix_a'), table_name='t')", "create_index('ix_b', 't', ['v']"]),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_an_index_rename_is_written_per_database(dialect, written):
    steps = rename_ops("index", "t", "ix_a", "ix_b", dialect, create=ops.CreateIndexOp("ix_b", "t", ["v"]))
    rendered = code(ops.UpgradeOps(ops=steps), PG if dialect is PG else MY if dialect is MY else LITE)
    for part in written:
        assert part in rendered, rendered

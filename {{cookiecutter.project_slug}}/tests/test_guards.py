"""The guards on their own: Alembic operation trees in, verdicts out. No database."""

import re

import pytest
import sqlalchemy as sa
from alembic.operations import ops
from alembic.util import CommandError

from {{ cookiecutter.package_name }}.migrations.guards import (
    Overrides,
    TableFilter,
    check_revision,
    destructive_operations,
    narrows,
    review_points,
    split_list,
)
from {{ cookiecutter.package_name }}.migrations.messages import MESSAGES, text

NO_OVERRIDES = Overrides()


def upgrade_ops(*operations):
    return ops.UpgradeOps(ops=list(operations))


def on_table(table, *operations):
    """How autogenerate nests column operations: inside a ModifyTableOps."""
    return ops.ModifyTableOps(table, list(operations))


def drop_email():
    return on_table("users", ops.DropColumnOp("users", "email"))


def check(*operations, protected=(), overrides=NO_OVERRIDES):
    return check_revision([upgrade_ops(*operations)], protected_tables=protected, overrides=overrides)


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
    with pytest.raises(CommandError) as error:
        check()
    assert str(error.value) == text("empty_revision")


def test_dropped_column_nested_in_table_ops_is_found():
    with pytest.raises(CommandError) as error:
        check(drop_email())
    assert f"users.email: {text('drop_column')}" in str(error.value)
    assert "alembic -x allow_destructive=true revision --autogenerate" in str(error.value)


def test_every_offending_operation_is_listed():
    with pytest.raises(CommandError) as error:
        check(ops.DropTableOp("orders"), drop_email())
    message = str(error.value)
    assert f"orders: {text('drop_table')}" in message and f"users.email: {text('drop_column')}" in message


@pytest.mark.parametrize(
    ("old", "new", "narrowed"),
    [
        (sa.String(100), sa.String(50), True),
        (sa.String(50), sa.String(100), False),
        (sa.Text(), sa.String(50), True),
        (sa.String(50), sa.Text(), False),
        (sa.Numeric(10, 2), sa.Numeric(8, 2), True),
        (sa.Integer(), sa.BigInteger(), False),
        (sa.String(20), sa.Integer(), True),
        (sa.Integer(), sa.String(20), False),
    ],
)
def test_narrowing(old, new, narrowed):
    assert narrows(old, new) is narrowed


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
        "users.name: " + text("narrow_type", old="VARCHAR(100)", new="VARCHAR(50)"),
        "users.email: " + text("not_null"),
    ]


def test_not_null_with_a_server_default_is_allowed():
    operation = ops.AlterColumnOp(
        "users", "status", existing_nullable=True, modify_nullable=False, existing_server_default="active"
    )
    assert destructive_operations(upgrade_ops(on_table("users", operation))) == []


def test_allow_destructive_lets_it_through():
    overrides = Overrides.from_x_arguments({"allow_destructive": "true"})
    assert check(drop_email(), overrides=overrides) == []


def test_protected_table_needs_its_own_override():
    allow = Overrides.from_x_arguments({"allow_destructive": "true"})
    with pytest.raises(CommandError) as error:
        check(drop_email(), protected=("users",), overrides=allow)
    assert str(error.value).startswith(text("protected"))
    assert "-x allow_protected=users -x allow_destructive=true" in str(error.value)
    both = Overrides.from_x_arguments({"allow_destructive": "true", "allow_protected": "users"})
    assert check(drop_email(), protected=("users",), overrides=both) == []


def test_allow_protected_names_only_those_tables():
    overrides = Overrides.from_x_arguments({"allow_destructive": "yes", "allow_protected": "orders"})
    with pytest.raises(CommandError, match="users.email"):
        check(drop_email(), protected=("users", "orders"), overrides=overrides)


def test_additive_changes_pass():
    add_email = on_table("users", ops.AddColumnOp("users", sa.Column("email", sa.String(100), nullable=True)))
    assert check(add_email) == []


def test_dropped_indexes_and_constraints_are_review_points_not_refusals():
    operations = upgrade_ops(
        on_table(
            "users",
            ops.DropIndexOp("ix_users_name", table_name="users"),
            ops.DropConstraintOp("uq_users_name", "users", type_="unique"),
        )
    )
    assert destructive_operations(operations) == []
    assert review_points(operations) == [
        "users: " + text("drop_index", name="ix_users_name"),
        "users: " + text("drop_constraint", kind="unique", name="uq_users_name"),
    ]


def test_every_language_has_every_message_with_the_same_placeholders():
    def placeholders(message):
        return sorted(re.findall(r"{(\w+)}", message))

    english = MESSAGES["en"]
    for language, catalogue in MESSAGES.items():
        assert catalogue.keys() == english.keys(), language
        for key, message in catalogue.items():
            assert placeholders(message) == placeholders(english[key]), (language, key)

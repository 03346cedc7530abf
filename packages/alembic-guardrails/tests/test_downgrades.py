"""Downgrades that run on the rows a table holds, casts PostgreSQL needs, and refusals that name
their whole command: operation trees in, code (or the refusal) out. No database: the template's
tests/test_real_histories_promise.py runs them through the real CLI on every database."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import render_python_code
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError
from sqlalchemy.dialects import mysql, postgresql, sqlite

from alembic_guardrails._downgrades import comment_lines
from alembic_guardrails._guards import Overrides, check_revision
from alembic_guardrails._messages import text
from alembic_guardrails._rewrites import postgresql_using
from alembic_guardrails.rules import MODULES, add_not_null_without_default, drop_column, index_without_columns

PG, MY, LITE = postgresql.dialect(), mysql.dialect(), sqlite.dialect()
ALLOW = Overrides.from_x_arguments({"allow_destructive": "true"})


def script_of(*operations):
    """A MigrationScript as autogenerate builds it: the downgrade is the reverse of the upgrade."""
    upgrade = ops.UpgradeOps(ops=list(operations))
    script = ops.MigrationScript("rev", upgrade, ops.DowngradeOps(ops=[]))
    upgrade.reverse_into(script.downgrade_ops)
    return script


def checked(script, dialect, overrides=ALLOW, protected=()):
    return check_revision(script, protected_tables=protected, overrides=overrides, dialect=dialect)


def code(container, dialect):
    context = MigrationContext.configure(dialect_name=dialect.name)
    return render_python_code(container, migration_context=context, render_as_batch=dialect.name == "sqlite")


def items(*columns):
    return sa.Table("items", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), *columns)


def dropped(column):
    table = items(column)
    return ops.ModifyTableOps(
        "items", [ops.DropColumnOp.from_column_and_tablename(None, "items", table.c[column.name])]
    )


# ---- dropped columns come back in a form the rows accept -------------------------------------


@pytest.mark.parametrize("dialect", [PG, MY, LITE], ids=lambda d: d.name)
def test_a_dropped_not_null_column_comes_back_nullable_and_says_its_values_are_gone(dialect):
    script = script_of(dropped(sa.Column("code", sa.String(8), nullable=False)))
    checked(script, dialect)
    downgrade = code(script.downgrade_ops, dialect)
    assert "sa.Column('code', sa.String(length=8), nullable=True)" in downgrade, downgrade
    said = text("column_back_nullable", table="items", column="code")
    assert f"warning({said!r})" in downgrade
    assert "# items.code was dropped by the upgrade, and its values with it" in downgrade
    assert "import logging" in "\n".join(render_imports(script.downgrade_ops, dialect))


def render_imports(container, dialect):
    from alembic.autogenerate.api import AutogenContext
    from alembic.autogenerate.render import _render_cmd_body

    context = AutogenContext(
        MigrationContext.configure(dialect_name=dialect.name),
        opts={"sqlalchemy_module_prefix": "sa.", "alembic_module_prefix": "op.", "render_as_batch": False},
    )
    _render_cmd_body(container, context)
    return sorted(context.imports)


def test_a_dropped_column_with_a_server_default_comes_back_with_it():
    script = script_of(dropped(sa.Column("state", sa.String(8), nullable=False, server_default="new")))
    checked(script, PG)
    downgrade = code(script.downgrade_ops, PG)
    assert "server_default='new', nullable=False" in downgrade, downgrade
    assert text("column_back_default", table="items", column="state", default="'new'") in downgrade


def test_a_dropped_nullable_column_comes_back_empty():
    script = script_of(dropped(sa.Column("note", sa.String(8))))
    checked(script, LITE)
    assert repr(text("column_back_empty", table="items", column="note")) in code(script.downgrade_ops, LITE)


def test_a_dropped_table_comes_back_empty_and_says_so():
    script = script_of(ops.DropTableOp.from_table(items(sa.Column("v", sa.String(8), nullable=False))))
    checked(script, PG)
    downgrade = code(script.downgrade_ops, PG)
    assert repr(text("table_back", table="items")) in downgrade
    assert downgrade.index("warning(") < downgrade.index("create_table")


def test_not_null_back_is_filled_first_with_the_default_or_said_to_fail_without_one():
    with_default = ops.AlterColumnOp(
        "items",
        "v",
        existing_type=sa.String(8),
        existing_nullable=False,
        modify_nullable=True,
        existing_server_default=sa.DefaultClause("x"),
    )
    without = ops.AlterColumnOp(
        "items", "w", existing_type=sa.String(8), existing_nullable=False, modify_nullable=True
    )
    script = script_of(ops.ModifyTableOps("items", [with_default, without]))
    checked(script, MY)
    downgrade = code(script.downgrade_ops, MY)
    assert "op.execute(\"UPDATE items SET v = 'x' WHERE v IS NULL\")" in downgrade
    said = text("not_null_back", table="items", column="w")
    assert all(line in downgrade for line in comment_lines(said)), downgrade
    assert "UPDATE items SET w" not in downgrade


def test_a_narrowing_downgrade_says_what_fails_it():
    script = script_of(
        ops.ModifyTableOps(
            "items", [ops.AlterColumnOp("items", "v", existing_type=sa.String(20), modify_type=sa.String(40))]
        )
    )
    checked(script, MY)
    said = text("narrowed_back", table="items", column="v", old="VARCHAR(40)", new="VARCHAR(20)")
    downgrade = code(script.downgrade_ops, MY)
    assert all(line in downgrade for line in comment_lines(said)), downgrade


def test_a_comment_line_never_ends_with_a_colon():
    # Mako's printer indents what follows a line ending with a colon, as a block.
    words = "x" * 90 + " a: b c"
    assert all(not line.endswith(":") for line in comment_lines(words, width=92))


# ---- PostgreSQL casts to another kind, both ways ---------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "using", "back"),
    [
        (sa.Boolean(), sa.String(255), "flag::VARCHAR(255)", "flag::BOOLEAN"),
        (sa.Text(), sa.Integer(), "flag::INTEGER", "flag::TEXT"),
        (sa.BigInteger(), sa.String(20), "flag::VARCHAR(20)", "flag::BIGINT"),
        # PostgreSQL casts boolean to and from integer only.
        (sa.Boolean(), sa.BigInteger(), "flag::INTEGER::BIGINT", "flag::INTEGER::BOOLEAN"),
        (sa.String(36), sa.Uuid(), "flag::UUID", "flag::VARCHAR(36)"),
    ],
)
def test_a_change_of_kind_casts_with_postgresql_using_both_ways(old, new, using, back):
    script = script_of(
        ops.ModifyTableOps("items", [ops.AlterColumnOp("items", "flag", existing_type=old, modify_type=new)])
    )
    checked(script, PG)
    assert f"postgresql_using={using!r})" in code(script.upgrade_ops, PG)
    downgrade = code(script.downgrade_ops, PG)
    assert f"postgresql_using={back!r})" in downgrade
    said = text(
        "cast_back", table="items", column="flag", old=new.compile(dialect=PG), new=old.compile(dialect=PG)
    )
    assert all(line in downgrade for line in comment_lines(said)), downgrade


@pytest.mark.parametrize(
    ("old", "new"),
    [(sa.Integer(), sa.BigInteger()), (sa.String(20), sa.Text()), (sa.Numeric(10, 2), sa.Numeric(12, 2))],
)
def test_a_change_within_a_kind_needs_no_cast(old, new):
    assert postgresql_using("v", old, new, PG) is None


@pytest.mark.parametrize("dialect", [MY, LITE], ids=lambda d: d.name)
def test_only_postgresql_gets_the_cast(dialect):
    script = script_of(
        ops.ModifyTableOps(
            "items", [ops.AlterColumnOp("items", "v", existing_type=sa.Text(), modify_type=sa.Integer())]
        )
    )
    checked(script, dialect)
    assert "postgresql_using" not in code(script.upgrade_ops, dialect) + code(script.downgrade_ops, dialect)


# ---- refusals name the whole command, or say there is none ---------------------------------


def refusal(script, overrides, protected=("users",)):
    with pytest.raises(CommandError) as error:
        checked(script, PG, overrides=overrides, protected=protected)
    return str(error.value)


def drop_users_email(*, renaming=False):
    """users.email dropped; with `renaming`, items.a renamed to b in the same revision."""
    users = sa.Table("users", sa.MetaData(), sa.Column("email", sa.String(100)))
    then = sa.Table("items", sa.MetaData(), sa.Column("a", sa.String(10)))
    now = sa.Table("items", sa.MetaData(), sa.Column("b", sa.String(10)))
    operations = [
        ops.ModifyTableOps(
            "users", [ops.DropColumnOp.from_column_and_tablename(None, "users", users.c.email)]
        )
    ]
    if renaming:
        swap = [
            ops.AddColumnOp.from_column(now.c.b),
            ops.DropColumnOp.from_column_and_tablename(None, "items", then.c.a),
        ]
        operations.insert(0, ops.ModifyTableOps("items", swap))
    return script_of(*operations)


RENAME = {"rename": "items.a:b"}


def test_the_command_repeats_the_other_options_of_the_run():
    overrides = Overrides.from_x_arguments({**RENAME, "allow_destructive": "false"})
    message = refusal(drop_users_email(renaming=True), overrides, protected=())
    options = "-x rename=items.a:b -x allow_destructive=true"
    assert message.endswith(text("destructive_fix_command", options=options)), message


def test_the_protected_command_repeats_them_too():
    message = refusal(drop_users_email(renaming=True), Overrides.from_x_arguments(RENAME))
    options = "-x rename=items.a:b -x allow_protected=users -x allow_destructive=true"
    assert message.endswith(text("protected_fix_command", options=options)), message
    # That command writes it.
    named = Overrides.from_x_arguments({**RENAME, "allow_protected": "users", "allow_destructive": "true"})
    script = drop_users_email(renaming=True)
    checked(script, PG, overrides=named, protected=("users",))
    assert "new_column_name='b'" in code(script.upgrade_ops, PG)


def test_a_protected_table_already_allowed_stays_in_the_command():
    # -x allow_protected=users alone: re-running with allow_destructive alone would be refused again.
    overrides = Overrides.from_x_arguments({"allow_protected": "users"})
    message = refusal(drop_users_email(), overrides)
    options = "-x allow_protected=users -x allow_destructive=true"
    assert message.endswith(text("destructive_fix_command", options=options)), message
    assert line_of(drop_column, "users", "email") in message


def line_of(rule, table, column=None, **values):
    return str(rule.RULE.finding(table, column, **values))


def test_a_refusal_no_override_writes_says_so_and_gives_the_safe_way():
    index = ops.CreateIndexOp("ix_users_nothing", "users", [])
    overrides = Overrides.from_x_arguments({"allow_destructive": "true", "allow_protected": "users"})
    message = refusal(script_of(ops.ModifyTableOps("users", [index])), overrides)
    said = index_without_columns.RULE.says(name="ix_users_nothing", table="users")
    assert message.startswith(f"{said} [index-without-columns]\n"), message
    assert text("no_override") in message
    safe = index_without_columns.RULE.safe["en"]
    assert text("no_override_safe", rule="index-without-columns", safe=safe) in message
    assert "re-run as" not in message


def test_whether_an_override_writes_it_is_the_rules_word():
    """add-not-null-without-default: refused with a command when overridable, with none when not."""
    column = sa.Column("age", sa.Integer, nullable=False)
    operations = ops.ModifyTableOps("users", [ops.AddColumnOp("users", column)])
    message = refusal(script_of(operations), Overrides())
    if add_not_null_without_default.RULE.overridable:
        assert message.endswith(text("protected_fix", tables="users")), message
        both = Overrides.from_x_arguments({"allow_destructive": "true", "allow_protected": "users"})
        assert checked(script_of(operations), PG, overrides=both, protected=("users",)) == []
    else:
        assert text("no_override") in message and "re-run as" not in message


def test_every_refusing_rule_says_how_it_is_overridden_or_that_it_is_not():
    for module in MODULES:
        if module.RULE.verdict == "refuse" and not module.RULE.overridable:
            assert module.RULE.safe["en"], module.RULE.id

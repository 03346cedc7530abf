"""`-x` overrides: only the yes-words allow; "false", "0", "no", "off" and empty refuse.

A reader that took any value as "allowed" would turn `-x allow_destructive=false`
into a licence to drop data, so every refusing spelling is tried, not only the
allowing ones.
"""

import pytest
import sqlalchemy as sa
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError

from alembic_guardrails import _runtime as runtime
from alembic_guardrails._guards import Overrides, check_revision
from alembic_guardrails._messages import text


def script(*operations):
    """What autogenerate hands the guards: a MigrationScript around the upgrade operations."""
    return ops.MigrationScript("rev", ops.UpgradeOps(ops=list(operations)), ops.DowngradeOps(ops=[]))


REFUSING = ["false", "False", "0", "no", "off", "OFF", ""]
ALLOWING = ["true", "TRUE", "1", "yes", "on", "On"]


@pytest.mark.parametrize("value", REFUSING)
def test_allow_destructive_refuses_unless_a_yes_word(value):
    overrides = Overrides.from_x_arguments({"allow_destructive": value})
    assert overrides.allow_destructive is False
    with pytest.raises(CommandError) as error:
        check_revision(script(ops.DropTableOp("orders")), protected_tables=(), overrides=overrides)
    assert str(error.value).startswith(text("destructive"))
    assert str(error.value).endswith(text("destructive_fix"))


@pytest.mark.parametrize("value", ALLOWING)
def test_allow_destructive_yes_words_allow(value):
    overrides = Overrides.from_x_arguments({"allow_destructive": value})
    assert overrides.allow_destructive is True
    operations = script(ops.DropTableOp("orders"))
    assert check_revision(operations, protected_tables=(), overrides=overrides) == []


@pytest.mark.parametrize("value", ["", " ", ",", " , ", "orders", "user", "users_bak"])
def test_allow_protected_frees_only_the_tables_it_names(value):
    overrides = Overrides.from_x_arguments({"allow_destructive": "true", "allow_protected": value})
    with pytest.raises(CommandError) as error:
        check_revision(script(ops.DropTableOp("users")), protected_tables=("users",), overrides=overrides)
    assert str(error.value).startswith(text("protected"))
    assert text("protected_fix", tables="users") in str(error.value)


def test_allow_protected_with_the_table_named_frees_it():
    overrides = Overrides.from_x_arguments({"allow_destructive": "true", "allow_protected": "orders, users"})
    operations = script(ops.DropTableOp("users"))
    assert check_revision(operations, protected_tables=("users",), overrides=overrides) == []


def downgrade(revision, context):
    """Named like the function alembic.command.downgrade hands to env.py."""
    return []


@pytest.fixture
def downgrading():
    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        yield MigrationContext.configure(connection, opts={"fn": downgrade})
    engine.dispose()


@pytest.mark.parametrize("value", REFUSING)
def test_allow_downgrade_refuses_a_production_downgrade_unless_a_yes_word(downgrading, capsys, value):
    with pytest.raises(CommandError) as error:
        runtime.guard_environment(downgrading, "prod", {"allow_downgrade": value})
    assert str(error.value) == text("production_downgrade")
    banner = text("production_banner", target="sqlite://", command="downgrade")
    assert banner in capsys.readouterr().err


@pytest.mark.parametrize("value", ALLOWING)
def test_allow_downgrade_yes_words_allow(downgrading, capsys, value):
    runtime.guard_environment(downgrading, "prod", {"allow_downgrade": value})
    assert text("production_banner", target="sqlite://", command="downgrade") in capsys.readouterr().err


@pytest.mark.parametrize("environment", ["dev", "test", "staging"])
def test_outside_production_a_downgrade_needs_no_flag_and_prints_no_banner(downgrading, capsys, environment):
    runtime.guard_environment(downgrading, environment, {})
    assert capsys.readouterr().err == ""

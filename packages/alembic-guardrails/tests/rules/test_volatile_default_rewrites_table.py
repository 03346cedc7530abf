import pytest
import sqlalchemy as sa
from rule_helpers import add_column, findings, new_table, rule_ids

from alembic_guardrails.rules import volatile_default_rewrites_table as rule


def seen(default):
    return add_column(sa.Column("seen", sa.DateTime, server_default=default))


def test_a_per_row_default_rewrites_on_postgresql():
    assert [str(f) for f in findings(rule, seen(sa.text("clock_timestamp()")), dialect="postgresql")] == [
        "items.seen: server default clock_timestamp() is evaluated per row: PostgreSQL rewrites the whole "
        "table to add the column [volatile-default-rewrites-table]"
    ]


@pytest.mark.parametrize(
    "default", ["gen_random_uuid()", "uuid_generate_v4()", "random()", "timeofday()", "nextval('s')"]
)
def test_every_volatile_function_is_flagged(default):
    assert rule_ids(rule, seen(sa.text(default)), dialect="postgresql") == ["volatile-default-rewrites-table"]


@pytest.mark.parametrize(
    "default",
    [
        sa.func.now(),
        sa.text("now()"),
        sa.func.current_timestamp(),
        sa.text("CURRENT_TIMESTAMP"),
        "2020-01-01",
    ],
    ids=["func.now", "now", "func.current_timestamp", "CURRENT_TIMESTAMP", "constant"],
)
def test_a_stable_or_constant_default_is_stored_once_without_a_rewrite(default):
    # now() and CURRENT_TIMESTAMP are STABLE: PostgreSQL 11+ evaluates them once for the ALTER and
    # stores the value (the PostgreSQL manual, ALTER TABLE ... ADD COLUMN).
    assert rule_ids(rule, seen(default), dialect="postgresql") == []


@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_not_said_for_other_databases(dialect):
    assert rule_ids(rule, seen(sa.text("gen_random_uuid()")), dialect=dialect) == []


def test_a_new_table_is_not():
    assert rule_ids(rule, new_table(), seen(sa.text("gen_random_uuid()")), dialect="postgresql") == []

import pytest
import sqlalchemy as sa
from alembic.operations import ops
from rule_helpers import DIALECTS, add_column, findings, rule_ids

from alembic_guardrails.rules import unique_over_constant_default as rule


def code(**options):
    return add_column(sa.Column("code", sa.String(20), nullable=False, **options))


UNIQUE = ops.CreateUniqueConstraintOp("uq_items_code", "items", ["code"])


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_unique_constraint_over_one_constant_default_is_flagged(dialect):
    found = findings(rule, code(server_default="x"), UNIQUE, dialect=dialect)
    assert [f.rule for f in found] == ["unique-over-constant-default"]
    assert found[0].action == rule.RULE.says(name="uq_items_code", default="x")


def test_a_unique_index_counts_too():
    index = ops.CreateIndexOp("ix_items_code", "items", ["code"], unique=True)
    assert rule_ids(rule, code(server_default="x"), index) == ["unique-over-constant-default"]


def test_a_per_row_default_or_an_existing_column_keeps_rows_apart():
    per_row = add_column(
        sa.Column("code", sa.Uuid, nullable=False, server_default=sa.text("gen_random_uuid()"))
    )
    assert rule_ids(rule, per_row, UNIQUE, dialect="postgresql") == []
    together = ops.CreateUniqueConstraintOp("uq_items_id_code", "items", ["id", "code"])
    assert rule_ids(rule, code(server_default="x"), together) == []


@pytest.mark.parametrize(
    "default", [sa.func.now(), sa.text("CURRENT_TIMESTAMP")], ids=["now", "CURRENT_TIMESTAMP"]
)
def test_now_is_one_value_for_every_row_of_the_alter(default):
    # STABLE, not volatile: no table rewrite (volatile-default-rewrites-table is silent), and so the
    # same time for every existing row: under a unique constraint two rows collide.
    stamped = add_column(sa.Column("code", sa.DateTime, nullable=False, server_default=default))
    assert rule_ids(rule, stamped, UNIQUE, dialect="postgresql") == ["unique-over-constant-default"]


def test_mysql_s_uuid_is_per_row():
    per_row = add_column(sa.Column("code", sa.String(36), nullable=False, server_default=sa.text("(uuid())")))
    assert rule_ids(rule, per_row, UNIQUE, dialect="mysql") == []

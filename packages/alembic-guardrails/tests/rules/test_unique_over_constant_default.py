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

import pytest
import sqlalchemy as sa
from alembic.operations import ops
from rule_helpers import DIALECTS, add_column, findings, new_table, rule_ids

from alembic_guardrails.rules import unique_constraint_on_existing_rows as rule

UNIQUE = ops.CreateUniqueConstraintOp("uq_items_code", "items", ["code"])


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_unique_constraint_on_an_existing_column_is_flagged(dialect):
    assert [str(f) for f in findings(rule, UNIQUE, dialect=dialect)] == [
        "items: unique uq_items_code on a table that has rows: the upgrade fails if existing rows have "
        "duplicates [unique-constraint-on-existing-rows]"
    ]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_unique_index_is_flagged_too(dialect):
    index = ops.CreateIndexOp("ix_items_code", "items", ["code"], unique=True)
    assert rule_ids(rule, index, dialect=dialect) == ["unique-constraint-on-existing-rows"]


def test_over_new_columns_that_are_all_null_nothing_collides():
    nullable = add_column(sa.Column("code", sa.String(20), nullable=True))
    assert rule_ids(rule, nullable, UNIQUE) == []


def test_a_new_table_has_no_rows():
    assert rule_ids(rule, new_table(), UNIQUE) == []


def test_a_unique_index_built_concurrently_is_not_flagged():
    # The online form (CREATE UNIQUE INDEX CONCURRENTLY outside the transaction, then ADD CONSTRAINT
    # ... USING INDEX) takes no long lock; duplicates are counted first (rows-break-constraint).
    index = ops.CreateIndexOp("uq_items_code", "items", ["code"], unique=True, postgresql_concurrently=True)
    assert rule_ids(rule, index, dialect="postgresql", autocommit=[index]) == []
    # Inside the transaction it is not that form (and concurrent-index-in-transaction refuses it).
    assert rule_ids(rule, index, dialect="postgresql") == ["unique-constraint-on-existing-rows"]

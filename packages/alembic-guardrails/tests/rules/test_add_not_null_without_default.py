import pytest
import sqlalchemy as sa
from rule_helpers import DIALECTS, add_column, findings, new_table, rule_ids

from alembic_guardrails.rules import add_not_null_without_default as rule


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_not_null_column_without_a_server_default_is_flagged(dialect):
    found = findings(rule, add_column(sa.Column("code", sa.String(8), nullable=False)), dialect=dialect)
    assert [f.rule for f in found] == ["add-not-null-without-default"]
    assert str(found[0]).startswith("items.code: add NOT NULL column without a server default")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_server_default_or_a_nullable_column_is_not(dialect):
    with_default = add_column(sa.Column("code", sa.String(8), nullable=False, server_default="x"))
    nullable = add_column(sa.Column("note", sa.String(8), nullable=True))
    assert rule_ids(rule, with_default, nullable, dialect=dialect) == []


def test_identity_and_generated_columns_are_other_rules_business():
    identity = add_column(sa.Column("seq", sa.Integer, sa.Identity(), nullable=False))
    generated = add_column(sa.Column("up", sa.String(8), sa.Computed("upper(v)"), nullable=False))
    assert rule_ids(rule, identity, generated, dialect="postgresql") == []


def test_a_new_table_has_no_rows():
    column = add_column(sa.Column("code", sa.String(8), nullable=False))
    assert rule_ids(rule, new_table(), column) == []

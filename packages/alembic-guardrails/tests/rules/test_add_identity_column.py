import pytest
import sqlalchemy as sa
from rule_helpers import add_column, findings, new_table, rule_ids

from alembic_guardrails.rules import add_identity_column as rule


def identity():
    return add_column(sa.Column("seq", sa.Integer, sa.Identity(), nullable=False))


@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_an_identity_column_on_an_existing_table_is_flagged_where_the_rows_get_no_number(dialect):
    found = findings(rule, identity(), dialect=dialect)
    assert [f.rule for f in found] == ["add-identity-column"]
    assert str(found[0]).startswith("items.seq: add identity column to a table that has rows")


def test_postgresql_numbers_the_rows():
    # identity-rewrites-table reviews it there.
    assert rule_ids(rule, identity(), dialect="postgresql") == []


def test_a_new_table_has_no_rows_to_number():
    assert rule_ids(rule, new_table(), identity(), dialect="sqlite") == []

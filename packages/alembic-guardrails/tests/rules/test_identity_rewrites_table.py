import pytest
import sqlalchemy as sa
from rule_helpers import add_column, findings, new_table, rule_ids

from alembic_guardrails.rules import identity_rewrites_table as rule


def identity():
    return add_column(sa.Column("seq", sa.Integer, sa.Identity(), nullable=False))


def test_an_identity_column_rewrites_on_postgresql():
    assert [str(f) for f in findings(rule, identity(), dialect="postgresql")] == [
        "items.seq: identity column: PostgreSQL numbers every existing row, rewriting the whole table under "
        "an exclusive lock [identity-rewrites-table]"
    ]


@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_elsewhere_it_is_refused_instead(dialect):
    # add-identity-column refuses it.
    assert rule_ids(rule, identity(), dialect=dialect) == []


def test_a_plain_column_or_a_new_table_is_not():
    assert rule_ids(rule, add_column(sa.Column("n", sa.Integer)), dialect="postgresql") == []
    assert rule_ids(rule, new_table(), identity(), dialect="postgresql") == []

import pytest
import sqlalchemy as sa
from rule_helpers import alter, findings, rule_ids

from alembic_guardrails.rules import type_change_rewrites_table as rule


def test_integer_to_bigint_rewrites_on_postgresql():
    change = alter(existing_type=sa.Integer(), modify_type=sa.BigInteger())
    assert [str(f) for f in findings(rule, change, dialect="postgresql")] == [
        "items.v: type INTEGER -> BIGINT rewrites the whole table under an exclusive lock on PostgreSQL "
        "[type-change-rewrites-table]"
    ]


@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_not_said_for_other_databases(dialect):
    assert (
        rule_ids(rule, alter(existing_type=sa.Integer(), modify_type=sa.BigInteger()), dialect=dialect) == []
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (sa.String(20), sa.Text()),  # widening a VARCHAR: a catalogue change
        (sa.String(20), sa.String(40)),
        (sa.Enum("a", "b", name="e"), sa.Enum("a", "b", "c", name="e")),  # ADD VALUE
        (sa.String(100), sa.String(50)),  # narrowed: narrow-type refuses it
    ],
)
def test_changes_that_do_not_rewrite_are_not_flagged(old, new):
    assert rule_ids(rule, alter(existing_type=old, modify_type=new), dialect="postgresql") == []

import pytest
import sqlalchemy as sa
from rule_helpers import DIALECTS, alter, findings, rule_ids

from alembic_guardrails.rules import drop_not_null as rule


@pytest.mark.parametrize("dialect", DIALECTS)
def test_dropping_not_null_is_flagged(dialect):
    change = alter(existing_type=sa.String(20), existing_nullable=False, modify_nullable=True)
    assert [str(f) for f in findings(rule, change, dialect=dialect)] == [
        "items.v: drop NOT NULL: code that reads this column must now handle NULL [drop-not-null]"
    ]


def test_a_column_that_was_nullable_already_is_not():
    assert rule_ids(rule, alter(existing_nullable=True, modify_nullable=True)) == []
    assert rule_ids(rule, alter(existing_nullable=None, modify_nullable=True)) == []

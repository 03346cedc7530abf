import pytest
import sqlalchemy as sa
from rule_helpers import DIALECTS, alter, findings, rule_ids

from alembic_guardrails.rules import set_not_null_without_default as rule


@pytest.mark.parametrize("dialect", DIALECTS)
def test_not_null_without_a_server_default_is_flagged(dialect):
    change = alter(existing_type=sa.String(20), existing_nullable=True, modify_nullable=False)
    found = findings(rule, change, dialect=dialect)
    assert [str(f) for f in found] == [
        "items.v: set NOT NULL without a server default (fails on NULL rows) [set-not-null-without-default]"
    ]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_not_null_with_a_server_default_is_not(dialect):
    # The NULL rows are filled first: set-not-null-fills-nulls.
    existing = alter(existing_nullable=True, modify_nullable=False, existing_server_default="new")
    given = alter(existing_nullable=True, modify_nullable=False, modify_server_default=sa.text("0"))
    assert rule_ids(rule, existing, given, dialect=dialect) == []


def test_a_column_already_not_null_is_not():
    assert rule_ids(rule, alter(existing_nullable=False, modify_nullable=False)) == []

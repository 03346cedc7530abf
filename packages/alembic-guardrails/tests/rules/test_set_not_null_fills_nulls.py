import pytest
import sqlalchemy as sa
from rule_helpers import DIALECTS, alter, findings, rule_ids

from alembic_guardrails.rules import set_not_null_fills_nulls as rule


@pytest.mark.parametrize("dialect", DIALECTS)
def test_not_null_with_a_server_default_is_flagged(dialect):
    change = alter(existing_nullable=True, modify_nullable=False, existing_server_default="new")
    assert [str(f) for f in findings(rule, change, dialect=dialect)] == [
        "items.v: NOT NULL with a server default: the revision first sets the rows that are NULL to the "
        "default [set-not-null-fills-nulls]"
    ]


def test_a_default_given_in_the_same_revision_counts():
    change = alter(existing_nullable=True, modify_nullable=False, modify_server_default=sa.text("0"))
    assert rule_ids(rule, change) == ["set-not-null-fills-nulls"]


def test_without_a_server_default_it_is_refused_instead():
    # set-not-null-without-default refuses it.
    assert rule_ids(rule, alter(existing_nullable=True, modify_nullable=False)) == []

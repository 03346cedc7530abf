import pytest
import sqlalchemy as sa
from rule_helpers import DIALECTS, alter, findings, rule_ids

from alembic_guardrails._messages import set_language
from alembic_guardrails.rules import drop_not_null as rule

MESSAGE = "items.v: drop NOT NULL: code that reads this column must now handle NULL"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_dropping_not_null_is_flagged(dialect):
    change = alter(existing_type=sa.String(20), existing_nullable=False, modify_nullable=True)
    assert [str(f) for f in findings(rule, change, dialect=dialect)] == [f"{MESSAGE} [drop-not-null]"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_typed_nullable_true_without_existing_nullable_is_flagged_with_a_hint(dialect):
    # What `op.alter_column("items", "v", existing_type=..., nullable=True)` records: autogenerate
    # would have said existing_nullable=False; a hand-written revision most often leaves it out.
    change = alter(existing_type=sa.String(20), modify_nullable=True)
    assert [str(f) for f in findings(rule, change, dialect=dialect)] == [
        f"{MESSAGE} (existing_nullable not given: if the column already allows NULL, write "
        "existing_nullable=True) [drop-not-null]"
    ]


def test_the_hint_speaks_the_project_language():
    try:
        set_language("zh")
        (found,) = findings(rule, alter(modify_nullable=True))
    finally:
        set_language("en")
    assert found.action == rule.RULE.message["zh"] + rule.UNKNOWN["zh"]


def test_a_column_that_was_nullable_already_is_not():
    assert rule_ids(rule, alter(existing_nullable=True, modify_nullable=True)) == []


def test_setting_not_null_or_leaving_it_is_not():
    assert rule_ids(rule, alter(existing_nullable=True, modify_nullable=False)) == []
    assert rule_ids(rule, alter(existing_type=sa.String(20), modify_type=sa.String(40))) == []

import pytest
import sqlalchemy as sa
from rule_helpers import DIALECTS, alter, findings, rule_ids

from alembic_guardrails.rules import narrow_type as rule


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_shorter_varchar_is_flagged(dialect):
    found = findings(rule, alter(existing_type=sa.String(100), modify_type=sa.String(50)), dialect=dialect)
    assert [str(f) for f in found] == ["items.v: narrow type VARCHAR(100) -> VARCHAR(50) [narrow-type]"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_longer_varchar_is_not(dialect):
    assert (
        findings(rule, alter(existing_type=sa.String(50), modify_type=sa.String(100)), dialect=dialect) == []
    )


def test_a_bare_float_narrows_a_double_only_on_mysql():
    double_to_float = alter(existing_type=sa.Double(), modify_type=sa.Float())
    assert rule_ids(rule, double_to_float, dialect="mysql") == ["narrow-type"]
    assert rule_ids(rule, double_to_float, dialect="postgresql") == []

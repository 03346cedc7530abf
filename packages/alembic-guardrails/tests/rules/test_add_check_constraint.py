import pytest
from alembic.operations import ops
from rule_helpers import findings, new_table, rule_ids

from alembic_guardrails.rules import add_check_constraint as rule


def check(**kw):
    return ops.CreateCheckConstraintOp("ck_items_age_positive", "items", "age >= 0", **kw)


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_a_check_constraint_on_an_existing_table_is_flagged(dialect):
    assert [str(f) for f in findings(rule, check(), dialect=dialect)] == [
        "items: check constraint ck_items_age_positive on a table that has rows: every row is checked "
        "with the table locked (on PostgreSQL, add it NOT VALID and VALIDATE it separately) "
        "[add-check-constraint]"
    ]


def test_not_valid_on_postgresql_checks_no_row():
    assert rule_ids(rule, check(postgresql_not_valid=True), dialect="postgresql") == []


def test_mysql_has_no_not_valid():
    assert rule_ids(rule, check(postgresql_not_valid=True), dialect="mysql") == ["add-check-constraint"]


def test_a_new_table_or_sqlite_is_not():
    assert rule_ids(rule, new_table("items"), check(), dialect="postgresql") == []
    assert rule_ids(rule, check(), dialect="sqlite") == []

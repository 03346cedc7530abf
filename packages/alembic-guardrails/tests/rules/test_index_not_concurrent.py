import pytest
from alembic.operations import ops
from rule_helpers import findings, new_table, rule_ids

from alembic_guardrails.rules import index_not_concurrent as rule


def index(**kw):
    return ops.CreateIndexOp("ix_items_w", "items", ["w"], **kw)


def test_a_plain_index_on_postgresql_is_flagged():
    assert [str(f) for f in findings(rule, index(), dialect="postgresql")] == [
        "items: index ix_items_w built without CONCURRENTLY: PostgreSQL blocks writes to the table while "
        "it builds [index-not-concurrent]"
    ]


@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_other_databases_build_indexes_without_that_lock(dialect):
    assert rule_ids(rule, index(), dialect=dialect) == []


def test_a_concurrent_or_online_index_is_not():
    assert rule_ids(rule, index(postgresql_concurrently=True), dialect="postgresql") == []
    assert rule_ids(rule, index(), dialect="postgresql", online=True) == []


def test_a_new_table_has_no_writers():
    assert rule_ids(rule, new_table(), index(), dialect="postgresql") == []


def test_raw_create_index_on_an_existing_table_is_flagged():
    """Issue 18: without squawk, raw `CREATE [UNIQUE] INDEX` (no CONCURRENTLY) was missed."""
    raw = ops.ExecuteSQLOp("CREATE UNIQUE INDEX ix_users_email ON users (email)")
    assert [str(f) for f in findings(rule, raw, dialect="postgresql")] == [
        "users: index ix_users_email built without CONCURRENTLY: PostgreSQL blocks writes to the table "
        "while it builds [index-not-concurrent]"
    ]
    assert (
        findings(
            rule, ops.ExecuteSQLOp("CREATE INDEX CONCURRENTLY ix ON users (email)"), dialect="postgresql"
        )
        == []
    )
    assert findings(rule, raw, dialect="mysql") == []

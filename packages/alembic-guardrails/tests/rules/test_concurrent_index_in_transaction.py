from alembic.operations import ops
from rule_helpers import findings, new_table, rule_ids

from alembic_guardrails.rules import concurrent_index_in_transaction as rule


def create(**kw):
    return ops.CreateIndexOp("ix_items_w", "items", ["w"], **kw)


def drop(**kw):
    return ops.DropIndexOp("ix_items_w", table_name="items", **kw)


def test_create_index_concurrently_inside_the_transaction_is_refused():
    assert [str(f) for f in findings(rule, create(postgresql_concurrently=True), dialect="postgresql")] == [
        "items: CREATE INDEX ix_items_w CONCURRENTLY on items inside the migration's transaction: "
        "PostgreSQL refuses it (it cannot run inside a transaction block), so the upgrade fails; run it "
        "inside op.get_context().autocommit_block() [concurrent-index-in-transaction]"
    ]
    assert rule.RULE.verdict == "refuse" and not rule.RULE.overridable


def test_drop_index_concurrently_inside_the_transaction_is_refused_too():
    found = findings(rule, drop(postgresql_concurrently=True), dialect="postgresql")
    assert [f.action.split(" CONCURRENTLY")[0] for f in found] == ["DROP INDEX ix_items_w"]


def test_inside_an_autocommit_block_it_is_not():
    for operation in (create(postgresql_concurrently=True), drop(postgresql_concurrently=True)):
        assert rule_ids(rule, operation, dialect="postgresql", autocommit=[operation]) == []


def test_another_operation_in_an_autocommit_block_does_not_cover_it():
    inside, outside = create(postgresql_concurrently=True), drop(postgresql_concurrently=True)
    found = rule_ids(rule, inside, outside, dialect="postgresql", autocommit=[inside])
    assert found == ["concurrent-index-in-transaction"]


def test_autogenerate_online_puts_an_existing_table_s_index_in_an_autocommit_block():
    # migrations.online_ddl writes the index of a table that exists inside autocommit_block().
    assert rule_ids(rule, create(postgresql_concurrently=True), dialect="postgresql", online=True) == []
    # ... but leaves a new table's index as it is, and CONCURRENTLY there fails all the same.
    found = rule_ids(
        rule, new_table(), create(postgresql_concurrently=True), dialect="postgresql", online=True
    )
    assert found == ["concurrent-index-in-transaction"]


def test_a_plain_index_or_another_database_is_not():
    assert rule_ids(rule, create(), drop(), dialect="postgresql") == []
    for dialect in ("mysql", "sqlite"):
        assert rule_ids(rule, create(postgresql_concurrently=True), dialect=dialect) == []

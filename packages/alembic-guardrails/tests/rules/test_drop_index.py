import pytest
from alembic.operations import ops
from rule_helpers import DIALECTS, findings, on_table

from alembic_guardrails.rules import drop_index as rule


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_dropped_index_is_flagged(dialect):
    dropped = on_table("users", ops.DropIndexOp("ix_users_note", table_name="users"))
    assert [str(f) for f in findings(rule, dropped, dialect=dialect)] == [
        "users: drop index ix_users_note [drop-index]"
    ]


def test_a_created_index_is_not():
    assert findings(rule, ops.CreateIndexOp("ix_users_note", "users", ["note"])) == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_online_forms_are_flagged_too(dialect):
    # DROP INDEX CONCURRENTLY (PostgreSQL) and MySQL's in-place DROP INDEX take no long lock, but the
    # rule's concern is the queries that used the index: they slow down whatever the form.
    dropped = ops.DropIndexOp("ix_users_note", table_name="users", postgresql_concurrently=True)
    assert [f.rule for f in findings(rule, dropped, dialect=dialect, autocommit=[dropped])] == ["drop-index"]


def _typed(dropped, dialect, autocommit=()):
    """As lint checks a hand-written revision (Context.typed)."""
    from alembic_guardrails.rules import Context

    upgrade_ops = ops.UpgradeOps(ops=[dropped])
    context = Context.of(upgrade_ops, dialect, autocommit=autocommit, typed=True)
    return [f.rule for f in rule.check(dropped, context)]


def test_a_typed_drop_is_flagged_only_for_the_postgresql_lock():
    """Issue 18: a hand-written drop is on purpose; left to say is PostgreSQL's ACCESS EXCLUSIVE lock
    of a plain DROP INDEX. CONCURRENTLY takes none; MySQL/MariaDB drop in place; SQLite at once."""
    plain = ops.DropIndexOp("ix_users_note", table_name="users")
    concurrently = ops.DropIndexOp("ix_users_note", table_name="users", postgresql_concurrently=True)
    assert _typed(plain, "postgresql") == ["drop-index"]
    assert _typed(concurrently, "postgresql", autocommit=[concurrently]) == []
    assert _typed(plain, "mysql") == [] and _typed(plain, "sqlite") == []

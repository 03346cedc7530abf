import pytest
import sqlalchemy as sa
from alembic.operations import ops
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


def test_not_null_after_the_revision_fills_the_nulls_is_not():
    # alembic_guardrails.backfill (and a hand-written UPDATE) fill the NULL rows first.
    fill = ops.ExecuteSQLOp("UPDATE items SET v = :v WHERE v IS NULL")
    not_null = alter(existing_nullable=True, modify_nullable=False)
    assert rule_ids(rule, fill, not_null, dialect="postgresql") == []
    # Another column's NULLs, or a validated CHECK alone (its VALIDATE fails on NULL rows too): flagged.
    other = ops.ExecuteSQLOp("UPDATE items SET w = 0 WHERE w IS NULL")
    add = ops.ExecuteSQLOp(
        "ALTER TABLE items ADD CONSTRAINT ck_items_v_not_null CHECK (v IS NOT NULL) NOT VALID"
    )
    validate = ops.ExecuteSQLOp("ALTER TABLE items VALIDATE CONSTRAINT ck_items_v_not_null")
    for before in ([other], [add, validate]):
        assert rule_ids(rule, *before, not_null, dialect="postgresql") == ["set-not-null-without-default"]

"""A NOT NULL column added to an existing table: refused, not merely reviewed.

Without a server default its existing rows have no value: PostgreSQL and SQLite
fail the upgrade, MySQL/MariaDB silently fill '' or 0. A nullable column, or
one with a server default, is ordinary growth.
"""

import sqlalchemy as sa
from alembic.operations import ops

from alembic_guardrails._guards import destructive_operations, review_points
from alembic_guardrails.rules import add_not_null_without_default


def add_column(column):
    return ops.UpgradeOps(ops=[ops.ModifyTableOps("users", [ops.AddColumnOp("users", column)])])


def test_a_not_null_column_without_a_server_default_is_refused():
    operations = add_column(sa.Column("nickname", sa.String(30), nullable=False))
    refused = destructive_operations(operations)
    assert refused == [add_not_null_without_default.RULE.finding("users", "nickname")]
    assert refused[0].rule == "add-not-null-without-default"


def test_a_nullable_column_or_one_with_a_server_default_is_not():
    nullable = add_column(sa.Column("nickname", sa.String(30), nullable=True))
    with_default = add_column(sa.Column("status", sa.String(20), nullable=False, server_default="active"))
    for operations in (nullable, with_default):
        assert destructive_operations(operations) == []
        assert review_points(operations) == []

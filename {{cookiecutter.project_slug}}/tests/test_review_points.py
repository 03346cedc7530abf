"""Review points: allowed operations that the guards name for a second look."""

import sqlalchemy as sa
from alembic.operations import ops

from {{ cookiecutter.package_name }}.migrations.guards import destructive_operations, review_points
from {{ cookiecutter.package_name }}.migrations.messages import text


def add_column(column):
    return ops.UpgradeOps(ops=[ops.ModifyTableOps("users", [ops.AddColumnOp("users", column)])])


def test_a_not_null_column_without_a_server_default_is_a_review_point():
    operations = add_column(sa.Column("nickname", sa.String(30), nullable=False))
    assert destructive_operations(operations) == []
    assert review_points(operations) == ["users.nickname: " + text("add_not_null")]


def test_a_nullable_column_or_one_with_a_server_default_is_not():
    nullable = add_column(sa.Column("nickname", sa.String(30), nullable=True))
    with_default = add_column(sa.Column("status", sa.String(20), nullable=False, server_default="active"))
    assert review_points(nullable) == []
    assert review_points(with_default) == []

import pytest
import sqlalchemy as sa
from rule_helpers import alter, findings, rule_ids
from sqlalchemy.dialects import mysql

from alembic_guardrails.rules import type_change_copies_table as rule


@pytest.mark.parametrize(
    ("old", "new", "copies"),
    [
        (sa.String(20), sa.String(40), False),  # 160 bytes: length prefix unchanged, in place
        (mysql.VARCHAR(20), sa.String(40), False),  # as reflected
        (sa.String(20), sa.String(63), False),  # 252 bytes: still a 1-byte prefix
        (sa.String(20), sa.String(100), True),  # past 255 bytes: the prefix grows, the table is copied
        (sa.String(63), sa.String(64), True),  # 252 -> 256 bytes: across the boundary
        (sa.String(100), sa.String(255), False),  # 400 -> 1020 bytes: a 2-byte prefix both sides
        (mysql.VARCHAR(64), sa.String(2000), False),  # 256 -> 8000 bytes: in place
        (sa.CHAR(10), sa.CHAR(20), True),  # only VARCHAR grows in place
        (sa.String(20, collation="utf8mb4_bin"), sa.String(40, collation="utf8mb4_general_ci"), True),
        (sa.String(20), sa.Text(), True),
        (sa.Integer(), sa.BigInteger(), True),
        (sa.Enum("a", "b", name="e"), sa.Enum("a", "b", "c", name="e"), False),  # appended: in place
    ],
)
def test_mysql_type_changes_that_copy_the_table(old, new, copies):
    found = findings(rule, alter(existing_type=old, modify_type=new), dialect="mysql")
    expected = (
        f"items.v: type {old} -> {new} copies the whole table on MySQL/MariaDB, blocking writes meanwhile"
    )
    assert [str(f) for f in found] == ([f"{expected} [type-change-copies-table]"] if copies else [])


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_not_said_for_other_databases(dialect):
    assert rule_ids(rule, alter(existing_type=sa.String(20), modify_type=sa.Text()), dialect=dialect) == []

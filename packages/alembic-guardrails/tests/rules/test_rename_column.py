import pytest
import sqlalchemy as sa
from rule_helpers import DIALECTS, alter, findings, new_table, rule_ids

from alembic_guardrails.rules import rename_column as rule


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_renamed_column_is_flagged(dialect):
    rename = alter(column="fullname", modify_name="name", existing_type=sa.String(40))
    # PostgreSQL and MySQL/MariaDB write it without downtime with `-x expand_contract=true`; SQLite
    # (one process owns the file) keeps the plain rename.
    hint = "" if dialect == "sqlite" else "; for zero downtime: re-run with `-x expand_contract=true`"
    assert [str(f) for f in findings(rule, rename, dialect=dialect)] == [
        "items.fullname: rename column to name: the code running now still uses the old name, and its "
        f"queries fail from the moment the upgrade commits until the new code is deployed{hint} [rename-column]"
    ]


def test_other_column_changes_are_not():
    assert rule_ids(rule, alter(existing_type=sa.String(20), modify_type=sa.String(40))) == []
    assert rule_ids(rule, alter(column="v", modify_name="v")) == []  # the same name: no rename


def test_a_column_of_a_table_this_revision_creates_is_not():
    assert rule_ids(rule, new_table("items"), alter(column="a", modify_name="b")) == []

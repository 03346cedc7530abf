import pytest
from alembic.operations import ops
from rule_helpers import findings, new_table, rule_ids

from alembic_guardrails.rules import add_foreign_key as rule

FOREIGN_KEY = ops.CreateForeignKeyOp("fk_notes_item_id_items", "notes", "items", ["item_id"], ["id"])


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_a_foreign_key_on_an_existing_table_is_flagged(dialect):
    found = findings(rule, FOREIGN_KEY, dialect=dialect)
    assert [f.rule for f in found] == ["add-foreign-key"]
    assert str(found[0]).startswith("notes: foreign key fk_notes_item_id_items on a table that has rows")


def test_online_postgresql_adds_it_not_valid():
    assert rule_ids(rule, FOREIGN_KEY, dialect="postgresql", online=True) == []


def test_mysql_is_foreign_key_copies_table_business():
    assert rule_ids(rule, FOREIGN_KEY, dialect="mysql") == []


def test_a_new_table_has_no_rows_to_check():
    assert rule_ids(rule, new_table("notes"), FOREIGN_KEY, dialect="postgresql") == []


def test_a_typed_not_valid_key_checks_no_row_on_postgresql():
    not_valid = ops.CreateForeignKeyOp(
        "fk_notes_item_id_items", "notes", "items", ["item_id"], ["id"], postgresql_not_valid=True
    )
    assert rule_ids(rule, not_valid, dialect="postgresql") == []
    # SQLite knows no NOT VALID: its batch mode still copies and checks the table.
    assert rule_ids(rule, not_valid, dialect="sqlite") == ["add-foreign-key"]

import pytest
import sqlalchemy as sa
from alembic.operations import ops
from rule_helpers import add_column, findings, new_table, rule_ids

from alembic_guardrails.rules import foreign_key_copies_table as rule

FOREIGN_KEY = ops.CreateForeignKeyOp("fk_users_team_id_teams", "users", "teams", ["team_id"], ["id"])


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_a_foreign_key_on_mysql_or_mariadb_is_flagged(dialect):
    assert [str(f) for f in findings(rule, FOREIGN_KEY, dialect=dialect)] == [
        "users: add foreign key fk_users_team_id_teams rewrites the whole table on MySQL/MariaDB "
        "(ALGORITHM=COPY), blocking writes [foreign-key-copies-table]"
    ]


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_other_databases_do_not_copy_the_table(dialect):
    assert rule_ids(rule, FOREIGN_KEY, dialect=dialect) == []


def test_a_column_added_with_its_foreign_key_copies_the_table_too():
    column = add_column(sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id")), table="users")
    assert [str(f) for f in findings(rule, column, dialect="mysql")] == [
        "users.team_id: add foreign key team_id -> teams.id rewrites the whole table on MySQL/MariaDB "
        "(ALGORITHM=COPY), blocking writes [foreign-key-copies-table]"
    ]
    # Autogenerate writes the key as a create_foreign_key of its own: said once, on that.
    assert rule_ids(rule, column, FOREIGN_KEY, dialect="mysql") == ["foreign-key-copies-table"]
    assert rule_ids(rule, new_table("users"), column, dialect="mysql") == []

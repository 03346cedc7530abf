import pytest
from alembic.operations import ops
from rule_helpers import findings, rule_ids

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

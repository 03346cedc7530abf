import pytest
import sqlalchemy as sa
from alembic.operations import ops
from alembic_project import Project, url_of
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
    # SQLite knows no NOT VALID: its batch mode still copies the table.
    assert rule_ids(rule, not_valid, dialect="sqlite") == ["add-foreign-key"]


def test_each_database_is_told_what_it_does():
    """Issue 20: SQLite was told of locks and of rows checked, which it does neither."""
    (postgresql,) = findings(rule, FOREIGN_KEY, dialect="postgresql")
    (sqlite,) = findings(rule, FOREIGN_KEY, dialect="sqlite")
    assert "checked with both tables locked" in postgresql.action
    assert "locked" not in sqlite.action and "checked with" not in sqlite.action
    assert "batch mode copies the whole table" in sqlite.action
    assert "does not check the existing rows" in sqlite.action


MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table("fk_parents", metadata, sa.Column("id", sa.Integer, primary_key=True))
sa.Table(
    "fk_children",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("parent_id", sa.Integer),
    {key}
)
"""
KEY = 'sa.ForeignKeyConstraint(["parent_id"], ["fk_parents.id"], name="fk_children_parent"),'


def test_the_review_line_is_true_on_seeded_rows(alembic_engine, tmp_path):
    """A real upgrade over seeded rows, each database told what it does: SQLite's batch mode
    copies the table (the rows, and the key, are in the copy), and its line says so, not locks.
    (PostgreSQL: written NOT VALID then validated; MySQL/MariaDB: foreign-key-copies-table.)"""
    backend = alembic_engine.dialect.name
    project = Project(tmp_path / "project", url_of(alembic_engine))
    project.models(MODELS.format(key=""))
    project.migrate("tables")
    with alembic_engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO fk_parents (id) VALUES (1)"))
        connection.execute(sa.text("INSERT INTO fk_children (id, parent_id) VALUES (1, 1), (2, NULL)"))
    project.models(MODELS.format(key=KEY))
    result = project.ok("revision", "--autogenerate", "-m", "key")
    output = result.stdout + result.stderr
    project.ok("upgrade", "head")
    with alembic_engine.connect() as connection:
        kept = connection.execute(sa.text("SELECT id, parent_id FROM fk_children ORDER BY id")).all()
        keys = sa.inspect(connection).get_foreign_keys("fk_children")
    assert [tuple(row) for row in kept] == [(1, 1), (2, None)]
    assert [key["name"] for key in keys] == ["fk_children_parent"]
    lines = [line for line in output.splitlines() if "[add-foreign-key]" in line]
    if backend == "mysql":
        assert lines == []
    elif backend == "sqlite":
        (line,) = lines
        assert "batch mode copies the whole table" in line and "does not check the existing rows" in line
        assert "locked" not in line
    else:
        # postgresql_safe_ddl (the default) writes it NOT VALID, then VALIDATE: nothing to review.
        assert lines == []
        (written,) = project.versions.glob("*_key.py")
        assert "NOT VALID" in written.read_text()


def test_sqlite_batch_mode_does_not_check_the_existing_rows(alembic_engine):
    """What the SQLite line says, on a real batch upgrade: a row whose parent is missing is copied
    over as it is (foreign keys off, SQLite's default); with PRAGMA foreign_keys=ON the copy fails."""
    if alembic_engine.dialect.name != "sqlite":
        pytest.skip("SQLite's batch mode")
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    def add_key(connection):
        with Operations(MigrationContext.configure(connection)).batch_alter_table("fk_children") as batch:
            batch.create_foreign_key("fk_children_parent", "fk_parents", ["parent_id"], ["id"])

    with alembic_engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE fk_parents (id INTEGER PRIMARY KEY)"))
        connection.execute(sa.text("CREATE TABLE fk_children (id INTEGER PRIMARY KEY, parent_id INTEGER)"))
        connection.execute(sa.text("INSERT INTO fk_children (id, parent_id) VALUES (1, 99)"))
    with alembic_engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        with pytest.raises(sa.exc.IntegrityError):
            add_key(connection)
    with alembic_engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        add_key(connection)
        kept = connection.execute(sa.text("SELECT id, parent_id FROM fk_children")).all()
        assert [key["name"] for key in sa.inspect(connection).get_foreign_keys("fk_children")] == [
            "fk_children_parent"
        ]
    assert [tuple(row) for row in kept] == [(1, 99)]

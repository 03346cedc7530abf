"""Enum value changes autogenerate cannot see by itself (migrations/compare.py), through the real CLI.

PostgreSQL native enums: an added value is written as ALTER TYPE ... ADD VALUE
outside the revision's transaction (and renders under --sql); a removed value
is refused, and with the override the type is recreated, failing cleanly
while rows still hold the value. Non-native enums (VARCHAR, maybe a CHECK)
on SQLite: a change is detected from the CHECK, or from rows holding values
the models no longer allow, never waved through as "no change".
"""

import pytest
from sqlalchemy import create_engine, text

TICKETS = """

class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column({status}, server_default="open")
"""
NATIVE = 'Enum("open", "closed", name="ticket_status")'
NOT_NATIVE = 'Enum("open", "closed", name="ticket_status", native_enum=False, create_constraint={checked})'


def tickets_project(bake, backend, url, status):
    """A baked project at head with a tickets table (status: `status`), one row per value."""
    project = bake(database=backend)
    project.env = {"DATABASE_URL": url}
    project.models = project.package / "models.py"
    models = project.models.read_text().replace(
        "from sqlalchemy import String", "from sqlalchemy import Enum, String"
    )
    project.models.write_text(models + TICKETS.format(status=status))
    project.alembic("upgrade", "head", env=project.env)
    project.alembic("revision", "--autogenerate", "-m", "tickets", env=project.env)
    project.alembic("upgrade", "head", env=project.env)
    sql(url, "INSERT INTO tickets (id, status) VALUES (1, 'open'), (2, 'closed')")
    return project


def sql(url, statement):
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement))
            return result.all() if result.returns_rows else None
    finally:
        engine.dispose()


def change_values(project, old, new):
    models = project.models.read_text()
    assert old in models
    project.models.write_text(models.replace(old, new))


def autogenerate(project, *x_args, expect_file=True):
    before = project.versions()
    result = project.alembic(
        *x_args, "revision", "--autogenerate", "-m", "enum change", env=project.env, check=False
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    if not expect_file:
        assert result.returncode != 0, output
        assert project.versions() == before, "a refused revision writes no file"
        return output
    assert result.returncode == 0, output
    (new_file,) = set(project.versions()) - set(before)
    return new_file.read_text()


def pg_values(url):
    return [row[0] for row in sql(url, "SELECT unnest(enum_range(NULL::ticket_status))::text")]


def assert_clean(project):
    result = project.alembic("check", env=project.env, check=False)
    assert "No new upgrade operations detected" in result.stdout + result.stderr, (
        result.stdout + result.stderr
    )


@pytest.fixture
def native(bake, postgresql_url):
    return tickets_project(bake, "postgresql", postgresql_url, NATIVE), postgresql_url


def test_postgresql_added_value_is_written_outside_the_transaction(native):
    project, url = native
    (before,) = project.alembic("current", env=project.env).stdout.split()[:1]
    change_values(project, '"open", "closed"', '"open", "pending", "closed"')
    revision = autogenerate(project)
    assert "with op.get_context().autocommit_block():" in revision
    assert "ALTER TYPE ticket_status ADD VALUE IF NOT EXISTS 'pending' AFTER 'open'" in revision
    offline = project.alembic("upgrade", f"{before}:head", "--sql", env=project.env).stdout
    assert "COMMIT;\n\nALTER TYPE ticket_status ADD VALUE IF NOT EXISTS 'pending' AFTER 'open'" in offline

    project.alembic("upgrade", "head", env=project.env)
    assert pg_values(url) == ["open", "pending", "closed"]
    sql(url, "INSERT INTO tickets (id, status) VALUES (3, 'pending')")
    assert_clean(project)
    # The downgrade recreates the type without the value: refused while a row holds it ...
    assert project.alembic("downgrade", "-1", env=project.env, check=False).returncode != 0
    assert pg_values(url) == ["open", "pending", "closed"]
    # ... and done once none does, keeping the other rows and the column's default.
    sql(url, "DELETE FROM tickets WHERE status = 'pending'")
    project.alembic("downgrade", "-1", env=project.env)
    assert pg_values(url) == ["open", "closed"]
    assert sql(url, "SELECT id, status::text FROM tickets ORDER BY id") == [(1, "open"), (2, "closed")]
    sql(url, "INSERT INTO tickets (id) VALUES (4)")
    assert sql(url, "SELECT status::text FROM tickets WHERE id = 4") == [("open",)]
    project.alembic("upgrade", "head", env=project.env)
    assert_clean(project)


def test_postgresql_removed_value_is_refused_then_written_so_that_it_works(native):
    project, url = native
    change_values(project, '"open", "closed"', '"open"')
    message = autogenerate(project, expect_file=False)
    assert "tickets.status" in message
    assert "allow_destructive=true" in message

    revision = autogenerate(project, "-x", "allow_destructive=true")
    assert "ALTER TYPE ticket_status RENAME TO ticket_status_old" in revision
    # A row still holds 'closed': the upgrade fails and changes nothing.
    assert project.alembic("upgrade", "head", env=project.env, check=False).returncode != 0
    assert pg_values(url) == ["open", "closed"]
    sql(url, "DELETE FROM tickets WHERE status = 'closed'")
    project.alembic("upgrade", "head", env=project.env)
    assert pg_values(url) == ["open"]
    assert sql(url, "SELECT id, status::text FROM tickets") == [(1, "open")]
    assert_clean(project)
    project.alembic("downgrade", "-1", env=project.env)
    assert pg_values(url) == ["open", "closed"]
    project.alembic("upgrade", "head", env=project.env)
    assert_clean(project)


def test_sqlite_removed_value_held_by_rows_is_not_called_no_change(bake, tmp_path):
    url = f"sqlite:///{tmp_path / 'enums.sqlite3'}"
    project = tickets_project(bake, "sqlite", url, NOT_NATIVE.format(checked=False))
    # 'open' goes, 'closed' stays: the VARCHAR keeps its length, only the rows show the change.
    change_values(project, '"open", "closed", name', '"closed", name')
    message = autogenerate(project, expect_file=False)
    assert "No schema change detected" not in message
    assert "tickets.status" in message
    # Once no row holds it, a plain VARCHAR cannot show the change: nothing to write.
    sql(url, "DELETE FROM tickets WHERE status = 'open'")
    assert_clean(project)


def test_sqlite_check_constraint_follows_enum_values_both_ways(bake, tmp_path):
    url = f"sqlite:///{tmp_path / 'enums.sqlite3'}"
    project = tickets_project(bake, "sqlite", url, NOT_NATIVE.format(checked=True))
    change_values(project, '"open", "closed", name', '"open", "closed", "pending", name')
    autogenerate(project)
    project.alembic("upgrade", "head", env=project.env)
    sql(url, "INSERT INTO tickets (id, status) VALUES (3, 'pending')")
    assert_clean(project)

    sql(url, "DELETE FROM tickets WHERE status = 'closed'")
    change_values(project, '"open", "closed", "pending", name', '"open", "pending", name')
    assert "tickets.status" in autogenerate(project, expect_file=False)
    autogenerate(project, "-x", "allow_destructive=true")
    project.alembic("upgrade", "head", env=project.env)
    with pytest.raises(Exception, match="CHECK constraint failed"):
        sql(url, "INSERT INTO tickets (id, status) VALUES (4, 'closed')")
    assert_clean(project)
    project.alembic("downgrade", "-1", env=project.env)
    sql(url, "INSERT INTO tickets (id, status) VALUES (4, 'closed')")
    # Back below 'pending': the CHECK refuses while a row holds it, as on PostgreSQL.
    assert project.alembic("downgrade", "-1", env=project.env, check=False).returncode != 0
    sql(url, "DELETE FROM tickets WHERE status = 'pending'")
    project.alembic("downgrade", "-1", env=project.env)
    with pytest.raises(Exception, match="CHECK constraint failed"):
        sql(url, "INSERT INTO tickets (id, status) VALUES (5, 'pending')")
    sql(url, "DELETE FROM tickets WHERE status = 'closed'")
    project.alembic("upgrade", "head", env=project.env)
    assert_clean(project)

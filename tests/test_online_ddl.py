"""Safe by default on PostgreSQL: autogenerate writes the online forms on existing tables.

The model gains an index, a foreign key, a unique constraint and a NOT NULL on
a populated users table: the written revision uses CONCURRENTLY, NOT VALID +
VALIDATE, a check then SET NOT NULL, and USING INDEX, each with its comment;
it upgrades, leaves valid constraints and indexes, downgrades, renders under
--sql. A table created in the same revision keeps the plain forms; the
alembic.ini setting turns the rewrites off; MySQL/MariaDB print the operations
that copy the table.
"""

import pytest

from safety import FIRST_REVISION, current, execute, query, write_revision

# Hand-written: teams, and two nullable columns on users, before the model change.
PREPARE = """
op.create_table("teams", sa.Column("id", sa.Integer, primary_key=True))
op.add_column("users", sa.Column("team_id", sa.Integer, nullable=True))
op.add_column("users", sa.Column("email", sa.String(100), nullable=True))
"""
UNPREPARE = """
op.drop_column("users", "email")
op.drop_column("users", "team_id")
op.drop_table("teams")
"""
# The model change autogenerate compares against: an index and a foreign key on
# team_id, email unique and NOT NULL, and the teams model.
MODEL_CHANGE = """
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    email: Mapped[str] = mapped_column(String(100), unique=True)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
"""
NEW_TABLE = """

class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(30), index=True)
"""
# NOT NULL on users is refused by the guards unless asked for.
ALLOW = ["-x", "allow_protected=users", "-x", "allow_destructive=true"]


def change_models(project) -> None:
    models = f"{project.context['package_name']}/models.py"
    project.edit(models, "from sqlalchemy import String", "from sqlalchemy import ForeignKey, String")
    text = (project.path / models).read_text()
    (project.path / models).write_text(text + MODEL_CHANGE)


def prepared_project(bake, backend: str, url: str):
    """A baked project at the hand-written revision, users populated, the models changed."""
    project = bake(database=backend)
    env = {"DATABASE_URL": url}
    write_revision(project, "teams0001", FIRST_REVISION, PREPARE, UNPREPARE)
    project.alembic("upgrade", "head", env=env)
    execute(url, "INSERT INTO teams (id) VALUES (1), (2)")
    rows = [{"name": f"user {n}", "team": n % 2 + 1, "email": f"u{n}@example.com"} for n in range(2000)]
    execute(url, "INSERT INTO users (name, team_id, email) VALUES (:name, :team, :email)", rows)
    change_models(project)
    return project, env


def autogenerate(project, env) -> str:
    project.alembic(*ALLOW, "revision", "--autogenerate", "-m", "online changes", env=env)
    (written,) = [path for path in project.versions() if path.name.endswith("online_changes.py")]
    return written.read_text()


def test_existing_tables_get_the_online_forms_which_upgrade_and_downgrade(postgresql_url, bake):
    project, env = prepared_project(bake, "postgresql", postgresql_url)
    revision = autogenerate(project, env)

    upgrade, downgrade = revision.split("def downgrade")
    assert upgrade.count("with op.get_context().autocommit_block():") == 4
    assert "postgresql_concurrently=True" in upgrade and "if_not_exists=True" in upgrade
    assert "FOREIGN KEY(team_id) REFERENCES teams (id) NOT VALID" in upgrade
    assert "ALTER TABLE users VALIDATE CONSTRAINT fk_users_team_id_teams" in upgrade
    assert "CHECK (email IS NOT NULL) NOT VALID" in upgrade
    assert "ALTER TABLE users VALIDATE CONSTRAINT ck_users_email_not_null" in upgrade
    assert "ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email" in upgrade
    for comment in ("# CONCURRENTLY: writes", "# Foreign key added NOT VALID", "# SET NOT NULL would scan"):
        assert comment in upgrade
    assert "postgresql_concurrently=True, if_exists=True" in downgrade  # the index goes online too

    project.alembic("upgrade", "head", env=env)
    head = current(project, env)
    valid_index = "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_users_team_id'::regclass"
    assert query(postgresql_url, valid_index) == [(True,)]
    constraints = (
        "SELECT conname, contype, convalidated FROM pg_constraint WHERE conrelid = 'users'::regclass"
    )
    found = {name: (kind, valid) for name, kind, valid in query(postgresql_url, constraints)}
    assert found["fk_users_team_id_teams"] == ("f", True)
    assert found["uq_users_email"] == ("u", True)
    assert "ck_users_email_not_null" not in found  # the stepping-stone check is gone
    nullable = "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email'"
    assert query(postgresql_url, nullable) == [("NO",)]
    assert query(postgresql_url, "SELECT count(*) FROM users") == [(2000,)]
    project.alembic("check", env=env)  # the database now matches the models

    project.alembic("downgrade", "teams0001", env=env)
    assert query(postgresql_url, nullable) == [("YES",)]
    assert "fk_users_team_id_teams" not in {row[0] for row in query(postgresql_url, constraints)}
    project.alembic("upgrade", "head", env=env)
    assert current(project, env) == head

    sql = project.alembic("upgrade", "teams0001:head", "--sql", env=env).stdout
    assert "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_team_id ON users (team_id);" in sql
    assert "COMMIT;\n\nALTER TABLE users VALIDATE CONSTRAINT fk_users_team_id_teams;\n\nBEGIN;" in sql
    assert (
        "-- squawk-ignore ban-drop-constraint\nALTER TABLE users DROP CONSTRAINT ck_users_email_not_null;"
        in sql
    )


def test_a_table_created_in_the_same_revision_keeps_the_plain_forms(postgresql_url, bake):
    project = bake(database="postgresql")
    env = {"DATABASE_URL": postgresql_url}
    project.alembic("upgrade", "head", env=env)
    models = project.path / project.context["package_name"] / "models.py"
    models.write_text(models.read_text() + NEW_TABLE)
    revision = autogenerate(project, env)
    assert 'op.f("ix_tags_label")' in revision
    # Nothing can be waiting on a table that does not exist yet.
    assert "autocommit_block" not in revision and "postgresql_concurrently" not in revision


def test_the_setting_turns_the_rewrites_off(postgresql_url, bake):
    project, env = prepared_project(bake, "postgresql", postgresql_url)
    project.edit("alembic.ini", "postgresql_safe_ddl = true", "postgresql_safe_ddl = false")
    revision = autogenerate(project, env)
    assert "autocommit_block" not in revision and "NOT VALID" not in revision
    assert 'op.create_foreign_key(op.f("fk_users_team_id_teams")' in revision


@pytest.mark.parametrize("backend", ["mysql"])
def test_mariadb_prints_the_operations_that_copy_the_table(request, bake, backend):
    url = request.getfixturevalue(f"{backend}_url")
    project, env = prepared_project(bake, backend, url)
    result = project.alembic(*ALLOW, "revision", "--autogenerate", "-m", "online changes", env=env)
    assert (
        "Review: users: add foreign key fk_users_team_id_teams rewrites the whole table on MySQL/MariaDB "
        "(ALGORITHM=COPY), blocking writes [foreign-key-copies-table]" in result.stdout
    )
    revision = [path for path in project.versions() if path.name.endswith("online_changes.py")][0].read_text()
    assert "autocommit_block" not in revision  # PostgreSQL's rewrites only

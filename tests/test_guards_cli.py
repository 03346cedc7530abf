"""The second tutorial's guards, through the real `alembic` CLI, on SQLite and PostgreSQL.

Each refusal exits non-zero with its message and writes no file; each override
lets through exactly what it names; `alembic check` is not affected.
"""

import pytest
from sqlalchemy import create_engine, text

MODELS = "{package}/models.py"
EMAIL = "    email: Mapped[str | None] = mapped_column(String(100), nullable=True)\n"
ORDERS = """

class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    note: Mapped[str | None] = mapped_column(String(200), index=True)
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def guarded(request, bake, tmp_path):
    """A baked project at head with users.email and an orders table, and its env."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'guards.sqlite3'}"
    else:
        url = request.getfixturevalue("postgresql_url")
    project = bake(database=request.param)
    env = {"DATABASE_URL": url}
    models = MODELS.format(package=project.context["package_name"])
    project.edit(models, "String(50))\n", "String(50))\n" + EMAIL)
    (project.path / models).write_text((project.path / models).read_text() + ORDERS)
    project.alembic("upgrade", "head", env=env)
    project.alembic("revision", "--autogenerate", "-m", "add email and orders", env=env)
    project.alembic("upgrade", "head", env=env)
    project.models = project.path / models
    return project, env, url


def refused(project, env, *args):
    """Run an autogenerate that must be refused: non-zero exit, no new file."""
    before = project.versions()
    # -x options go before the command: `alembic -x allow_destructive=true revision ...`
    result = project.alembic(
        *args, "revision", "--autogenerate", "-m", "guarded change", env=env, check=False
    )
    assert result.returncode != 0, result.stdout + result.stderr
    assert project.versions() == before, "a refused revision must write no file"
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout + result.stderr


def written(project, env, *args):
    before = project.versions()
    result = project.alembic(*args, "revision", "--autogenerate", "-m", "allowed change", env=env)
    (new_file,) = set(project.versions()) - set(before)
    return new_file, result.stdout + result.stderr


def replace_in_models(project, old, new):
    text_ = project.models.read_text()
    assert old in text_
    project.models.write_text(text_.replace(old, new))


def test_empty_autogenerate_is_refused_but_hand_written_revisions_are_not(guarded):
    project, env, _ = guarded
    assert "No schema change detected" in refused(project, env)
    before = project.versions()
    project.alembic("revision", "-m", "data fix by hand", env=env)
    assert len(project.versions()) == len(before) + 1


def test_dropped_column_on_a_protected_table_needs_both_overrides(guarded):
    project, env, _ = guarded
    replace_in_models(project, EMAIL, "")
    message = refused(project, env)
    assert "users.email: drop column" in message
    assert "alembic -x allow_protected=users -x allow_destructive=true revision --autogenerate" in message
    assert "users.email" in refused(project, env, "-x", "allow_destructive=true")
    new_file, _ = written(project, env, "-x", "allow_destructive=true", "-x", "allow_protected=users")
    assert '"email"' in new_file.read_text()


def test_destructive_changes_list_every_operation_and_the_flag(guarded):
    project, env, _ = guarded
    replace_in_models(project, ORDERS, "")
    replace_in_models(project, "String(50))", "String(20))")
    replace_in_models(
        project,
        "Mapped[str | None] = mapped_column(String(100), nullable=True)",
        "Mapped[str] = mapped_column(String(100))",
    )
    message = refused(project, env, "-x", "allow_protected=users")
    assert "orders: drop table" in message
    assert "users.name: narrow type VARCHAR(50) -> VARCHAR(20)" in message
    assert "users.email: set NOT NULL without a server default" in message
    # The whole command that writes it: the protected table this run already allowed, and the flag.
    assert "alembic -x allow_protected=users -x allow_destructive=true revision --autogenerate" in message


def test_allow_destructive_lets_through_an_unprotected_table_only(guarded):
    project, env, _ = guarded
    replace_in_models(project, ORDERS, "")
    new_file, output = written(project, env, "-x", "allow_destructive=true")
    assert 'drop_table("orders")' in new_file.read_text()
    # DROP TABLE takes its indexes along (a separate DROP INDEX first fails on MySQL for FK columns).
    assert "drop_index" not in new_file.read_text().split("def downgrade")[0]
    assert "drop index ix_orders_note" not in output
    project.alembic("upgrade", "head", env=env)
    project.alembic("check", env=env)


def test_ignored_tables_are_invisible_to_autogenerate_and_check(guarded):
    project, env, url = guarded
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE tmp_import (id INTEGER PRIMARY KEY, payload VARCHAR(10))"))
        connection.execute(text("CREATE TABLE users_bak (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    assert "No new upgrade operations detected" in project.alembic("check", env=env).stdout
    assert "No schema change detected" in refused(project, env)


def test_alembic_check_reports_drift_without_the_guards_getting_in_the_way(guarded):
    project, env, _ = guarded
    assert "No new upgrade operations detected" in project.alembic("check", env=env).stdout
    replace_in_models(
        project, EMAIL, EMAIL + "    nickname: Mapped[str | None] = mapped_column(String(30))\n"
    )
    result = project.alembic("check", env=env, check=False)
    assert result.returncode != 0
    assert "New upgrade operations detected" in result.stdout + result.stderr
    assert "nickname" in result.stdout + result.stderr

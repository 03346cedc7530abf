"""A real application's models through the whole migration workflow, on every database.

tests/real_models.py (15+ tables: composite keys, cascading foreign keys,
CHECK constraints, Boolean/Enum constraints, DOUBLE, long strings, indexed
foreign keys, native enums, server defaults, comments) becomes the baked
models.py. Through the real CLI: autogenerate -> upgrade head -> `alembic
check` clean -> downgrade base -> upgrade head -> check clean; an index on a
foreign-key column dropped and restored; then the project's own
pytest-alembic tests pass on the same database.
"""

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

REAL_MODELS = Path(__file__).with_name("real_models.py").read_text()
DOCSTRING_END = REAL_MODELS.index('"""', 3) + 3
# Every table of real_models.py, and the one the project's first revision creates.
TABLES = {
    "organizations",
    "users",
    "sessions",
    "api_keys",
    "teams",
    "team_members",
    "projects",
    "labels",
    "tasks",
    "task_labels",
    "comments",
    "attachments",
    "invoices",
    "invoice_lines",
    "payments",
    "settings",
    "webhooks",
    "audit_events",
    "notifications",
}


def tables_in(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def index_names(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {index["name"] for index in inspect(engine).get_indexes(table)}
    finally:
        engine.dispose()


def assert_clean(project, env) -> None:
    result = project.alembic("check", env=env, check=False)
    assert result.returncode == 0, f"alembic check drifts:\n{result.stdout}{result.stderr}"
    assert "No new upgrade operations detected" in result.stdout + result.stderr


@pytest.mark.parametrize("database", ["sqlite", "postgresql", "mysql"], indirect=True)
def test_real_models_migrate_both_ways_and_stay_in_step(bake, database):
    backend, url = database
    project = bake(database=backend)
    env = {"DATABASE_URL": url}
    (project.package / "models.py").write_text(REAL_MODELS[DOCSTRING_END:].lstrip())
    assert len(TABLES) >= 15

    project.alembic("upgrade", "head", env=env)
    result = project.alembic("revision", "--autogenerate", "-m", "real models", env=env)
    assert "Traceback" not in result.stdout + result.stderr
    project.alembic("upgrade", "head", env=env)
    assert tables_in(url) == TABLES
    assert_clean(project, env)

    project.alembic("downgrade", "base", env=env)
    assert tables_in(url) == set()
    project.alembic("upgrade", "head", env=env)
    assert tables_in(url) == TABLES
    assert_clean(project, env)

    # An index on a foreign-key column goes: MySQL needs the key dropped first, and back after.
    models = project.package / "models.py"
    indexed = 'task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)'
    assert indexed in models.read_text()
    models.write_text(models.read_text().replace(indexed, indexed.replace(", index=True", "")))
    project.alembic("revision", "--autogenerate", "-m", "no index on comments.task_id", env=env)
    project.alembic("upgrade", "head", env=env)
    assert "ix_comments_task_id" not in index_names(url, "comments")
    assert_clean(project, env)
    project.alembic("downgrade", "-1", env=env)
    assert "ix_comments_task_id" in index_names(url, "comments")
    project.alembic("upgrade", "head", env=env)
    assert_clean(project, env)

    project.alembic("downgrade", "base", env=env)
    assert tables_in(url) == set()
    project.pytest(env={"TEST_DATABASE_URL": url})
    project.ruff()

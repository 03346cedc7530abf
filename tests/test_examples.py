"""with_examples: the tutorials' examples as real revisions that pass the project's own checks."""

import pytest
from sqlalchemy import create_engine, text

EXAMPLE_FILES = {
    "20251128_1300_7d2e4c6a8b10_demo_data.py",
    "20251128_1400_9a4f1b3c5d20_add_user_status.py",
    "20251128_1401_b6c8d0e2f430_backfill_user_status.py",
}


def rows(url):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT name, status FROM users ORDER BY id")).all()
    finally:
        engine.dispose()


def test_without_examples_there_are_none(bake):
    project = bake()
    assert {path.name for path in project.versions()} & EXAMPLE_FILES == set()
    assert not (project.path / "EXAMPLES.md").exists()
    assert "status" not in (project.package / "models.py").read_text()
    assert "EXAMPLES.md" not in (project.path / "README.md").read_text()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_examples_run_per_environment_and_pass_the_projects_checks(request, bake, tmp_path, backend):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'examples.sqlite3'}"
    else:
        url = request.getfixturevalue("postgresql_url")
    project = bake(database=backend, with_examples=True)
    assert {path.name for path in project.versions()} >= EXAMPLE_FILES
    assert "EXAMPLES.md" in (project.path / "README.md").read_text()
    project.ruff()
    project.pytest(env={"TEST_DATABASE_URL": url})

    dev = {"DATABASE_URL": url}
    project.alembic("upgrade", "head", env=dev)
    assert rows(url) == [("Ada (demo)", "active"), ("Grace (demo)", "active"), ("Linus (demo)", "active")]
    project.alembic("check", env=dev)
    sql = project.alembic("upgrade", "head", "--sql", env=dev).stdout
    assert "INSERT INTO users" in sql and "UPDATE users SET status" in sql
    project.alembic("downgrade", "base", env=dev)

    # Production: the same chain, without demo data.
    project.alembic("upgrade", "head", env={**dev, "APP_ENV": "prod"})
    assert rows(url) == []

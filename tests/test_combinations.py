"""Every non-default answer at once: the questions combine, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import create_engine, text

ALL_ON = {"use_async": True, "with_examples": True, "docs_language": "zh", "ci": "gitlab"}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_everything_on_bakes_passes_its_checks_and_migrates(request, bake, tmp_path, backend):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'combined.sqlite3'}"
    else:
        url = request.getfixturevalue("postgresql_url").replace("+psycopg", "")
    project = bake(database=backend, **ALL_ON)
    assert (project.path / ".gitlab-ci.yml").exists() and not (project.path / ".github").exists()
    project.ruff()
    project.pytest(env={"TEST_DATABASE_URL": url})

    env = {"DATABASE_URL": url}
    project.alembic("upgrade", "head", env=env)
    project.alembic("check", env=env)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM users WHERE status = 'active'")).scalar() == 3
    engine.dispose()
    refused = project.alembic("revision", "--autogenerate", "-m", "nothing", env=env, check=False)
    assert refused.returncode != 0 and "没有检测到任何 schema 变更" in refused.stderr
    project.alembic("downgrade", "base", env=env)

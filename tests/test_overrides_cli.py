"""Through the real `alembic` CLI: a "no" spelled any way is not an override.

`-x allow_destructive=false`, `-x allow_downgrade=0` (in production) and an
empty `-x allow_protected=` refuse exactly as no `-x` at all. The baked
project's tests/test_overrides.py tries every spelling on the functions; this
tries them where users type them.
"""

import pytest

from safety import execute, tables

EMAIL = "    email: Mapped[str | None] = mapped_column(String(100), nullable=True)\n"


@pytest.fixture
def with_email(bake, tmp_path):
    """A baked SQLite project at head with users.email, then email removed from the model."""
    project = bake()
    url = f"sqlite:///{tmp_path / 'overrides.sqlite3'}"
    env = {"DATABASE_URL": url}
    models = f"{project.context['package_name']}/models.py"
    project.edit(models, "String(50))\n", "String(50))\n" + EMAIL)
    project.alembic("upgrade", "head", env=env)
    project.alembic("revision", "--autogenerate", "-m", "add email", env=env)
    project.alembic("upgrade", "head", env=env)
    project.edit(models, EMAIL, "")
    return project, env, url


def refused_autogenerate(project, env, *x_args) -> str:
    before = project.versions()
    result = project.alembic(*x_args, "revision", "--autogenerate", "-m", "drop email", env=env, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert project.versions() == before, "a refused revision must write no file"
    return output


@pytest.mark.parametrize("value", ["false", "0", "no", "off"])
def test_allow_destructive_spelled_no_refuses(with_email, value):
    project, env, _ = with_email
    # users is protected by default: name it, so allow_destructive alone decides.
    output = refused_autogenerate(
        project, env, "-x", f"allow_destructive={value}", "-x", "allow_protected=users"
    )
    assert "Refusing to write a revision that loses data" in output
    assert "users.email: drop column" in output


def test_an_empty_allow_protected_protects(with_email):
    project, env, _ = with_email
    output = refused_autogenerate(project, env, "-x", "allow_destructive=true", "-x", "allow_protected=")
    assert "Refusing to write a revision that damages a protected table" in output
    assert "-x allow_protected=users -x allow_destructive=true" in output


@pytest.mark.parametrize("value", ["false", "0", "no", "off"])
def test_allow_downgrade_spelled_no_refuses_in_production(bake, tmp_path, value):
    project = bake()
    url = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    prod = {"DATABASE_URL": url, "APP_ENV": "prod"}
    project.alembic("upgrade", "head", env=prod)
    execute(url, "INSERT INTO users (id, name) VALUES (1, 'kept')")
    result = project.alembic("-x", f"allow_downgrade={value}", "downgrade", "base", env=prod, check=False)
    assert result.returncode != 0
    assert "Refusing to downgrade a production database" in result.stdout + result.stderr
    assert "users" in tables(url)

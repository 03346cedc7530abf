"""compose.yaml for server databases: the database, a one-shot `migrate`, the app after it; and the readiness check.

The compose file is validated against the Compose Specification's JSON schema
(vendored in check-jsonschema, no network); the readiness command runs against
the real servers.
"""

import re

import pytest
import yaml

from baked import BIN

SERVICE_IMAGES = {"postgresql": "postgres:", "mysql": "mariadb:"}
VARIABLE = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


def compose_of(project) -> dict:
    return yaml.safe_load((project.path / "compose.yaml").read_text())


@pytest.mark.parametrize("database", ["postgresql", "mysql"])
def test_compose_file_validates_and_orders_db_migrate_app(bake, database):
    project = bake(database=database)
    result = project.run(
        str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "compose.yaml"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not list(project.path.glob("compose.*.yaml")), "the unchosen compose files stay out"
    assert (project.path / "Dockerfile").exists() and (project.path / ".dockerignore").exists()
    assert ".env" in (project.path / ".dockerignore").read_text().splitlines()

    services = compose_of(project)["services"]
    db = services["db"]
    assert db["image"].startswith(SERVICE_IMAGES[database])
    assert db["healthcheck"]["test"] and db["healthcheck"]["retries"] > 0
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose_of(project)["volumes"], "the data lives in a named volume"

    # Credentials: interpolated from .env, the password required, each variable documented in .env.example.
    env_example = (project.path / ".env.example").read_text()
    text = (project.path / "compose.yaml").read_text()
    for variable in set(VARIABLE.findall(text)) - {"APP_ENV"}:
        assert f"# {variable}=" in env_example, variable
    assert re.search(r"PASSWORD:\?", text), "compose must stop when no password is set"

    migrate = services["migrate"]
    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["environment"]["DATABASE_URL"].split("@")[1].startswith("db:")
    # Every other service built from this project waits for the migration to have succeeded.
    for name, service in services.items():
        if name not in {"db", "migrate"}:
            assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name


def test_sqlite_bake_has_no_compose_file(bake):
    project = bake()
    for name in (
        "compose.yaml",
        "compose.postgresql.yaml",
        "compose.mysql.yaml",
        "Dockerfile",
        ".dockerignore",
    ):
        assert not (project.path / name).exists(), name
    assert "compose" not in (project.path / "README.md").read_text()


def test_readiness_check_fails_until_the_database_is_at_head(bake, database):
    backend, url = database
    project = bake(database=backend)
    env = {"DATABASE_URL": url}
    check = ("current", "--check-heads")

    assert project.alembic(*check, env=env, check=False).returncode != 0, "an empty database is not ready"
    project.alembic("upgrade", "head", env=env)
    assert project.alembic(*check, env=env, check=False).returncode == 0
    project.alembic("revision", "-m", "next change", env=env)  # a deploy with a revision not yet applied
    assert project.alembic(*check, env=env, check=False).returncode != 0
    project.alembic("upgrade", "head", env=env)
    assert project.alembic(*check, env=env, check=False).returncode == 0

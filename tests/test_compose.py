"""compose.yaml for server databases: the database, a one-shot `migrate`, the app after it; and the readiness check.

The compose file is validated against the Compose Specification's JSON schema
(vendored in check-jsonschema, no network); the readiness command runs against
the real servers. A password holding the characters a URL gives a meaning to
(`@`, `/`, `:`, `%`, `#`, `?`) reaches the server as it is, and compose's
MariaDB user may create the test_<database> nox's sessions use.
"""

import re
import sys
import uuid

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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
    assert migrate["command"] == ["alembic", "-x", "phase=pre", "upgrade", "heads"]
    # The post-deploy revisions run once the new code is up.
    post = services["migrate-post"]
    assert post["command"] == ["alembic", "-x", "phase=post", "upgrade", "heads"]
    assert post["depends_on"]["app"]["condition"] == "service_started"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["environment"]["DATABASE_URL"].split("@")[1].startswith("db:")
    # The password goes apart from the URL, which would need it URL-encoded.
    assert "PASSWORD" not in migrate["environment"]["DATABASE_URL"]
    assert re.fullmatch(r"\$\{\w+_PASSWORD:\?.*\}", migrate["environment"]["DATABASE_PASSWORD"])
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
    check = ("-x", "phase=pre", "current", "--check-heads")  # compose's app, as the README says

    assert project.alembic(*check, env=env, check=False).returncode != 0, "an empty database is not ready"
    project.alembic("upgrade", "head", env=env)
    assert project.alembic(*check, env=env, check=False).returncode == 0
    project.alembic("revision", "-m", "next change", env=env)  # a deploy with a revision not yet applied
    assert project.alembic(*check, env=env, check=False).returncode != 0
    project.alembic("-x", "phase=pre", "upgrade", "heads", env=env)
    assert project.alembic(*check, env=env, check=False).returncode == 0
    # A post-deploy revision waits for the new code: ready at the pre phase's heads, not at the heads.
    project.alembic("-x", "post_deploy=true", "revision", "-m", "contract", env=env)
    project.alembic("-x", "phase=pre", "upgrade", "heads", env=env)
    assert project.alembic(*check, env=env, check=False).returncode == 0
    assert project.alembic("current", "--check-heads", env=env, check=False).returncode != 0
    project.alembic("-x", "phase=post", "upgrade", "heads", env=env)
    assert project.alembic("current", "--check-heads", env=env).returncode == 0


# Every character a URL gives a meaning to, in a password.
AWKWARD_PASSWORD = "p@ss/w:rd%40#?&"
INTERPOLATION = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")


def interpolated(value: str, variables: dict[str, str]) -> str:
    """Compose's interpolation: ${NAME}, ${NAME:-default}, ${NAME:?error}."""

    def one(match):
        name, operator, rest = match.groups()
        if variables.get(name):
            return variables[name]
        assert operator == "-", f"compose stops: {rest}"
        return rest

    return INTERPOLATION.sub(one, value)


def migrate_environment(project, variables: dict[str, str], server) -> dict[str, str]:
    """What `migrate` gets from compose.yaml and .env, with `db` replaced by the test server."""
    environment = compose_of(project)["services"]["migrate"]["environment"]
    env = {key: interpolated(str(value), variables) for key, value in environment.items()}
    port = {"postgresql": 5432, "mysql": 3306}[server.get_backend_name()]
    env["DATABASE_URL"] = env["DATABASE_URL"].replace(
        f"@db:{port}/", f"@{server.host}:{server.port or port}/"
    )
    return env


def test_a_password_with_url_characters_reaches_postgresql(postgresql_url, bake):
    project = bake(database="postgresql")
    server = make_url(postgresql_url)
    variables = {"POSTGRES_USER": server.username, "POSTGRES_PASSWORD": AWKWARD_PASSWORD}
    env = migrate_environment(project, {**variables, "POSTGRES_DB": server.database}, server)
    assert AWKWARD_PASSWORD not in env["DATABASE_URL"]

    # The command `migrate` runs, and the password as the project's settings read it.
    project.alembic("upgrade", "head", env=env)
    assert project.alembic("current", env=env).stdout.startswith("5f3a9c2e1b7d (head)")
    read = project.run(
        sys.executable,
        "-c",
        f"from {project.context['package_name']}.settings import database_url; print(database_url().password)",
        env=env,
        check=True,
    )
    assert read.stdout.strip() == AWKWARD_PASSWORD


def test_the_mariadb_user_connects_with_any_password_and_may_make_the_test_database(mysql_url, bake):
    # MariaDB checks the password: a user of compose's kind, with the password in DATABASE_PASSWORD.
    project = bake(database="mysql")
    server = make_url(mysql_url)
    user = f"cca_{uuid.uuid4().hex[:8]}"
    variables = {"MYSQL_USER": user, "MYSQL_PASSWORD": AWKWARD_PASSWORD, "MYSQL_DATABASE": server.database}
    admin = create_engine(mysql_url)
    grant = interpolated(compose_of(project)["configs"]["test-database-grant"]["content"], variables)
    try:
        with admin.begin() as connection:
            connection.execute(
                text("CREATE USER :user@'%' IDENTIFIED BY :password"),
                {"user": user, "password": AWKWARD_PASSWORD},
            )
            # What the MariaDB image grants MARIADB_USER, then compose's init script.
            connection.execute(
                text(f"GRANT ALL PRIVILEGES ON `{server.database}`.* TO :user@'%'"), {"user": user}
            )
            connection.execute(text(grant.strip().rstrip(";")))
        env = migrate_environment(project, variables, server)
        project.alembic("upgrade", "head", env=env)
        # nox, as that user: test_<database> is created, used and dropped.
        result = project.run(str(BIN / "nox"), "--no-color", "-s", "check", env=env, check=True, timeout=1200)
        assert f"dropped test_{server.database}" in result.stdout + result.stderr
    finally:
        with admin.begin() as connection:
            connection.execute(text("DROP USER IF EXISTS :user@'%'"), {"user": user})
        admin.dispose()

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from {{ cookiecutter.package_name }} import settings
from {{ cookiecutter.package_name }}.settings import SettingsError, database_url, environment_name, load_settings

PROJECT = Path(__file__).resolve().parent.parent
# What the messages say, in the project's language (settings.LANGUAGE, alembic.ini's `language`).
SAYS = {
    "en": {
        "not_set": "DATABASE_URL is not set",
        "invalid": "DATABASE_URL is not a valid database URL",
        "unknown_environment": "APP_ENV='qa' is not a known environment",
        "cannot_connect": "cannot connect to the database in DATABASE_URL",
        "unknown_backend": "'postgresq', which is not a database SQLAlchemy knows",
        "unknown_driver": "driver 'pymsql', which SQLAlchemy does not know",
        "not_installed": "{driver} driver, which is not installed",
        "wrong_kind": "but this project is",
        "no_database": "DATABASE_URL names no database",
        "two_ats": "an '@' in the password must be URL-encoded as %40",
    },
    "zh": {
        "not_set": "没有设置 DATABASE_URL",
        "invalid": "DATABASE_URL 不是有效的数据库 URL",
        "unknown_environment": "APP_ENV='qa' 不是已知的环境",
        "cannot_connect": "无法连接 DATABASE_URL 中的数据库",
        "unknown_backend": "DATABASE_URL 以 'postgresq' 开头，这不是 SQLAlchemy 认识的数据库",
        "unknown_driver": "指定的驱动 'pymsql' 不是 SQLAlchemy 认识的 mysql 驱动",
        "not_installed": "需要 {driver} 驱动，但它没有安装",
        "wrong_kind": "但本项目是",
        "no_database": "DATABASE_URL 没有指定数据库",
        "two_ats": "密码中的 '@' 必须 URL 编码为 %40",
    },
}[settings.LANGUAGE]
SECRET = "s3cr%t@:/#?pw"
ENCODED_SECRET = "s3cr%25t%40%3A%2F%23%3Fpw"


@pytest.fixture(autouse=True)
def no_dotenv(tmp_path, monkeypatch):
    """Keep a developer's own .env out of these tests."""
    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path)


# Literal driver names, not settings.DRIVER_FOR_SCHEME: on SQLAlchemy 2.0 a
# plain `postgresql` means psycopg2, which this project does not install.
@pytest.mark.parametrize(
    ("given", "sync_driver", "async_driver"),
    [
        ("postgres://u:p@db.example.com:5432/app", "postgresql+psycopg", "postgresql+asyncpg"),
        ("postgresql://u:p@db.example.com/app", "postgresql+psycopg", "postgresql+asyncpg"),
        ("mysql://u:p@db.example.com/app", "mysql+pymysql", "mysql+aiomysql"),
        ("mariadb://u:p@db.example.com/app", "mariadb+pymysql", "mariadb+aiomysql"),
        ("sqlite:///relative.sqlite3", "sqlite", "sqlite+aiosqlite"),
    ],
)
def test_hosting_provider_urls_get_this_projects_driver(given, sync_driver, async_driver):
    url = database_url({"DATABASE_URL": given})
    assert url.drivername == (async_driver if settings.USE_ASYNC else sync_driver)
    # An async project gets asyncio drivers, a sync one blocking drivers.
    assert url.get_dialect().is_async == settings.USE_ASYNC


def test_an_explicit_driver_is_kept():
    explicit = "postgresql+psycopg_async" if settings.USE_ASYNC else "postgresql+psycopg"
    assert database_url({"DATABASE_URL": f"{explicit}://u:p@h/app"}).drivername == explicit


def test_url_encoded_password_survives_intact():
    url = database_url({"DATABASE_URL": f"postgresql://app:{ENCODED_SECRET}@db.example.com:5432/app"})
    assert url.password == SECRET
    assert url.host == "db.example.com"
    assert url.database == "app"


def test_dotenv_is_read_but_never_overrides_the_environment(tmp_path):
    (tmp_path / ".env").write_text("DATABASE_URL=postgresql://from-dotenv/app\nAPP_ENV=staging\n")
    assert database_url({}).host == "from-dotenv"
    assert database_url({"DATABASE_URL": "postgresql://from-env/app"}).host == "from-env"
    assert environment_name({}) == "staging"


def test_missing_url_is_an_error_naming_the_variable_outside_sqlite_dev():
    if settings.DEFAULT_BACKEND == "sqlite":
        assert database_url({}).get_backend_name() == "sqlite"
    for environment in ("staging", "prod") + (() if settings.DEFAULT_BACKEND == "sqlite" else ("dev",)):
        with pytest.raises(SettingsError, match=SAYS["not_set"]):
            database_url({}, environment=environment)


def test_malformed_url_names_the_variable_and_hides_the_value():
    with pytest.raises(SettingsError, match=SAYS["invalid"]) as error:
        database_url({"DATABASE_URL": f"not a url {SECRET}"})
    assert SECRET not in str(error.value)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "dev"),
        ({"APP_ENV": "production"}, "prod"),
        ({"APP_ENV": "development"}, "dev"),
        ({"APP_ENV": "staging"}, "staging"),
        ({"APP_ENV": "dev", "ALEMBIC_ENV": "prod"}, "prod"),
    ],
)
def test_environment_name_for_migrations(environ, expected):
    assert environment_name(environ, for_migrations=True) == expected


def test_alembic_env_only_counts_for_migrations():
    assert environment_name({"APP_ENV": "dev", "ALEMBIC_ENV": "prod"}) == "dev"


def test_unknown_environment_is_refused():
    with pytest.raises(SettingsError, match=SAYS["unknown_environment"]):
        environment_name({"APP_ENV": "qa"})


def test_safe_url_masks_the_password():
    loaded = load_settings({"DATABASE_URL": f"postgresql://app:{ENCODED_SECRET}@db/app"})
    assert SECRET not in loaded.safe_url and ENCODED_SECRET not in loaded.safe_url
    assert make_url(loaded.safe_url).password == "***"


def run_alembic(*args, **env):
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=PROJECT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"postgresql://app:{ENCODED_SECRET}@127.0.0.1:1/app", SAYS["cannot_connect"]),
        (f"mysql://app:{ENCODED_SECRET}@127.0.0.1:1/app", SAYS["cannot_connect"]),
        (f"nonsense {SECRET}", SAYS["invalid"]),
    ],
)
def test_alembic_reports_bad_urls_in_one_line_without_the_password(url, expected):
    result = run_alembic("current", DATABASE_URL=url)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert expected in output
    assert "Traceback" not in output
    assert SECRET not in output and ENCODED_SECRET not in output
    assert len([line for line in output.splitlines() if line.strip()]) == 1, output


def test_alembic_reports_a_missing_url_outside_dev():
    result = run_alembic("current", APP_ENV="prod", DATABASE_URL="")
    assert result.returncode != 0
    assert SAYS["not_set"] in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


OTHER_KIND_OF_DRIVER = "postgresql+psycopg" if settings.USE_ASYNC else "postgresql+asyncpg"
# A driver SQLAlchemy knows, of this project's kind, that the project does not install.
UNINSTALLED = ("mysql+asyncmy", "asyncmy") if settings.USE_ASYNC else ("mysql+mysqldb", "MySQLdb")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresq://app:{secret}@db/app", SAYS["unknown_backend"]),
        ("mysql+pymsql://app:{secret}@db/app", SAYS["unknown_driver"]),
        (UNINSTALLED[0] + "://app:{secret}@db/app", SAYS["not_installed"].format(driver=UNINSTALLED[0])),
        (OTHER_KIND_OF_DRIVER + "://app:{secret}@db/app", SAYS["wrong_kind"]),
        ("mysql://app:{secret}@db:3306", SAYS["no_database"]),
        ("mysql://app:{secret}@db:3306/", SAYS["no_database"]),
        ("postgresql://app:Summer@{secret}@db/app", SAYS["two_ats"]),
    ],
)
def test_urls_this_project_cannot_use_are_refused_in_one_line(url, expected):
    if url.startswith(UNINSTALLED[0]) and importlib.util.find_spec(UNINSTALLED[1]) is not None:
        pytest.skip(f"{UNINSTALLED[1]} is installed here: that URL is usable")
    with pytest.raises(SettingsError, match=re.escape(expected)) as error:
        database_url({"DATABASE_URL": url.format(secret="s3cret")})
    message = str(error.value)
    assert "s3cret" not in message and "Summer" not in message
    assert "\n" not in message


def test_disagreeing_environments_are_reported_only_around_prod():
    assert settings.disagreeing_environments({"APP_ENV": "prod", "ALEMBIC_ENV": "dev"}) == ("prod", "dev")
    assert settings.disagreeing_environments({"APP_ENV": "dev", "ALEMBIC_ENV": "production"}) == (
        "dev",
        "production",
    )
    assert settings.disagreeing_environments({"APP_ENV": "production", "ALEMBIC_ENV": "prod"}) is None
    assert settings.disagreeing_environments({"APP_ENV": "dev", "ALEMBIC_ENV": "staging"}) is None
    assert settings.disagreeing_environments({"APP_ENV": "prod"}) is None


def test_alembic_refuses_a_url_in_alembic_ini(tmp_path):
    ini = (PROJECT / "alembic.ini").read_text()
    config = tmp_path / "alembic.ini"
    config.write_text(
        ini.replace("[alembic]\n", "[alembic]\nsqlalchemy.url = sqlite:///x.db\n", 1).replace(
            "%(here)s", str(PROJECT)
        )
    )
    result = run_alembic("-c", str(config), "current", DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite3'}")
    assert result.returncode != 0
    # On stderr, as every error of a command: never in the SQL `--sql` writes to stdout.
    assert "sqlalchemy.url" in result.stderr and "DATABASE_URL" in result.stderr
    assert not result.stdout.strip()
    assert "Traceback" not in result.stdout + result.stderr

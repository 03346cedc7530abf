"""Settings read from the environment: the database URL and the environment name.

Values come from the process environment first, then from a `.env` file at the
project root (which never overrides the real environment). Every problem is a
`SettingsError` with a one-line message that names the variable and the fix,
and never contains the database password.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The database this project was baked for; only SQLite has a zero-setup default.
DEFAULT_BACKEND = "{{ cookiecutter.database }}"
DEV_SQLITE_FILE = PROJECT_ROOT / "{{ cookiecutter.package_name }}.sqlite3"

# Whether the application talks to the database through asyncio drivers.
USE_ASYNC = {{ cookiecutter.use_async }}

# Hosting providers hand out bare `postgres://` or `mysql://` URLs; SQLAlchemy
# would pick psycopg2 / MySQLdb for them, which this project does not install.
DRIVER_FOR_SCHEME = {
    False: {
        "postgres": "postgresql+psycopg",
        "postgresql": "postgresql+psycopg",
        "mysql": "mysql+pymysql",
        "mariadb": "mariadb+pymysql",
        "sqlite": "sqlite",
    },
    True: {
        "postgres": "postgresql+asyncpg",
        "postgresql": "postgresql+asyncpg",
        "mysql": "mysql+aiomysql",
        "mariadb": "mariadb+aiomysql",
        "sqlite": "sqlite+aiosqlite",
    },
}[USE_ASYNC]

ENVIRONMENT_ALIASES = {
    "dev": "dev",
    "development": "dev",
    "test": "test",
    "staging": "staging",
    "prod": "prod",
    "production": "prod",
}
EXAMPLE_URLS = {
    "sqlite": "sqlite:///./app.sqlite3",
    "postgresql": "postgresql://user:password@localhost:5432/dbname",
    "mysql": "mysql://user:password@localhost:3306/dbname",
}


class SettingsError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: URL
    environment: str

    @property
    def safe_url(self) -> str:
        """The URL with its password masked, for messages and logs."""
        return self.database_url.render_as_string(hide_password=True)


def read_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment layered over the project's `.env` file."""
    values = {}
    dotenv_file = PROJECT_ROOT / ".env"
    if dotenv_file.is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return values


def environment_name(environ: Mapping[str, str] | None = None, *, for_migrations: bool = False) -> str:
    """`dev`, `test`, `staging` or `prod`, from APP_ENV (ALEMBIC_ENV wins for migrations)."""
    env = read_environment(environ)
    variable = "APP_ENV"
    if for_migrations and env.get("ALEMBIC_ENV"):
        variable = "ALEMBIC_ENV"
    raw = env.get(variable, "").strip() or "dev"
    try:
        return ENVIRONMENT_ALIASES[raw.lower()]
    except KeyError:
        known = ", ".join(sorted(set(ENVIRONMENT_ALIASES.values())))
        raise SettingsError(
            f"{variable}={raw!r} is not a known environment; set it to one of: {known}"
        ) from None


def database_url(environ: Mapping[str, str] | None = None, *, environment: str = "dev") -> URL:
    """The SQLAlchemy URL from DATABASE_URL, with bare schemes mapped to this project's drivers."""
    raw = read_environment(environ).get("DATABASE_URL", "").strip()
    if not raw:
        if DEFAULT_BACKEND == "sqlite" and environment == "dev":
            return URL.create(DRIVER_FOR_SCHEME["sqlite"], database=str(DEV_SQLITE_FILE))
        raise SettingsError(
            f"DATABASE_URL is not set (required in the {environment!r} environment); "
            f"export DATABASE_URL={EXAMPLE_URLS[DEFAULT_BACKEND]} or put it in .env"
        )
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        raise SettingsError(
            "DATABASE_URL is not a valid database URL; expected "
            f"dialect://user:password@host:port/dbname, e.g. {EXAMPLE_URLS[DEFAULT_BACKEND]} "
            "(URL-encode special characters in the password)"
        ) from None
    driver = DRIVER_FOR_SCHEME.get(url.drivername)
    return url.set(drivername=driver) if driver else url


def load_settings(environ: Mapping[str, str] | None = None, *, for_migrations: bool = False) -> Settings:
    environment = environment_name(environ, for_migrations=for_migrations)
    return Settings(database_url(environ, environment=environment), environment)

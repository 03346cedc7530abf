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


def disagreeing_environments(environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """(APP_ENV, ALEMBIC_ENV) as written, when both are set, differ, and one of them is prod."""
    env = read_environment(environ)
    app_env, alembic_env = env.get("APP_ENV", "").strip(), env.get("ALEMBIC_ENV", "").strip()
    if not app_env or not alembic_env:
        return None
    names = {
        ENVIRONMENT_ALIASES.get(app_env.lower(), app_env),
        ENVIRONMENT_ALIASES.get(alembic_env.lower(), alembic_env),
    }
    return (app_env, alembic_env) if len(names) == 2 and "prod" in names else None


def database_url(environ: Mapping[str, str] | None = None, *, environment: str = "dev") -> URL:
    """The SQLAlchemy URL from DATABASE_URL, with bare schemes mapped to this project's drivers.

    DATABASE_PASSWORD, when set, is the password of a DATABASE_URL that has none, taken as it
    is: no character of it needs URL-encoding (compose.yaml passes the password this way).
    """
    env = read_environment(environ)
    raw = env.get("DATABASE_URL", "").strip()
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
    if "@" in (url.host or ""):
        # SQLAlchemy splits at the first "@": the rest of the password became the host.
        raise SettingsError(
            "DATABASE_URL has more than one '@' before the host: an '@' in the password must be "
            "URL-encoded as %40 (e.g. postgresql://app:p%40ss@host/dbname)"
        )
    if url.password is None and env.get("DATABASE_PASSWORD"):
        url = url.set(password=env["DATABASE_PASSWORD"])
    driver = DRIVER_FOR_SCHEME.get(url.drivername)
    url = url.set(drivername=driver) if driver else url
    check_driver(url)
    return url


def _use_ours(backend: str) -> str:
    ours = DRIVER_FOR_SCHEME.get(backend)
    if ours is None:
        known = ", ".join(f"{scheme}://" for scheme in EXAMPLE_URLS)
        return f"use one of {known} (e.g. {EXAMPLE_URLS[DEFAULT_BACKEND]})"
    return f"write {backend}:// to use this project's driver ({ours})"


def check_driver(url: URL) -> None:
    """Refuse a URL this project cannot connect with, before SQLAlchemy's traceback would.

    An unknown database or driver name, a driver that is not installed, a
    blocking driver in an asyncio project (or the reverse), and a MySQL URL
    without a database name (SQLAlchemy fails later with a bare AssertionError).
    """
    backend, _, driver = url.drivername.partition("+")
    try:
        dialect = url.get_dialect()
    except ArgumentError:  # NoSuchModuleError: no such dialect or driver
        if backend not in DRIVER_FOR_SCHEME:
            raise SettingsError(
                f"DATABASE_URL starts with {backend!r}, which is not a database SQLAlchemy knows; "
                + _use_ours(backend)
            ) from None
        raise SettingsError(
            f"DATABASE_URL names the driver {driver!r}, which SQLAlchemy does not know for {backend}; "
            + _use_ours(backend)
        ) from None
    if dialect.is_async != USE_ASYNC:
        kind, project = ("an asyncio", "synchronous") if dialect.is_async else ("a blocking", "asyncio")
        raise SettingsError(
            f"DATABASE_URL names {kind} driver ({url.drivername}) but this project is {project} "
            f"(baked with use_async={str(USE_ASYNC).lower()}); " + _use_ours(backend)
        )
    try:
        dialect.import_dbapi()
    except ImportError as error:
        raise SettingsError(
            f"DATABASE_URL needs the {url.drivername} driver, which is not installed ({error}); "
            + _use_ours(backend)
            + ", or install that driver"
        ) from None
    if url.get_backend_name() in ("mysql", "mariadb") and not url.database:
        raise SettingsError(
            "DATABASE_URL names no database: MySQL/MariaDB need one after the host, "
            f"e.g. {EXAMPLE_URLS['mysql']}"
        )


def load_settings(environ: Mapping[str, str] | None = None, *, for_migrations: bool = False) -> Settings:
    environment = environment_name(environ, for_migrations=for_migrations)
    return Settings(database_url(environ, environment=environment), environment)

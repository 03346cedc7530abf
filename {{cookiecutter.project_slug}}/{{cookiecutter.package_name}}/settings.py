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


# The language of every SettingsError: the one the project was baked with (docs_language).
LANGUAGE = "{{ cookiecutter.docs_language }}"
MESSAGES = {
    "en": {
        "unknown_environment": "{variable}={raw!r} is not a known environment; set it to one of: {known}",
        "not_set": (
            "DATABASE_URL is not set (required in the {environment!r} environment); "
            "export DATABASE_URL={example} or put it in .env"
        ),
        "invalid": (
            "DATABASE_URL is not a valid database URL; expected dialect://user:password@host:port/dbname, "
            "e.g. {example} (URL-encode special characters in the password)"
        ),
        "two_ats": (
            "DATABASE_URL has more than one '@' before the host: an '@' in the password must be "
            "URL-encoded as %40 (e.g. postgresql://app:p%40ss@host/dbname)"
        ),
        "use_one_of": "use one of {known} (e.g. {example})",
        "use_ours": "write {backend}:// to use this project's driver ({ours})",
        "unknown_backend": "DATABASE_URL starts with {backend!r}, which is not a database SQLAlchemy knows; ",
        "unknown_driver": "DATABASE_URL names the driver {driver!r}, which SQLAlchemy does not know for {backend}; ",
        "wrong_kind": (
            "DATABASE_URL names {kind} driver ({drivername}) but this project is {project} "
            "(baked with use_async={flag}); "
        ),
        "async_kind": "an asyncio",
        "blocking_kind": "a blocking",
        "async_project": "asyncio",
        "sync_project": "synchronous",
        "not_installed": "DATABASE_URL needs the {drivername} driver, which is not installed ({error}); ",
        "or_install": ", or install that driver",
        "no_database": (
            "DATABASE_URL names no database: MySQL/MariaDB need one after the host, e.g. {example}"
        ),
    },
    "zh": {
        "unknown_environment": "{variable}={raw!r} 不是已知的环境；请设为以下之一：{known}",
        "not_set": (
            "没有设置 DATABASE_URL（{environment!r} 环境必须设置）；"
            "请 export DATABASE_URL={example}，或者写入 .env"
        ),
        "invalid": (
            "DATABASE_URL 不是有效的数据库 URL；格式应为 dialect://user:password@host:port/dbname，"
            "例如 {example}（密码中的特殊字符需要 URL 编码）"
        ),
        "two_ats": (
            "DATABASE_URL 在主机名之前有不止一个 '@'：密码中的 '@' 必须 URL 编码为 %40"
            "（例如 postgresql://app:p%40ss@host/dbname）"
        ),
        "use_one_of": "请使用 {known} 之一（例如 {example}）",
        "use_ours": "请写成 {backend}://，以使用本项目的驱动（{ours}）",
        "unknown_backend": "DATABASE_URL 以 {backend!r} 开头，这不是 SQLAlchemy 认识的数据库；",
        "unknown_driver": "DATABASE_URL 指定的驱动 {driver!r} 不是 SQLAlchemy 认识的 {backend} 驱动；",
        "wrong_kind": "DATABASE_URL 指定的是{kind}驱动（{drivername}），但本项目是{project}的（生成时 use_async={flag}）；",
        "async_kind": "异步（asyncio）",
        "blocking_kind": "同步（阻塞）",
        "async_project": "异步（asyncio）",
        "sync_project": "同步",
        "not_installed": "DATABASE_URL 需要 {drivername} 驱动，但它没有安装；",
        "or_install": "，或者安装该驱动",
        "no_database": "DATABASE_URL 没有指定数据库：MySQL/MariaDB 需要在主机之后写上数据库名，例如 {example}",
    },
}


def say(key: str, **values: object) -> str:
    """The message `key` in the project's language, with `values` filled in."""
    return MESSAGES[LANGUAGE][key].format(**values)


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
        raise SettingsError(say("unknown_environment", variable=variable, raw=raw, known=known)) from None


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
        raise SettingsError(say("not_set", environment=environment, example=EXAMPLE_URLS[DEFAULT_BACKEND]))
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        raise SettingsError(say("invalid", example=EXAMPLE_URLS[DEFAULT_BACKEND])) from None
    if "@" in (url.host or ""):
        # SQLAlchemy splits at the first "@": the rest of the password became the host.
        raise SettingsError(say("two_ats"))
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
        return say("use_one_of", known=known, example=EXAMPLE_URLS[DEFAULT_BACKEND])
    return say("use_ours", backend=backend, ours=ours)


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
            raise SettingsError(say("unknown_backend", backend=backend) + _use_ours(backend)) from None
        raise SettingsError(
            say("unknown_driver", driver=driver, backend=backend) + _use_ours(backend)
        ) from None
    if dialect.is_async != USE_ASYNC:
        kind, project = (
            ("async_kind", "sync_project") if dialect.is_async else ("blocking_kind", "async_project")
        )
        raise SettingsError(
            say(
                "wrong_kind",
                kind=say(kind),
                drivername=url.drivername,
                project=say(project),
                flag=str(USE_ASYNC).lower(),
            )
            + _use_ours(backend)
        )
    try:
        dialect.import_dbapi()
    except ImportError as error:
        raise SettingsError(
            say("not_installed", drivername=url.drivername, error=error)
            + _use_ours(backend)
            + say("or_install")
        ) from None
    if url.get_backend_name() in ("mysql", "mariadb") and not url.database:
        raise SettingsError(say("no_database", example=EXAMPLE_URLS["mysql"]))


def load_settings(environ: Mapping[str, str] | None = None, *, for_migrations: bool = False) -> Settings:
    environment = environment_name(environ, for_migrations=for_migrations)
    return Settings(database_url(environ, environment=environment), environment)

"""Fixtures for the template's tests: baking, and throwaway server databases.

Server tests read TEST_POSTGRES_URL and TEST_MYSQL_URL (an account that may
create databases). Unset, they skip and say how to enable them; under CI
(CI=true) an unset or unreachable server fails the test instead.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url

from baked import BakedProject

TEMPLATE = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"
SERVERS = {
    "postgresql": ("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mysql": ("TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}


def pytest_configure(config):
    # pytest-cookies bakes `--template`, "." by default: make it this template
    # from wherever pytest is started.
    config.option.template = str(TEMPLATE)
    # pytest-cookies renders the answers itself, outside cookiecutter's own import path for
    # the template: the template's Jinja extension (local_extensions.py) must be importable.
    if str(TEMPLATE) not in sys.path:
        sys.path.append(str(TEMPLATE))


def bake_project(cookies, **answers) -> BakedProject:
    result = cookies.bake(extra_context=answers)
    assert result.exception is None, result.exception
    assert result.exit_code == 0
    return BakedProject(Path(result.project_path), result.context)


@pytest.fixture
def bake(cookies):
    """bake(**answers) -> a freshly baked BakedProject of its own."""
    return lambda **answers: bake_project(cookies, **answers)


def _unavailable(message: str):
    if IN_CI:
        pytest.fail(f"{message} (CI=true: server tests must run)")
    pytest.skip(message)


def _admin_url(backend: str):
    variable, example = SERVERS[backend]
    raw = os.environ.get(variable)
    if not raw:
        _unavailable(f"{variable} is not set; export {variable}={example} to run the {backend} tests")
    url = make_url(raw)
    driver = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql"}[backend]
    return url.set(drivername=driver) if "+" not in url.drivername else url


def throwaway_database(backend: str):
    """Create a database of its own on the server; yield its URL; drop it."""
    admin_url = _admin_url(backend)
    name = f"cca_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    except Exception as error:  # noqa: BLE001 - any failure to reach the server
        admin.dispose()
        _unavailable(f"cannot use the {backend} server at {admin_url}: {str(error).splitlines()[0]}")
    try:
        yield url_string(admin_url.set(database=name))
    finally:
        with admin.connect() as connection:
            drop = f"DROP DATABASE IF EXISTS {name}"
            connection.execute(text(drop + (" WITH (FORCE)" if backend == "postgresql" else "")))
        admin.dispose()


@pytest.fixture
def postgresql_url():
    yield from throwaway_database("postgresql")


@pytest.fixture
def mysql_url():
    yield from throwaway_database("mysql")


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def database(request, tmp_path):
    """(backend, URL) for each backend: a scratch SQLite file or a throwaway server database."""
    backend = request.param
    if backend == "sqlite":
        yield backend, f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    generator = throwaway_database(backend)
    url = next(generator)
    try:
        yield backend, url
    finally:
        next(generator, None)


def url_string(url) -> str:
    return url.render_as_string(hide_password=False)


def empty_database(backend: str, url: str) -> None:
    """Drop every table (PostgreSQL: the whole public schema, sequences and types with it)."""
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        if backend == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            metadata = MetaData()
            metadata.reflect(connection)
            if backend == "mysql":
                connection.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
            metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()

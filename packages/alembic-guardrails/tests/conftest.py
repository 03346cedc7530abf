"""Fixtures for the library's tests: the database they run on, and a naming convention.

The database is TEST_DATABASE_URL when it is set (a database the tests may empty: every
table in it is dropped after each test), else a scratch SQLite file.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import make_url

# Sync drivers for bare URLs, as the tests hand revisions a sync Connection.
DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg", "mysql": "mysql+pymysql"}


def _server_admin(url: Any) -> Any:
    """An AUTOCOMMIT engine on the server's database, for CREATE/DROP DATABASE."""
    return create_engine(url, isolation_level="AUTOCOMMIT")


def _worker_url(raw: str, worker: str) -> Any:
    url = make_url(raw)
    if "+" not in url.drivername and url.drivername in DRIVERS:
        url = url.set(drivername=DRIVERS[url.drivername])
    return url.set(database=f"{url.database}_{worker}")


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, each worker gets a database of its own on the server (`<db>_gw0`, ...):
    the tests empty the database they run on after each test."""
    raw, worker = os.environ.get("TEST_DATABASE_URL"), os.environ.get("PYTEST_XDIST_WORKER")
    if not raw or not worker:
        return
    own = _worker_url(raw, worker)
    _worker_database(raw, own, create=True)
    WORKER_DATABASE.append((raw, own))
    os.environ["TEST_DATABASE_URL"] = own.render_as_string(hide_password=False)


def pytest_unconfigure(config: pytest.Config) -> None:
    for raw, own in WORKER_DATABASE:
        _worker_database(raw, own, create=False)


WORKER_DATABASE: list[tuple[str, Any]] = []


def _worker_database(raw: str, own: Any, *, create: bool) -> None:
    """Drop the worker's database (left by a run that was killed), then create it if asked."""
    admin = _server_admin(make_url(raw).set(drivername=own.drivername))
    name = own.database
    postgresql = own.get_backend_name() == "postgresql"
    with admin.connect() as connection:
        if postgresql:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        if create:
            connection.exec_driver_sql(
                f'CREATE DATABASE "{name}"' if postgresql else f"CREATE DATABASE `{name}`"
            )
    admin.dispose()


def _constraint_name_or_column_0_name(constraint: Any, table: Any) -> str:
    if isinstance(constraint.name, str) and constraint.name:
        return constraint.name
    return str(next(iter(constraint.columns)).name)


# The convention the template bakes (schema.py): unnamed CHECKs named after their column.
NAMING_CONVENTION: dict[str, Any] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name_or_column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "constraint_name_or_column_0_name": _constraint_name_or_column_0_name,
}


@pytest.fixture
def alembic_engine(tmp_path):
    raw = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'guardrails.sqlite3'}"
    url = make_url(raw)
    if "+" not in url.drivername and url.drivername in DRIVERS:
        url = url.set(drivername=DRIVERS[url.drivername])
    engine = create_engine(url)
    yield engine
    with engine.begin() as connection:
        leftovers = MetaData()
        leftovers.reflect(connection)
        leftovers.drop_all(connection)
    engine.dispose()

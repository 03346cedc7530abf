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

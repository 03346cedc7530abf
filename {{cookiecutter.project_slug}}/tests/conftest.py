import os

import pytest
from sqlalchemy import MetaData, create_engine

from {{ cookiecutter.package_name }}.settings import database_url


@pytest.fixture
def alembic_engine(tmp_path):
    """The database pytest-alembic migrates: TEST_DATABASE_URL, or a scratch SQLite file.

    TEST_DATABASE_URL must name a database the tests may empty: every table in
    it is dropped after each test.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engine = create_engine(database_url({"DATABASE_URL": url}))
    else:
        engine = create_engine(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
    yield engine
    leftovers = MetaData()
    leftovers.reflect(engine)
    leftovers.drop_all(engine)
    engine.dispose()

import asyncio
import os

import pytest
from sqlalchemy import MetaData, create_engine

from {{ cookiecutter.package_name }}.settings import database_url


def _drop_everything(connection):
    leftovers = MetaData()
    leftovers.reflect(connection)
    leftovers.drop_all(connection)


@pytest.fixture
def alembic_engine(tmp_path):
    """The database pytest-alembic migrates: TEST_DATABASE_URL, or a scratch SQLite file.

    TEST_DATABASE_URL must name a database the tests may empty: every table in
    it is dropped after each test.
    """
    raw = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    url = database_url({"DATABASE_URL": raw})
    if url.get_dialect().is_async:
        # pytest-alembic runs an AsyncEngine the way Alembic's async template does.
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(url)
        yield engine

        async def clean_up():
            async with engine.begin() as connection:
                await connection.run_sync(_drop_everything)
            await engine.dispose()

        asyncio.run(clean_up())
        return
    engine = create_engine(url)
    yield engine
    with engine.begin() as connection:
        _drop_everything(connection)
    engine.dispose()

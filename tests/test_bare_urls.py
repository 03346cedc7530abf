"""The bare URLs hosting providers hand out work as they are: `postgres://...`, `mysql://...`.

`alembic upgrade head` with such a DATABASE_URL connects through the driver the
project installs (psycopg, PyMySQL; asyncpg when baked with use_async) and
builds the schema. SQLAlchemy alone would pick psycopg2 or MySQLdb, which are
not installed, or reject `postgres` outright.
"""

import pytest
from sqlalchemy.engine import make_url

from safety import query, tables

CASES = [
    ("postgresql", "postgres", False),
    ("postgresql", "postgres", True),
    ("mysql", "mysql", False),
]


@pytest.mark.parametrize(("backend", "scheme", "use_async"), CASES)
def test_alembic_upgrades_through_a_bare_provider_url(request, bake, backend, scheme, use_async):
    url = request.getfixturevalue(f"{backend}_url")
    bare = make_url(url).set(drivername=scheme).render_as_string(hide_password=False)
    assert bare.startswith(f"{scheme}://")
    project = bake(database=backend, use_async=use_async)

    result = project.alembic("upgrade", "head", env={"DATABASE_URL": bare})
    assert "Running upgrade  -> 5f3a9c2e1b7d" in result.stderr
    assert "users" in tables(url)
    assert query(url, "SELECT version_num FROM alembic_version") == [("5f3a9c2e1b7d",)]

"""What `nox -s roundtrip` does, judged from its output and the database afterwards.

Exit codes alone cannot tell a roundtrip from an upgrade: every revision must
be seen downgraded and upgraded again, and whenever the chain starts again
from base the schema must hold nothing but alembic_version. A revision that
fails stops the session and, SQLite DDL being transactional here, leaves the
database at the last good revision with nothing of the failed one.

Both DATABASE_URL and TEST_DATABASE_URL name the same throwaway database, so
the test holds whichever one the session reads.
"""

import re

import pytest
from test_nox_sessions import nox

from safety import current, query, tables, write_revision

FIRST = "alembic/versions/20251128_1234_5f3a9c2e1b7d_create_users_table.py"
# The first revision says which tables exist when it starts: the schema at base.
AT_BASE = '    print("TABLES AT BASE:", sorted(sa.inspect(op.get_bind()).get_table_names()))\n'
HALF_WAY = """
op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
op.execute("INSERT INTO half_done (id) VALUES (1)")
op.execute("SELECT * FROM no_such_table")
"""


def chain(project, env) -> list[tuple[str, str]]:
    """(down_revision, revision) for every revision, from `alembic history`."""
    history = project.alembic("history", env=env).stdout
    pairs = re.findall(r"^(\S+) -> (\w+)", history, re.MULTILINE)
    return [("" if down == "<base>" else down, revision) for down, revision in pairs]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_roundtrip_downgrades_every_revision_to_an_empty_schema_and_back(request, bake, tmp_path, backend):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    else:
        url = request.getfixturevalue("postgresql_url")
    project = bake(database=backend, with_examples=True)
    project.edit(
        FIRST, '    op.create_table(\n        "users",', AT_BASE + '    op.create_table(\n        "users",'
    )
    env = {"DATABASE_URL": url, "TEST_DATABASE_URL": url}
    revisions = chain(project, env)
    assert len(revisions) == 4

    result = nox(project, "roundtrip", env=env)
    output = result.stdout + result.stderr
    for down, revision in revisions:
        upgrades = output.count(f"Running upgrade {down} -> {revision}")
        downgrades = output.count(f"Running downgrade {revision} -> {down}")
        # Down to base and up again at least once, then down and up on its own.
        assert upgrades >= 2 and downgrades >= 2, (revision, upgrades, downgrades)
    at_base = re.findall(r"TABLES AT BASE: (\[.*\])", output)
    assert len(at_base) >= 3, "the chain was never started again from base"
    assert set(at_base) <= {"[]", "['alembic_version']"}, at_base
    assert current(project, env) == revisions[0][1]  # history lists the head first


def test_a_failed_revision_in_roundtrip_leaves_sqlite_at_the_last_good_revision(bake, tmp_path):
    url = f"sqlite:///{tmp_path / 'failed.sqlite3'}"
    project = bake()
    write_revision(
        project, "good0001", "5f3a9c2e1b7d", 'op.create_table("good", sa.Column("id", sa.Integer))'
    )
    write_revision(project, "bad00001", "good0001", HALF_WAY, 'op.drop_table("half_done")')
    env = {"DATABASE_URL": url, "TEST_DATABASE_URL": url}

    result = nox(project, "roundtrip", env=env, check=False)
    assert result.returncode != 0
    assert "no_such_table" in result.stdout + result.stderr
    assert query(url, "SELECT version_num FROM alembic_version") == [("good0001",)]
    assert tables(url) == {"alembic_version", "users", "good"}

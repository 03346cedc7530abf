"""A revision that fails half-way: the database stays at the last good revision, and says so.

Each revision runs in its own transaction. On PostgreSQL, and on SQLite (whose
DDL the baked engine makes transactional), the failed revision leaves nothing
behind. On MariaDB DDL cannot be rolled back: what the failed revision created
stays, alembic_version still names the last good revision, and the way out is
to undo the leftovers by hand, fix the revision and upgrade again.
"""

from safety import FIRST_REVISION, current, execute, query, tables, write_revision

GOOD = """
op.create_table("good", sa.Column("id", sa.Integer, primary_key=True))
"""
# Two statements that work, then one that fails.
HALF_WAY = """
op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
op.execute("INSERT INTO half_done (id) VALUES (1)")
op.execute("SELECT * FROM no_such_table")
"""


def test_a_revision_failing_half_way_leaves_the_last_good_revision(database, bake):
    backend, url = database
    project = bake(database=backend)
    env = {"DATABASE_URL": url}
    write_revision(project, "good0001", FIRST_REVISION, GOOD, 'op.drop_table("good")')
    bad = write_revision(project, "bad00001", "good0001", HALF_WAY, 'op.drop_table("half_done")')

    result = project.alembic("upgrade", "head", env=env, check=False)
    assert result.returncode != 0
    assert "no_such_table" in result.stderr
    # The revisions before the failed one are kept, each committed on its own,
    # and alembic_version names the last of them.
    assert current(project, env) == "good0001"
    assert query(url, "SELECT version_num FROM alembic_version") == [("good0001",)]
    assert {"users", "good"} <= tables(url)
    if backend == "mysql":
        assert "half_done" in tables(url)  # MariaDB committed the CREATE TABLE on its own
        execute(url, "DROP TABLE half_done")  # the README's way out: undo it by hand
    else:
        assert "half_done" not in tables(url)  # the whole revision was rolled back

    project.edit(str(bad.relative_to(project.path)), 'op.execute("SELECT * FROM no_such_table")', "")
    project.alembic("upgrade", "head", env=env)
    assert query(url, "SELECT version_num FROM alembic_version") == [("bad00001",)]
    assert query(url, "SELECT id FROM half_done") == [(1,)]


# A hand-written unique constraint, checked first as the library README shows: duplicates stop it.
DUPLICATES = """
op.create_table("codes", sa.Column("id", sa.Integer, primary_key=True), sa.Column("code", sa.String(8)))
op.execute("INSERT INTO codes (id, code) VALUES (1, 'a'), (2, 'a'), (3, 'b')")
"""
UNIQUE = """
refuse_breaking_rows("uq_codes_code", QUERY)
with op.batch_alter_table("codes") as batch_op:
    batch_op.create_unique_constraint("uq_codes_code", ["code"])
"""
QUERY = "SELECT * FROM codes WHERE code IN (SELECT code FROM codes GROUP BY code HAVING count(*) > 1)"


def test_rows_that_break_a_new_constraint_stop_it_in_one_line(database, bake):
    backend, url = database
    project = bake(database=backend)
    env = {"DATABASE_URL": url}
    write_revision(project, "codes001", FIRST_REVISION, DUPLICATES, 'op.drop_table("codes")')
    imports = f"from alembic_guardrails.helpers import refuse_breaking_rows\n\nQUERY = {QUERY!r}"
    unique = 'with op.batch_alter_table("codes") as batch_op:\n    batch_op.drop_constraint("uq_codes_code")'
    write_revision(project, "unique01", "codes001", UNIQUE, unique, imports=imports)

    result = project.alembic("upgrade", "head", env=env, check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr + result.stdout, result.stderr
    # One line: the constraint, the count, the query, the revision the database is at.
    line = result.stderr.strip().splitlines()[-1]
    assert "uq_codes_code: 2 row(s) break it" in line and QUERY in line and "codes001" in line, result.stderr
    assert line.startswith("FAILED: ") and 'File "' not in result.stderr, result.stderr
    assert current(project, env) == "codes001"
    assert query(url, QUERY) == [(1, "a"), (2, "a")]

    execute(url, "DELETE FROM codes WHERE id = 2")
    project.alembic("upgrade", "head", env=env)
    assert current(project, env) == "unique01"

"""MySQL/MariaDB: a dropped foreign key takes the index the server made for it.

InnoDB makes an index for a foreign key no index serves, named after the key, and
Alembic leaves it out of the comparison while the key exists. A revision dropping only the key left it behind,
and the next `alembic check` reported it (`remove_index`). Now the revision drops it
too (_compare.tidy), the downgrade adds the key back (the server makes the index
again), and `alembic check` is clean after each. On PostgreSQL and SQLite, which
make no such index, the same steps must stay clean. (A key without a name of its
own is left alone: its index's name is the server's choice, which a revision cannot
know for every database; the naming convention names every key.)
"""

from __future__ import annotations

from alembic_project import Project, url_of
from sqlalchemy import inspect

BEFORE = """
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table("fk_parents", metadata, sa.Column("id", sa.Integer, primary_key=True))
sa.Table(
    "fk_children",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("parent_id", sa.Integer),
    sa.Column("other_id", sa.Integer),
    sa.Column("indexed_id", sa.Integer, index=True),
    {keys}
)
"""
KEYS = """
    sa.ForeignKeyConstraint(["parent_id"], ["fk_parents.id"], name="fk_children_parent"),
    sa.ForeignKeyConstraint(["other_id"], ["fk_parents.id"], name="fk_children_other"),
    sa.ForeignKeyConstraint(["indexed_id"], ["fk_parents.id"], name="fk_children_indexed"),
"""
# The models lose three keys, and keep the one on other_id.
FEWER_KEYS = """
    sa.ForeignKeyConstraint(["other_id"], ["fk_parents.id"], name="fk_children_other"),
"""


def indexes(engine) -> set[str]:
    return {index["name"] for index in inspect(engine).get_indexes("fk_children")}


def assert_clean(project: Project) -> None:
    result = project.alembic("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No new upgrade operations detected" in result.stdout


def test_dropping_foreign_keys_leaves_no_index_behind(alembic_engine, tmp_path):
    backend = alembic_engine.dialect.name
    project = Project(tmp_path / "project", url_of(alembic_engine))
    project.models(BEFORE.format(keys=KEYS))
    project.migrate("keys")
    assert_clean(project)
    before = indexes(alembic_engine)
    if backend == "mysql":  # the server's own indexes, one per key no index serves
        assert {"fk_children_parent", "fk_children_other", "ix_fk_children_indexed_id"} == before - {
            "PRIMARY"
        }

    project.models(BEFORE.format(keys=FEWER_KEYS))
    revision = project.migrate("fewer keys")
    if backend == "mysql":
        assert "op.drop_index('fk_children_parent', table_name='fk_children')" in revision, revision
        # The index the models declare stays; so does the one a kept key uses.
        assert (
            "ix_fk_children_indexed_id" not in revision and "drop_index('fk_children_other'" not in revision
        )
        upgrade = revision.split("def downgrade")[0]
        assert upgrade.index("drop_constraint(op.f('fk_children_parent')") < upgrade.index(
            "drop_index('fk_children_parent'"
        )
    else:
        assert "drop_index" not in revision
    assert_clean(project)
    after = indexes(alembic_engine)
    assert after == before - ({"fk_children_parent"} if backend == "mysql" else set())

    # Down and up again: the downgrade adds the keys back, the server its indexes.
    project.ok("downgrade", "-1")
    assert indexes(alembic_engine) == before
    project.ok("upgrade", "head")
    assert indexes(alembic_engine) == after
    assert_clean(project)

import pytest
import sqlalchemy as sa
from rule_helpers import alter, findings, rule_ids
from sqlalchemy.dialects import postgresql

from alembic_guardrails.rules import type_change_rewrites_table as rule


def test_integer_to_bigint_rewrites_on_postgresql():
    change = alter(existing_type=sa.Integer(), modify_type=sa.BigInteger())
    assert [str(f) for f in findings(rule, change, dialect="postgresql")] == [
        "items.v: type INTEGER -> BIGINT rewrites the whole table under an exclusive lock on PostgreSQL "
        "[type-change-rewrites-table]"
    ]


@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_not_said_for_other_databases(dialect):
    assert (
        rule_ids(rule, alter(existing_type=sa.Integer(), modify_type=sa.BigInteger()), dialect=dialect) == []
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (sa.String(20), sa.Text()),  # widening a VARCHAR: a catalogue change
        (sa.String(20), sa.String(40)),
        (sa.Enum("a", "b", name="e"), sa.Enum("a", "b", "c", name="e")),  # ADD VALUE
        (sa.String(100), sa.String(50)),  # narrowed: narrow-type refuses it
    ],
)
def test_changes_that_do_not_rewrite_are_not_flagged(old, new):
    assert rule_ids(rule, alter(existing_type=old, modify_type=new), dialect="postgresql") == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (sa.Numeric(10, 2), sa.Numeric(12, 2)),  # more precision, same scale
        (sa.Numeric(10), sa.Numeric(12)),
        (sa.Numeric(10, 2), sa.Numeric()),  # unconstrained
        (sa.String(10), sa.String()),  # no limit
        (sa.Text(), sa.String()),
        (sa.String(1), sa.Enum("a", "longer", native_enum=False)),  # a VARCHAR again
        (sa.Enum("a", native_enum=False), sa.Enum("a", "longer", native_enum=False)),
        (postgresql.TIMESTAMP(precision=3), postgresql.TIMESTAMP(precision=6)),
        (postgresql.TIMESTAMP(precision=3), sa.DateTime()),
        (sa.Time(), sa.Time()),
        (postgresql.INTERVAL(precision=3), sa.Interval()),
        (postgresql.CIDR(), postgresql.INET()),
    ],
)
def test_postgresql_changes_in_place_are_not_flagged(old, new):
    assert rule_ids(rule, alter(existing_type=old, modify_type=new), dialect="postgresql") == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (sa.Numeric(10, 2), sa.Numeric(12, 4)),  # a new scale: every value is rewritten
        (sa.CHAR(10), sa.CHAR(20)),  # padded again
        (sa.CHAR(10), sa.String(20)),
        (sa.SmallInteger(), sa.Integer()),
        (sa.Float(24), sa.Float(53)),
        (postgresql.TIMESTAMP(), postgresql.TIMESTAMP(timezone=True)),  # depends on the session's TimeZone
        (postgresql.JSON(), postgresql.JSONB()),
    ],
)
def test_postgresql_changes_that_rewrite_are_flagged(old, new):
    assert rule_ids(rule, alter(existing_type=old, modify_type=new), dialect="postgresql") == [rule.RULE.id]


# Each table's column changes type; the ones named *_in_place must keep their file (pg_class.relfilenode).
REWRITE_MODELS = """
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData()
TYPES = {types}
for name, type_ in TYPES.items():
    sa.Table(name, metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", type_))
"""
BEFORE = {
    "numeric_in_place": "sa.Numeric(10, 2)",
    "numeric_unconstrained_in_place": "sa.Numeric(10, 2)",
    "varchar_in_place": "sa.String(10)",
    "varchar_text_in_place": "sa.String(10)",
    "enum_in_place": "sa.Enum('a', 'b', native_enum=False)",
    "timestamp_in_place": "postgresql.TIMESTAMP(precision=3)",
    "numeric_scale_rewrites": "sa.Numeric(10, 2)",
    "integer_rewrites": "sa.Integer()",
    "char_rewrites": "sa.CHAR(10)",
}
AFTER = {
    "numeric_in_place": "sa.Numeric(12, 2)",
    "numeric_unconstrained_in_place": "sa.Numeric()",
    "varchar_in_place": "sa.String(20)",
    "varchar_text_in_place": "sa.Text()",
    "enum_in_place": "sa.Enum('a', 'b', 'longer', native_enum=False)",
    "timestamp_in_place": "postgresql.TIMESTAMP(precision=6)",
    "numeric_scale_rewrites": "sa.Numeric(12, 4)",
    "integer_rewrites": "sa.BigInteger()",
    "char_rewrites": "sa.CHAR(20)",
}
SEEDS = {
    "numeric": "1.25",
    "varchar": "'abc'",
    "enum": "'a'",
    "timestamp": "'2024-01-01 00:00:00.123'",
    "integer": "7",
    "char": "'abc'",
}


def _relfilenodes(engine):
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT relname, relfilenode FROM pg_class WHERE relname = ANY(:names)"),
            {"names": list(BEFORE)},
        )
        return dict(rows.all())


def test_postgresql_review_lines_name_exactly_the_tables_rewritten(alembic_engine, tmp_path):
    """Issue 20: NUMERIC(10, 2) -> NUMERIC(12, 2) was reviewed as a rewrite. Real upgrades over
    seeded rows: a table PostgreSQL keeps in place (same relfilenode) has no review line; each
    table it rewrites (a new relfilenode) has one."""
    if alembic_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's table rewrites")
    from alembic_project import Project, url_of

    project = Project(tmp_path / "project", url_of(alembic_engine))
    project.models(
        REWRITE_MODELS.format(types="{" + ", ".join(f"{k!r}: {v}" for k, v in BEFORE.items()) + "}")
    )
    project.migrate("before")
    with alembic_engine.begin() as connection:
        for table in BEFORE:
            seed = SEEDS[table.split("_")[0]]
            connection.execute(sa.text(f"INSERT INTO {table} (id, v) VALUES (1, {seed}), (2, NULL)"))
    before = _relfilenodes(alembic_engine)
    project.models(
        REWRITE_MODELS.format(types="{" + ", ".join(f"{k!r}: {v}" for k, v in AFTER.items()) + "}")
    )
    result = project.ok("revision", "--autogenerate", "-m", "after")
    output = result.stdout + result.stderr
    project.ok("upgrade", "head")
    after = _relfilenodes(alembic_engine)
    rewritten = {table for table in BEFORE if after[table] != before[table]}
    assert rewritten == {table for table in BEFORE if table.endswith("_rewrites")}
    reviewed = {table for table in BEFORE if f"{table}.v: type " in output}
    assert reviewed == rewritten, output
    with alembic_engine.connect() as connection:
        for table in BEFORE:
            assert (
                connection.execute(sa.text(f"SELECT count(*) FROM {table} WHERE v IS NOT NULL")).scalar() == 1
            )

import pytest
import sqlalchemy as sa
from rule_helpers import DIALECTS, alter, findings, rule_ids

from alembic_guardrails.rules import narrow_type as rule


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_shorter_varchar_is_flagged(dialect):
    found = findings(rule, alter(existing_type=sa.String(100), modify_type=sa.String(50)), dialect=dialect)
    assert [str(f) for f in found] == ["items.v: narrow type VARCHAR(100) -> VARCHAR(50) [narrow-type]"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_longer_varchar_is_not(dialect):
    assert (
        findings(rule, alter(existing_type=sa.String(50), modify_type=sa.String(100)), dialect=dialect) == []
    )


def test_a_bare_float_narrows_a_double_only_on_mysql():
    double_to_float = alter(existing_type=sa.Double(), modify_type=sa.Float())
    assert rule_ids(rule, double_to_float, dialect="mysql") == ["narrow-type"]
    assert rule_ids(rule, double_to_float, dialect="postgresql") == []


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("native_enum", [True, False])
def test_an_enum_that_gains_a_value_does_not_narrow(dialect, native_enum):
    """A value added, longer than the others: growth, whatever the database keeps the Enum as
    (autogenerate compares the new Enum with the VARCHAR(1) it reflects where it is not native)."""
    longer = sa.Enum("a", "b", "longer", name="kind", native_enum=native_enum)
    enum_to_enum = alter(
        existing_type=sa.Enum("a", "b", name="kind", native_enum=native_enum), modify_type=longer
    )
    assert findings(rule, enum_to_enum, dialect=dialect) == []
    reflected = alter(existing_type=sa.String(1), modify_type=longer)
    stored_as_text = dialect == "sqlite" or not native_enum
    assert rule_ids(rule, reflected, dialect=dialect) == ([] if stored_as_text else ["narrow-type"])


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_text_becoming_a_native_enum_still_narrows(dialect):
    """A native ENUM holds only its members: a VARCHAR's other values do not fit."""
    change = alter(existing_type=sa.String(10), modify_type=sa.Enum("a", "b", name="kind"))
    assert rule_ids(rule, change, dialect=dialect) == ["narrow-type"]


def test_a_value_removed_from_a_non_native_enum_still_narrows():
    change = alter(
        existing_type=sa.Enum("a", "b", "c", native_enum=False),
        modify_type=sa.Enum("a", "b", native_enum=False),
    )
    assert rule_ids(rule, change, dialect="sqlite") == ["narrow-type"]


ENUM_MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table(
    "enum_growth",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Enum({values}, name="enum_growth_kind", native_enum={native}, create_constraint={check})),
)
"""


@pytest.mark.parametrize(("native_enum", "create_constraint"), [(True, False), (False, False), (False, True)])
def test_enum_growth_is_written_and_upgrades_seeded_rows(
    alembic_engine, tmp_path, native_enum, create_constraint
):
    """Issue 20: adding a value (a longer one) to an Enum was refused on SQLite as
    "narrow type VARCHAR(1) -> VARCHAR(6)". On every database, native or not, with or without
    its CHECK: the revision is written without -x overrides and upgrades the rows it has."""
    from alembic_project import Project, url_of

    with alembic_engine.begin() as connection:
        if alembic_engine.dialect.name == "postgresql":
            connection.execute(sa.text("DROP TYPE IF EXISTS enum_growth_kind"))
    project = Project(tmp_path / "project", url_of(alembic_engine))
    options = {"native": native_enum, "check": create_constraint}
    project.models(ENUM_MODELS.format(values="'a', 'b'", **options))
    project.migrate("enum")
    with alembic_engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO enum_growth (id, kind) VALUES (1, 'a'), (2, 'b'), (3, NULL)"))
    project.models(ENUM_MODELS.format(values="'a', 'b', 'longer'", **options))
    if alembic_engine.dialect.name == "mysql" and create_constraint:
        # Written, not refused; but Alembic's MySQLImpl never drops a type-bound CHECK (a MySQL 5
        # habit), so MySQL 8 / MariaDB then fail on the new CHECK of the same name. Not a narrowing:
        # a gap of its own (reported), pinned here so that its fix shows.
        project.ok("revision", "--autogenerate", "-m", "grow")
        failed = project.alembic("upgrade", "head")
        assert failed.returncode != 0
        assert "Duplicate CHECK constraint name" in failed.stderr
        return
    revision = project.migrate("grow")
    assert "narrow" not in revision
    with alembic_engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO enum_growth (id, kind) VALUES (4, 'longer')"))
        rows = connection.execute(sa.text("SELECT id, kind FROM enum_growth ORDER BY id")).all()
        if alembic_engine.dialect.name == "postgresql":
            connection.execute(sa.text("DROP TABLE enum_growth"))
            connection.execute(sa.text("DROP TYPE IF EXISTS enum_growth_kind"))
    assert [tuple(row) for row in rows] == [(1, "a"), (2, "b"), (3, None), (4, "longer")]

"""`alembic check` says what differs, one line a person can read per difference (_drift.py).

Alembic's own message is a list of reprs (`Table(...)`, `DefaultClause(<TextClause
object at 0x...>)`). Through the real `alembic` command, on the database the tests
run on: the models change in every way autogenerate sees, and `alembic check`
prints on stderr, per difference, the table, column or index, what the models say
and what the database has, in the project's language; Alembic's "New upgrade
operations detected" and the non-zero exit status stay for scripts. Then the kinds
of difference a database cannot always show (comments, checks, primary keys, enum
values), from operations built by hand.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import ops
from alembic_project import Project, url_of

from alembic_guardrails import _drift, _messages
from alembic_guardrails._enums import AddEnumValuesOp

NAMING = """
metadata = sa.MetaData(
    naming_convention={
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)
# The tables this project compares (the test database may hold other tests' tables).
TABLES = {"drift_teams", "drift_users", "drift_old", "drift_new"}
"""
BEFORE = (
    "import sqlalchemy as sa\n"
    + NAMING
    + """
sa.Table("drift_teams", metadata, sa.Column("id", sa.Integer, primary_key=True))
sa.Table(
    "drift_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(100)),
    sa.Column("name", sa.String(50), nullable=False, index=True),
    sa.Column("legacy", sa.Integer),
    sa.Column("team_id", sa.Integer),
    sa.Column("status", sa.Enum("open", "closed", name="drift_status", native_enum=False, create_constraint=True)),
)
sa.Table("drift_old", metadata, sa.Column("id", sa.Integer, primary_key=True))
"""
)
AFTER = (
    "import sqlalchemy as sa\n"
    + NAMING
    + """
sa.Table("drift_teams", metadata, sa.Column("id", sa.Integer, primary_key=True))
sa.Table(
    "drift_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(100), server_default="x", unique=True),
    sa.Column("name", sa.String(80), nullable=True),
    sa.Column("nickname", sa.String(30), nullable=True),
    sa.Column("team_id", sa.Integer, sa.ForeignKey("drift_teams.id")),
    sa.Column(
        "status", sa.Enum("open", "closed", "held", name="drift_status", native_enum=False, create_constraint=True)
    ),
)
sa.Table("drift_new", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("label", sa.String(10)))
"""
)


def expected_lines(integer: str) -> list[str]:
    """What `alembic check` says about BEFORE -> AFTER, in the language _messages speaks now."""
    text = _messages.text
    none = text("drift_none")

    def line(subject, what, models, database):
        return text("drift_line", subject=subject, what=what, models=models, database=database)

    return [
        line("drift_new", text("drift_table"), "(id, label)", none),
        line("drift_old", text("drift_table"), none, "(id)"),
        line("drift_users.nickname", text("drift_column"), "VARCHAR(30)", none),
        line("drift_users.email", text("drift_server_default"), "'x'", none),
        line("drift_users.name", text("drift_type"), "VARCHAR(80)", "VARCHAR(50)"),
        line("drift_users.name", text("drift_nullable"), "NULL", "NOT NULL"),
        line("drift_users", text("drift_index", name="ix_drift_users_name"), none, "(name)"),
        line("drift_users", text("drift_unique", name="uq_drift_users_email"), "(email)", none),
        line(
            "drift_users",
            text("drift_foreign_key", name="fk_drift_users_team_id_drift_teams"),
            "(team_id) -> drift_teams(id)",
            none,
        ),
        line("drift_users.legacy", text("drift_column"), none, integer),
        line(
            "drift_users.status",
            text("drift_type"),
            "drift_status('open', 'closed', 'held')",
            "drift_status('open', 'closed')",
        ),
    ]


@pytest.fixture
def language(monkeypatch):
    """Speak a language for the expected lines, as alembic.ini's `language` makes the command speak."""

    def speak(name: str) -> None:
        monkeypatch.setattr(_messages, "LANGUAGE", name)

    return speak


@pytest.mark.parametrize("speaking", ["en", "zh"])
def test_check_prints_one_readable_line_per_difference(alembic_engine, tmp_path, language, speaking):
    project = Project(tmp_path / "project", url_of(alembic_engine), language=speaking)
    project.models(BEFORE)
    project.migrate("before")
    clean = project.ok("check")
    assert "No new upgrade operations detected" in clean.stdout
    assert clean.stderr.strip() == ""  # nothing to say when models and database agree

    project.models(AFTER)
    result = project.alembic("check")
    assert result.returncode != 0
    assert "New upgrade operations detected" in result.stdout  # Alembic's wording, for scripts
    language(speaking)
    integer = "INTEGER(11)" if alembic_engine.dialect.name == "mysql" else "INTEGER"
    expected = expected_lines(integer)
    printed = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert printed == expected, result.stderr
    assert _messages.text("drift_header", count=len(expected)) in result.stderr.splitlines()
    assert "object at 0x" not in result.stderr


# --- Differences a database cannot always show, from operations built by hand ------------


def described(*upgrade, dialect_name="postgresql"):
    script = ops.MigrationScript("rev", ops.UpgradeOps(ops=list(upgrade)), ops.DowngradeOps(ops=[]))
    return _drift.lines(script, MigrationContext.configure(dialect_name=dialect_name).dialect)


def line(subject, what, models, database):
    none = _messages.text("drift_none")
    return _messages.text(
        "drift_line",
        subject=subject,
        what=what,
        models=none if models is None else models,
        database=none if database is None else database,
    )


def test_comments_checks_primary_keys_and_enum_values_read_as_lines():
    metadata = sa.MetaData()
    table = sa.Table(
        "orders",
        metadata,
        sa.Column("id", sa.Integer),
        sa.Column("total", sa.Numeric(10, 2)),
        sa.CheckConstraint("total >= 0", name="ck_orders_total"),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
    )
    check = next(c for c in table.constraints if isinstance(c, sa.CheckConstraint))
    comment = ops.AlterColumnOp(
        "orders", "total", existing_type=sa.Numeric(10, 2), modify_comment="in cents", existing_comment=None
    )
    upgrade = [
        ops.ModifyTableOps(
            "orders",
            [
                ops.AddConstraintOp.from_constraint(check),
                ops.DropConstraintOp.from_constraint(table.primary_key),
                comment,
                ops.CreateTableCommentOp("orders", "what customers bought", existing_comment="old"),
                ops.DropTableCommentOp("orders", existing_comment="gone"),
            ],
        ),
        AddEnumValuesOp("order_status", [], ["open"], ["open", "held"]),
    ]
    assert described(*upgrade) == [
        line("orders", _messages.text("drift_check", name="ck_orders_total"), "total >= 0", None),
        line("orders", _messages.text("drift_primary_key", name="pk_orders"), None, "(id)"),
        line("orders.total", _messages.text("drift_comment"), "'in cents'", None),
        line("orders", _messages.text("drift_comment"), "'what customers bought'", "'old'"),
        line("orders", _messages.text("drift_comment"), None, "'gone'"),
        line("order_status", _messages.text("drift_enum"), "('open', 'held')", "('open')"),
    ]


def test_an_operation_without_a_description_is_named_and_check_goes_on():
    """Alembic's own list still follows on stdout; this line only says which kind it is."""
    renamed = ops.RenameTableOp("orders", "purchases")
    assert described(renamed) == [_messages.text("drift_other", subject="orders", kind="RenameTableOp")]
    assert (
        _drift.report(ops.MigrationScript("rev", ops.UpgradeOps(ops=[]), ops.DowngradeOps(ops=[])), None)
        is None
    )

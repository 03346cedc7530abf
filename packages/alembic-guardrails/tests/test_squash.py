"""`alembic-guardrails squash --to REV`, through the real CLI, on the database the tests run on.

Ten hand-written revisions (tables, foreign keys, indexes, a unique constraint, server
defaults, an enum, a CHECK, a rename, a dropped column, and one data step) squashed to the
seventh. A database built by the old history to REV, with rows, carries on to head with the
new files and keeps its rows; a fresh one built from the baseline has the schema the history
builds, and `alembic check` is clean. On a server (TEST_DATABASE_URL) the command's scratch
database is one of its own, created beside the test database and dropped after.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic_project import Project, url_of

from alembic_guardrails._squash import differences, snapshot

GUARDRAILS = Path(sys.executable).parent / "alembic-guardrails"

MODELS = """
import sqlalchemy as sa


def _constraint_name_or_column_0_name(constraint, table):
    if isinstance(constraint.name, str) and constraint.name:
        return constraint.name
    return str(next(iter(constraint.columns)).name)


metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name_or_column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "constraint_name_or_column_0_name": _constraint_name_or_column_0_name,
})
users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(100), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")),
)
orders = sa.Table(
    "orders", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("state", sa.Enum("new", "paid", name="order_state"), nullable=False, server_default="new"),
    sa.Column("total", sa.Numeric(10, 2), nullable=False, server_default="0"),
    sa.Column("memo", sa.String(50)),
)
products = sa.Table(
    "products", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sku", sa.String(20), nullable=False, unique=True),
    sa.Column("price", sa.Numeric(10, 2), nullable=False, server_default="0", index=True),
    sa.Column("name", sa.String(80)),
    sa.CheckConstraint("price >= 0", name="price_positive"),
)
order_lines = sa.Table(
    "order_lines", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False),
    sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id"), nullable=False, index=True),
    sa.Column("qty", sa.Integer, nullable=False, server_default="1"),
)
"""

# revision id -> upgrade() body; each revision's down_revision is the one before it.
HISTORY = {
    "a01": """
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.UniqueConstraint("email"),
    )""",
    "a02": """
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("state", sa.Enum("new", "paid", name="order_state"), nullable=False, server_default="new"),
        sa.Column("total", sa.Numeric(10, 2), nullable=False, server_default="0"),
        sa.Column("note", sa.String(50)),
    )
    op.create_index(op.f("ix_orders_user_id"), "orders", ["user_id"])""",
    "a03": """
    op.add_column("users", sa.Column("nickname", sa.String(30)))""",
    "a04": """
    op.execute("UPDATE users SET nickname = email")""",
    "a05": """
    with op.batch_alter_table("orders") as batch_op:
        batch_op.alter_column("note", new_column_name="memo", existing_type=sa.String(50), existing_nullable=True)""",
    "a06": """
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("nickname")""",
    "a07": """
    op.create_table(
        "products",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sku", sa.String(20), nullable=False, unique=True),
        sa.Column("price", sa.Numeric(10, 2), nullable=False, server_default="0"),
        sa.CheckConstraint("price >= 0", name="price_positive"),
    )
    op.create_index(op.f("ix_products_price"), "products", ["price"])""",
    "a08": """
    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id"), nullable=False),
        sa.Column("qty", sa.Integer, nullable=False, server_default="1"),
    )""",
    "a09": """
    op.create_index(op.f("ix_order_lines_product_id"), "order_lines", ["product_id"])""",
    "a10": """
    op.add_column("products", sa.Column("name", sa.String(80)))""",
}

REVISION = '''"""{revision}"""
from alembic import op
import sqlalchemy as sa

revision = "{revision}"
down_revision = {down_revision!r}
branch_labels = None
depends_on = None


def upgrade() -> None:{body}


def downgrade() -> None:{downgrade}
'''
# The revisions after the squash undo what they did (the baseline's downgrade drops the rest).
DOWNGRADES = {
    "a08": 'op.drop_table("order_lines")',
    # a09: MySQL/MariaDB keep its index for the foreign key; a08's drop_table takes both.
    "a10": 'with op.batch_alter_table("products") as batch_op:\n        batch_op.drop_column("name")',
}


def write_history(project: Project) -> None:
    down = None
    for revision, body in HISTORY.items():
        undo = "\n    " + DOWNGRADES.get(revision, "pass")
        source = REVISION.format(revision=revision, down_revision=down, body=body, downgrade=undo)
        (project.versions / f"{revision}_step.py").write_text(source)
        down = revision


def squash(project: Project, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GUARDRAILS), "squash", *arguments],
        cwd=project.directory,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


@contextmanager
def scratch_database(engine: sa.Engine, tmp_path: Path) -> Iterator[str]:
    """A second, empty database beside the test database: on a server one of its own, else a file."""
    if engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    name = f"{engine.url.database}_squash"
    quoted = engine.dialect.identifier_preparer.quote(name)
    force = " WITH (FORCE)" if engine.dialect.name == "postgresql" else ""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {quoted}{force}"))
        connection.execute(sa.text(f"CREATE DATABASE {quoted}"))
    try:
        yield engine.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {quoted}{force}"))


def schema_of(url: str) -> dict:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return snapshot(connection)
    finally:
        engine.dispose()


def test_squash_refuses_data_steps_then_writes_a_proven_baseline_a_live_database_carries_on_with(
    alembic_engine, tmp_path
):
    project = Project(tmp_path / "project", url_of(alembic_engine))
    project.models(MODELS)
    write_history(project)
    before = {path.name: path.read_text() for path in project.versions.glob("*.py")}

    # (1) A data step in range: refused, named with its file and line, nothing written.
    refused = squash(project, "--to", "a07")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "a04_step.py:12: revision a04: op.execute('UPDATE users SET nickname = email'): a data step" in (
        refused.stderr
    )
    assert "--allow-data-steps" in refused.stderr
    assert {path.name: path.read_text() for path in project.versions.glob("*.py")} == before

    # A live database at REV, built by the old history, with rows.
    project.ok("upgrade", "a07")
    with alembic_engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO users (id, email) VALUES (1, 'ada@example.com')"))
        connection.execute(sa.text("INSERT INTO orders (id, user_id, memo) VALUES (10, 1, 'first')"))
        connection.execute(sa.text("INSERT INTO products (id, sku, price) VALUES (5, 'SKU-5', 2.50)"))

    with scratch_database(alembic_engine, tmp_path) as scratch:
        server = [] if alembic_engine.dialect.name == "sqlite" else ["--url", scratch]
        # (2) With the override: REV's file holds the baseline, with REV's id; the rest is gone.
        done = squash(project, "--to", "a07", "--allow-data-steps", *server)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "dropped: " in done.stderr and "revision a04" in done.stderr
        assert "proven on" in done.stdout
        assert sorted(path.name for path in project.versions.glob("*.py")) == [
            "a07_step.py",
            "a08_step.py",
            "a09_step.py",
            "a10_step.py",
        ]
        baseline = (project.versions / "a07_step.py").read_text()
        assert "revision = 'a07'" in baseline and "down_revision = None" in baseline
        assert "squashes = ('a01', 'a02', 'a03', 'a04', 'a05', 'a06', 'a07')" in baseline
        assert "a04 a04_step.py:12: op.execute('UPDATE users SET nickname = email'): a data step" in baseline
        assert "op.f('ck_products_price_positive')" in baseline
        for later in ("a08_step.py", "a09_step.py", "a10_step.py"):
            assert (project.versions / later).read_text() == before[later]

        # (3) The live database carries on to head with the new files and keeps its rows.
        project.ok("upgrade", "head")
        assert project.ok("current").stdout.split()[0] == "a10"
        with alembic_engine.connect() as connection:
            assert connection.execute(sa.text("SELECT email FROM users")).scalars().all() == [
                "ada@example.com"
            ]
            assert connection.execute(sa.text("SELECT memo, state FROM orders")).all() == [("first", "new")]
            assert connection.execute(sa.text("SELECT sku FROM products")).scalars().all() == ["SKU-5"]
        # (5) and no drift from the models.
        project.ok("check")

        # (4) A fresh database built from the baseline has the schema of the one the old history
        # built (the squash proved the same on its scratch databases before writing).
        fresh = Project(tmp_path / "fresh", scratch)
        fresh.models(MODELS)
        for path in project.versions.glob("*.py"):
            (fresh.versions / path.name).write_text(path.read_text())
        fresh.ok("upgrade", "head")
        assert differences(schema_of(url_of(alembic_engine)), schema_of(scratch)) == []
        fresh.ok("check")
        fresh.ok("downgrade", "base")
        assert schema_of(scratch) == {}


@pytest.mark.parametrize("points_at", ["a03"])
def test_a_revision_left_pointing_into_the_squash_is_refused(alembic_engine, tmp_path, points_at):
    project = Project(tmp_path / "project", url_of(alembic_engine))
    project.models(MODELS)
    write_history(project)
    branch = REVISION.format(
        revision="b01", down_revision=points_at, body="\n    pass", downgrade="\n    pass"
    )
    (project.versions / "b01_branch.py").write_text(branch)
    refused = squash(project, "--to", "a07", "--allow-data-steps")
    assert refused.returncode == 1
    assert f"revision b01 (b01_branch.py) stays but points at {points_at}" in refused.stderr


def test_differences_name_what_differs():
    history = {"table t": {"columns": [("id", "INTEGER", False, None, None, True)], "indexes": []}}
    baseline = {
        "table t": {"columns": [("id", "INTEGER", True, None, None, True)], "indexes": []},
        "table u": {},
    }
    assert differences(history, baseline) == [
        "table t, columns: history [('id', 'INTEGER', False, None, None, True)], "
        "baseline [('id', 'INTEGER', True, None, None, True)]",
        "table u: built by the baseline, not by the history",
    ]

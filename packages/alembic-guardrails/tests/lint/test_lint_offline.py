"""`alembic upgrade --sql` over a revision with a data step: the output and the exit status say
that the SQL printed is not what an online upgrade does (Guardrails.offline_timeouts)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from lint_helpers import PYTHON, environment, line_of, make_project

from alembic_guardrails._lint.offline import watch_data_steps


def upgrade_sql(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "alembic", "upgrade", "head", "--sql"],
        cwd=project,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_data_step_fails_the_sql_run_after_writing_it(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        [
            # Asking the connection for its dialect only: the SQL is what an online run does.
            """
            op.create_table("users", sa.Column("id", sa.Integer, primary_key=True), sa.Column("a", sa.Text))
            if op.get_bind().dialect.name == "postgresql":
                op.create_index("ix_users_a", "users", ["a"])
            """,
            # Data through the connection: online it reads the rows first.
            """
            bind = op.get_bind()
            for (id_,) in bind.execute(sa.text("SELECT id FROM users")) or ():
                bind.execute(sa.text("UPDATE users SET a = 'x' WHERE id = :id"), {"id": id_})
            op.add_column("users", sa.Column("b", sa.Text))
            """,
        ],
    )
    done = upgrade_sql(project)
    assert done.returncode != 0
    # The whole script is written, then the warning as its last line.
    assert "CREATE INDEX ix_users_a ON users (a);" in done.stdout
    assert "ALTER TABLE users ADD COLUMN b TEXT;" in done.stdout
    # Alembic prints its one-line FAILED on stdout too, after the script.
    *_, warning, failed = [line for line in done.stdout.splitlines() if line.strip()]
    revision = project / "migrations" / "versions" / "0002_step.py"
    where = f"{revision}:{line_of(revision, 'op.get_bind()')}"
    assert warning.startswith(f"-- WARNING: revision 0002 ({where}) works on its data through op.get_bind()")
    assert "0001" not in warning
    assert failed == f"FAILED: {warning.removeprefix('-- WARNING: ')}"
    assert "Traceback" not in done.stderr


def test_a_revision_failing_on_the_printing_connection_says_why_in_one_line(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, ['count = op.get_bind().execute(sa.text("SELECT count(*) FROM users")).scalar()']
    )
    done = upgrade_sql(project)
    assert done.returncode != 0
    assert "-- WARNING: revision 0001" in done.stdout
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "revision 0001" in failed[0] and "op.get_bind()" in failed[0]
    assert "Traceback" not in done.stderr


def test_online_runs_are_not_watched() -> None:
    with sa.create_engine("sqlite://").connect() as connection:
        context = MigrationContext.configure(connection)
        watch_data_steps(context)
        assert "run_migrations" not in vars(context)

"""The baked project's stronger migration tests catch what they are there to catch.

- test_downgrade_leaves_no_trace fails on a downgrade that forgets part of its
  upgrade, which pytest-alembic's up/down consistency test lets through;
- the data-migration example (with_examples) checks rows, and fails when the
  backfill writes the wrong values.
"""

import re
import sys

from baked import BIN

# The revision's body; its imports too (the ruff post-write hook drops unused ones from a fresh revision).
NO_OP_DOWNGRADE = """
import sqlalchemy as sa
from alembic import op


def upgrade() -> None:
    op.add_column("users", sa.Column("nickname", sa.String(length=30), nullable=True))


def downgrade() -> None:
    pass  # forgets to drop the column
"""


def run_pytest(project, url: str, *args: str):
    return project.run(
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, env={"TEST_DATABASE_URL": url}
    )


def test_downgrade_leaves_no_trace_catches_a_forgetful_downgrade(bake, database):
    backend, url = database
    project = bake(database=backend)
    project.run(str(BIN / "alembic"), "revision", "-m", "add nickname", env={"DATABASE_URL": url}, check=True)
    (revision,) = [path for path in project.versions() if path.name.endswith("_add_nickname.py")]
    text = revision.read_text()
    body = re.search(r"\ndef upgrade\(\).*", text, re.DOTALL)[0]
    revision.write_text(text.replace(body, NO_OP_DOWNGRADE))

    result = run_pytest(project, url, "tests/test_migrations.py", "-k", "up_down or no_trace", "-rA")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert re.search(r"PASSED .*test_up_down_consistency", output), output
    assert re.search(r"FAILED .*test_downgrade_leaves_no_trace", output), output
    assert "does not restore the schema" in output


def test_data_migration_example_checks_rows_and_fails_on_a_wrong_backfill(bake, database):
    backend, url = database
    project = bake(database=backend, with_examples=True)
    assert run_pytest(project, url, "tests/test_data_migrations.py").returncode == 0

    project.edit(
        "alembic/versions/20251128_1401_b6c8d0e2f430_backfill_user_status.py",
        '{"status": "active"}',
        '{"status": "unknown"}',
    )
    broken = run_pytest(project, url, "tests/test_data_migrations.py")
    assert broken.returncode != 0
    assert "assert 'unknown' == 'active'" in broken.stdout


def test_data_migration_example_ships_with_the_examples_only(bake):
    assert not (bake().path / "tests" / "test_data_migrations.py").exists()

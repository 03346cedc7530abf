"""The baked project's stronger migration tests catch what they are there to catch.

- test_downgrade_leaves_no_trace fails on a downgrade that forgets part of its
  upgrade, which pytest-alembic's up/down consistency test lets through;
- the data-migration example (with_examples) checks rows, and fails when the
  backfill writes the wrong values;
- two heads on one branch (two developers, one parent) are refused with the command that
  merges them, while a branch made on purpose (`--branch-label`, the second tutorial's
  `branch_labels`) passes every check.
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


def test_a_labelled_branch_passes_the_checks_and_an_accidental_head_does_not(bake, tmp_path):
    project = bake()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}"}
    first = project.versions()[0].name.split("_")[2]

    # The accident: two developers each add a revision on the same parent.
    project.alembic("revision", "-m", "add nickname", env=env)
    project.alembic("revision", "-m", "add email", f"--head={first}", "--splice", env=env)
    refused = project.run(str(BIN / "alembic-guardrails"), "heads", env=env)
    assert refused.returncode == 1
    hint = "merge them with `alembic merge heads`"
    assert "2 heads on the main line" in refused.stderr and hint in refused.stderr
    refused = project.run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "one_head")
    assert refused.returncode != 0 and hint in refused.stdout
    project.alembic("merge", "heads", "-m", "merge heads", env=env)  # as the hint says

    # The second tutorial's branch, for a service that shares the database, and a revision on it.
    project.alembic("revision", "-m", "billing base", "--head=base", "--branch-label=billing", env=env)
    upgrade_head = project.alembic("upgrade", "head", env=env, check=False)
    assert upgrade_head.returncode != 0 and "alembic upgrade heads" in upgrade_head.stderr
    project.alembic("upgrade", "heads", env=env)
    project.edit(
        f"{project.context['package_name']}/models.py",
        "String(50))\n",
        "String(50))\n\n\nclass Invoice(Base):\n"
        '    __tablename__ = "invoices"\n\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n    amount: Mapped[int]\n",
    )
    project.alembic("revision", "--autogenerate", "-m", "create invoices", "--head=billing@head", env=env)
    project.alembic("upgrade", "heads", env=env)
    checked = project.alembic("check", env=env)
    assert "No new upgrade operations detected" in checked.stdout + checked.stderr
    heads = project.run(str(BIN / "alembic-guardrails"), "heads", env=env, check=True).stdout
    assert "branch billing" in heads and "branch (no label)" in heads
    # The project's own checks: its migration tests (heads, upgrade, models match, up/down and no
    # trace, a merge and two branches included) and the check session.
    project.pytest("tests/test_migrations.py", "-rA")
    checked = project.run(str(BIN / "nox"), "--no-color", "-s", "check", check=True, timeout=1200)
    assert f"head {first}" not in checked.stdout + checked.stderr  # merged: no longer a head
    assert "branch billing" in checked.stdout + checked.stderr

    # An accident on top of the branch: named, since `alembic merge heads` would merge the branch too.
    (merged,) = re.findall(r"^head (\w+), branch \(no label\)$", heads, re.MULTILINE)
    project.alembic("revision", "-m", "add phone", f"--head={merged}", env=env)
    project.alembic("revision", "-m", "add fax", f"--head={merged}", "--splice", env=env)
    refused = project.run(str(BIN / "alembic-guardrails"), "heads", env=env)
    assert refused.returncode == 1 and 'merge them with `alembic merge -m "merge heads" ' in refused.stderr

"""Revisions that pick each database's DDL from `op.get_bind().engine.url` are linted past that test.

Real histories do it (CTFd's `if url.startswith("mysql")`, tests/histories in the template
repository): the URL's backend is the dialect lint was given, and the DDL it selects is checked.
"""

from pathlib import Path

import pytest
from lint_helpers import revision_file

from alembic_guardrails._lint import run

BODY = """
bind = op.get_bind()
url = str(bind.engine.url)
if url.startswith("mysql"):
    op.drop_column("users", "legacy")
elif bind.engine.name == "postgresql":
    op.drop_table("legacy_audit")
"""


@pytest.mark.parametrize(
    ("dialect", "rules"), [("mysql", ["drop-column"]), ("postgresql", ["drop-table"]), ("sqlite", [])]
)
def test_the_engine_url_answers_with_the_dialect_and_the_chosen_ddl_is_checked(
    tmp_path: Path, dialect, rules
):
    (revision,) = run.revisions_at([revision_file(tmp_path, "0001", None, BODY)])
    findings = run.lint_revision(revision, dialect, tmp_path)
    assert [finding.rule for finding in findings] == rules


def test_reading_data_through_the_engine_is_still_a_data_step(tmp_path: Path):
    body = 'op.get_bind().engine.connect().execute("SELECT 1")'
    (revision,) = run.revisions_at([revision_file(tmp_path, "0001", None, body)])
    assert [finding.rule for finding in run.lint_revision(revision, "postgresql", tmp_path)] == [
        "data-step-not-checkable"
    ]

"""benchmarks/lint_peers.py: its corpus is well-formed, and it reads each tool's output right.

No network and no peer installs: the corpus projects are written and imported,
their PostgreSQL and MySQL SQL rendered offline with this venv's Alembic, and
the parsers fed outputs copied from real runs of the pinned peers.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import _lint_corpus as corpus  # noqa: E402
import lint_peers  # noqa: E402


def test_every_case_has_an_honest_truth_for_each_database():
    names = [case.name for case in corpus.CASES]
    assert len(names) == len(set(names))
    for case in corpus.CASES:
        assert case.dialects and set(case.truth) <= set(corpus.DIALECTS), case.name
        for dialect, truth in case.truth.items():
            assert truth.reason.strip() and "\n" not in truth.reason, (case.name, dialect)
    for dialect in corpus.DIALECTS:
        verdicts = {case.dangerous(dialect) for case in corpus.cases_for(dialect)}
        assert verdicts == {True, False}, dialect  # dangerous changes and safe forms on each


@pytest.mark.parametrize("dialect", corpus.DIALECTS)
def test_every_revision_imports_and_chains(tmp_path, dialect):
    project = corpus.write_project(tmp_path / dialect, dialect)
    assert [corpus.case_name(r) for r in list(project.revisions)[1:]] == [c.name for c in project.cases]
    down = None
    for revision, path in project.revisions.items():
        spec = importlib.util.spec_from_file_location(f"corpus_{dialect}_{revision}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert callable(module.upgrade) and callable(module.downgrade), path.name
        assert (module.revision, module.down_revision) == (revision, down), path.name
        down = revision


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_the_whole_history_renders_offline(tmp_path, dialect):
    """Each op is one Alembic accepts (SQLite's batch forms need a database to reflect: not here)."""
    project = corpus.write_project(tmp_path / dialect, dialect)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        command.upgrade(Config(str(project.ini)), "head", sql=True)
        command.downgrade(Config(str(project.ini)), "head:base", sql=True)
    sql = buffer.getvalue()
    assert "ALTER TABLE users RENAME title TO job_title" in sql or "CHANGE title job_title" in sql
    assert sql.count("-- Running upgrade") == len(project.revisions)


# Each tool's output format, as the pinned versions print it on the PostgreSQL corpus (trimmed); the
# lint-error and syntax-error entries are made up, to exercise crashes.
GUARDRAILS_JSON = json.dumps(
    [
        {
            "file": "migrations/versions/001_drop_column.py",
            "line": 17,
            "rule": "drop-column",
            "severity": "refuse",
            "message": "drop column (its values are lost)",
            "revision": "001_drop_column",
        },
        {
            "file": "migrations/versions/018_add_column_now_default.py",
            "line": 17,
            "rule": "volatile-default-rewrites-table",
            "severity": "review",
            "message": "server default now() is evaluated per row",
            "revision": "018_add_column_now_default",
        },
        {
            "file": "migrations/versions/003_rename_column.py",
            "line": 1,
            "rule": "lint-error",
            "severity": "refuse",
            "message": "upgrade() failed without a database",
            "revision": "003_rename_column",
        },
        {
            "file": "migrations/versions/000_initial_schema.py",
            "line": 40,
            "rule": "index-not-concurrent",
            "severity": "review",
            "message": "ignored: the first revision is not scored",
            "revision": "000_initial_schema",
        },
    ]
)
MIGRATION_LINTER_TEXT = """\
(043_create_table)... OK
(036_add_reference)... ERR
\tCREATE_INDEX
\tCREATE_INDEX_EXCLUSIVE
(004_rename_table)... ERR
\tRENAME_TABLE
(000_initial_schema)... ERR
\tCREATE_INDEX_EXCLUSIVE

*** Summary ***
Valid migrations: 1/4
Erroneous migrations: 3/4
Migrations with warnings: 0/4
Ignored migrations: 0/4
"""
SQUAWK_JSON = json.dumps(
    [
        {
            "file": "/dev/shm/lint-peers-x/squawk-sql-postgresql/006_widen_varchar.sql",
            "line": 4,
            "column": 0,
            "level": "Warning",
            "message": "Changing a column type requires an ACCESS EXCLUSIVE lock on the table.",
            "help": None,
            "rule_name": "changing-column-type",
        },
        {
            "file": "/dev/shm/lint-peers-x/squawk-sql-postgresql/028_raw_sql_create_index.sql",
            "line": 4,
            "column": 0,
            "level": "Error",
            "message": "expected command, found IDENT",
            "help": None,
            "rule_name": "syntax-error",
        },
    ]
)
ALEMBIC_GUARD_JSON = json.dumps(
    [
        {
            "path": "migrations/versions/004_rename_table.py",
            "line": 17,
            "col": 5,
            "rule": "AG004",
            "severity": "error",
        }
    ]
)


def test_the_classifier_on_hand_checked_outputs():
    ours = lint_peers.classify(
        lint_peers.parse_guardrails(GUARDRAILS_JSON), lint_peers.CRASH_RULES["alembic-guardrails"]
    )
    assert ours["drop_column"].flagged and not ours["drop_column"].crashed
    assert ours["add_column_now_default"].rules == ["volatile-default-rewrites-table"]
    assert ours["rename_column"].crashed and not ours["rename_column"].flagged  # lint-error: no verdict
    assert "initial_schema" not in ours and len(ours) == 3

    linter = lint_peers.classify(lint_peers.parse_migration_linter(MIGRATION_LINTER_TEXT))
    assert set(linter) == {"add_reference", "rename_table"}  # OK and the first revision: nothing
    assert linter["add_reference"].rules == ["CREATE_INDEX", "CREATE_INDEX_EXCLUSIVE"]
    with pytest.raises(lint_peers.Unparsable):  # stopped by a traceback before its summary
        lint_peers.parse_migration_linter("(043_create_table)... OK\nTraceback (most recent call last):\n")

    squawk = lint_peers.classify(lint_peers.parse_squawk(SQUAWK_JSON), lint_peers.CRASH_RULES["squawk"])
    assert squawk["widen_varchar"].flagged and squawk["raw_sql_create_index"].crashed
    guard = lint_peers.classify(lint_peers.parse_alembic_guard(ALEMBIC_GUARD_JSON))
    assert guard["rename_table"].flagged and guard["rename_table"].rules == ["AG004"]


def test_the_score_counts_crashes_apart(tmp_path):
    project = corpus.write_project(tmp_path / "pg", "postgresql")
    outcomes = {case.name: lint_peers.Outcome() for case in project.cases}
    outcomes["drop_column"] = lint_peers.Outcome(flagged=True, rules=["drop-column"])  # dangerous, caught
    outcomes["create_table"] = lint_peers.Outcome(flagged=True, rules=["x"])  # safe, flagged
    outcomes["rename_table"] = lint_peers.Outcome(crashed=True, error="boom")  # dangerous, crashed
    row = lint_peers.score("t", project, outcomes, [0.43])
    dangerous = sum(case.dangerous("postgresql") for case in project.cases)
    assert (row.caught, row.dangerous, row.false_positives, row.crashes) == (1, dangerous, 1, 1)
    assert row.safe == len(project.cases) - dangerous
    assert row.seconds_per_100 == pytest.approx(0.43 * 100 / len(project.revisions))

"""Recording a revision without a database (record.py), its ignore comments (ignore.py), its
raw SQL for squawk (squawk.py): in process, over revision files written to a tmp dir."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.operations import ops
from lint_helpers import line_of, lint, make_project, revision_file, squawk_executable

from alembic_guardrails._lint import ignore, run, squawk
from alembic_guardrails._lint.finding import LintFinding
from alembic_guardrails._lint.record import recording


def lint_file(tmp_path: Path, body: str, dialect: str = "postgresql") -> tuple[Path, list[LintFinding]]:
    path = revision_file(tmp_path, "0001", None, body)
    (revision,) = run.revisions_at([path])
    return path, run.lint_revision(revision, dialect, tmp_path)


def rules_at(findings: list[LintFinding]) -> list[tuple[int, str]]:
    return [(f.line, f.rule) for f in findings]


def record(tmp_path: Path, body: str, dialect: str = "postgresql") -> list[ops.MigrateOperation]:
    path = revision_file(tmp_path, "0001", None, body)
    (revision,) = run.revisions_at([path])
    module = revision.load()
    with recording(dialect, path) as recorder:
        module.upgrade()
    return [item.operation for item in recorder.recorded]


def test_every_op_call_is_the_operation_object_autogenerate_builds(tmp_path: Path) -> None:
    recorded = record(
        tmp_path,
        """
        t = op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))
        op.bulk_insert(t, [{"id": 1}])
        op.add_column("u", sa.Column("a", sa.Integer))
        op.alter_column("u", "b", nullable=False)
        op.create_foreign_key("fk_u_t", "u", "t", ["t_id"], ["id"])
        op.execute("SELECT 1")
        """,
    )
    kinds = [type(operation) for operation in recorded]
    assert kinds == [
        ops.CreateTableOp,
        ops.BulkInsertOp,
        ops.AddColumnOp,
        ops.AlterColumnOp,
        ops.CreateForeignKeyOp,
        ops.ExecuteSQLOp,
    ]
    # op.create_table() returned its Table, as online.
    assert isinstance(recorded[1], ops.BulkInsertOp) and isinstance(recorded[1].table, sa.Table)


def test_batch_operations_are_the_plain_ones_on_the_batch_table(tmp_path: Path) -> None:
    recorded = record(
        tmp_path,
        """
        with op.batch_alter_table("users", schema="app", recreate="always") as batch_op:
            batch_op.add_column(sa.Column("a", sa.Integer), insert_before="b")
            batch_op.drop_column("b")
            batch_op.create_index("ix_users_a", ["a"])
        """,
        dialect="sqlite",
    )
    assert [type(operation) for operation in recorded] == [
        ops.AddColumnOp,
        ops.DropColumnOp,
        ops.CreateIndexOp,
    ]
    assert {(operation.table_name, operation.schema) for operation in recorded} == {("users", "app")}


def test_nested_as_autogenerate_nests(tmp_path: Path) -> None:
    path = revision_file(
        tmp_path,
        "0001",
        None,
        """
        op.add_column("a", sa.Column("x", sa.Integer))
        op.create_index("ix_b_y", "b", ["y"])
        op.drop_column("a", "y")
        op.create_table("c", sa.Column("id", sa.Integer, primary_key=True))
        """,
    )
    (revision,) = run.revisions_at([path])
    module = revision.load()
    with recording("sqlite", path) as recorder:
        module.upgrade()
    upgrade_ops = run.nest(recorder.recorded)
    top = upgrade_ops.ops
    assert [type(operation) for operation in top] == [
        ops.ModifyTableOps,
        ops.CreateIndexOp,
        ops.CreateTableOp,
    ]
    assert isinstance(top[0], ops.ModifyTableOps)
    assert [type(operation) for operation in top[0].ops] == [ops.AddColumnOp, ops.DropColumnOp]


def test_what_runs_inside_autocommit_block_is_recorded_so(tmp_path: Path) -> None:
    path = revision_file(
        tmp_path,
        "0001",
        None,
        """
        op.create_index("ix_a", "t", ["a"], postgresql_concurrently=True)
        with op.get_context().autocommit_block():
            op.create_index("ix_b", "t", ["b"], postgresql_concurrently=True)
            with op.batch_alter_table("t") as batch_op:
                batch_op.drop_index("ix_c", postgresql_concurrently=True)
        op.drop_index("ix_d", table_name="t", postgresql_concurrently=True)
        """,
    )
    (revision,) = run.revisions_at([path])
    module = revision.load()
    with recording("postgresql", path) as recorder:
        module.upgrade()
    assert [(item.operation.index_name, item.autocommit) for item in recorder.recorded] == [
        ("ix_a", False),
        ("ix_b", True),
        ("ix_c", True),
        ("ix_d", False),
    ]


def test_concurrently_outside_autocommit_block_is_refused(tmp_path: Path) -> None:
    path, findings = lint_file(
        tmp_path,
        """
        op.create_index("ix_t_a", "t", ["a"], postgresql_concurrently=True)
        with op.get_context().autocommit_block():
            op.create_index("ix_t_b", "t", ["b"], postgresql_concurrently=True)
            op.drop_index("ix_t_c", table_name="t", postgresql_concurrently=True)
        op.drop_index("ix_t_d", table_name="t", postgresql_concurrently=True)
        """,
    )
    assert [(line, rule) for line, rule in rules_at(findings) if rule != "drop-index"] == [
        (line_of(path, "ix_t_a"), "concurrent-index-in-transaction"),
        (line_of(path, "ix_t_d"), "concurrent-index-in-transaction"),
    ]
    assert {f.severity for f in findings if f.rule == "concurrent-index-in-transaction"} == {"refuse"}
    # Other databases ignore postgresql_concurrently.
    (revision,) = run.revisions_at([path])
    assert "concurrent-index-in-transaction" not in {
        f.rule for f in run.lint_revision(revision, "mysql", tmp_path)
    }


def test_a_dialect_check_is_no_data_step(tmp_path: Path) -> None:
    path, findings = lint_file(
        tmp_path,
        """
        if op.get_bind().dialect.name == "postgresql":
            op.drop_column("users", "a")
        """,
    )
    assert rules_at(findings) == [(line_of(path, "op.drop_column"), "drop-column")]


@pytest.mark.parametrize(
    "use",
    [
        'bind.execute(sa.text("UPDATE users SET a = 1"))',
        "sa.inspect(bind).get_columns('users')",
        "[row for row in bind.execute(sa.text('SELECT id FROM users'))]",
    ],
)
def test_a_data_step_stops_the_revision_there(tmp_path: Path, use: str) -> None:
    path, findings = lint_file(
        tmp_path,
        f"""
        op.drop_column("users", "before")
        bind = op.get_bind()
        try:
            {use}
        except Exception:
            pass  # a revision's own handler does not swallow the stop
        op.drop_column("users", "after")
        """,
    )
    assert rules_at(findings) == [
        (line_of(path, "before"), "drop-column"),
        (line_of(path, "op.get_bind()"), "data-step-not-checkable"),
    ]
    assert findings[1].severity == "review"
    assert "not checkable offline" in findings[1].message


def test_a_revision_that_fails_is_a_lint_error_not_a_crash(tmp_path: Path) -> None:
    path, findings = lint_file(tmp_path, 'op.alter_column("users")')  # column_name is missing
    assert rules_at(findings) == [(line_of(path, "op.alter_column"), "lint-error")]
    assert "TypeError" in findings[0].message


def test_a_revision_that_cannot_be_imported_is_a_lint_error(tmp_path: Path) -> None:
    path = tmp_path / "0001_broken.py"
    path.write_text('revision = "0001"\ndown_revision = None\nimport no_such_module_here\n')
    (revision,) = run.revisions_at([path])
    findings = run.lint_revision(revision, "sqlite", tmp_path)
    assert rules_at(findings) == [(3, "lint-error")]
    assert "ModuleNotFoundError" in findings[0].message and findings[0].revision is None
    no_upgrade = tmp_path / "0002_empty.py"
    no_upgrade.write_text('revision = "0002"\ndown_revision = "0001"\n')
    (revision,) = run.revisions_at([no_upgrade])
    assert [f.message for f in run.lint_revision(revision, "sqlite", tmp_path)] == [
        "the revision has no upgrade() function"
    ]


def test_a_broken_file_does_not_hide_the_other_revisions(tmp_path: Path) -> None:
    project = make_project(tmp_path, ['op.drop_table("a")', "op.drop_table('b')"])
    broken = project / "migrations" / "versions" / "0003_step.py"
    broken.write_text('revision = "0003"\ndown_revision = "0002"\ndef upgrade(:\n')
    findings, count = run.lint(
        [], since=None, dialect="sqlite", config_file=str(project / "alembic.ini"), environ={}
    )
    assert count == 3
    versions = project / "migrations" / "versions"
    assert {(Path(f.file).name, f.line, f.rule) for f in findings} == {
        ("0001_step.py", line_of(versions / "0001_step.py", "op.drop_table"), "drop-table"),
        ("0002_step.py", line_of(versions / "0002_step.py", "op.drop_table"), "drop-table"),
        ("0003_step.py", 3, "lint-error"),
    }


# --- ignore comments ---------------------------------------------------------------------------


def test_ignores_with_a_reason_silence_one_rule_on_their_line_or_the_next(tmp_path: Path) -> None:
    path, findings = lint_file(
        tmp_path,
        """
        op.drop_column("t", "a")  # guardrails: ignore[drop-column] -- dropped from the code in v3
        # guardrails: ignore[narrow-type, drop-column]: unused since v2
        op.drop_column("t", "b")
        # guardrails: ignore[drop-table] not this rule
        op.drop_column("t", "c")
        # guardrails: ignore[drop-column] two lines above is too far

        op.drop_column("t", "d")
        x = "# guardrails: ignore[drop-column]"  # in a string: no comment, no finding
        op.drop_column("t", "e")  # guardrails: ignore
        """,
    )
    assert rules_at(findings) == [
        (line_of(path, '"c")'), "drop-column"),
        (line_of(path, '"d")'), "drop-column"),
        (line_of(path, '"e")'), "drop-column"),
        (line_of(path, '"e")'), "ignore-without-reason"),
    ]


def test_an_ignore_comment_without_a_reason_is_refused_even_with_nothing_to_silence(tmp_path: Path) -> None:
    path, findings = lint_file(tmp_path, "pass  # guardrails: ignore[drop-column]")
    assert rules_at(findings) == [(line_of(path, "pass"), "ignore-without-reason")]
    assert findings[0].severity == "refuse"
    assert ignore.ignores(str(path))[0].rules == frozenset({"drop-column"})


# --- raw SQL and squawk ------------------------------------------------------------------------


def test_the_sql_squawk_reads_is_what_upgrade_sql_writes(tmp_path: Path) -> None:
    path = revision_file(
        tmp_path,
        "0001",
        None,
        """
        op.add_column("t", sa.Column("a", sa.Integer))
        op.execute("UPDATE t SET a = 1")
        squawk_ignore("ban-drop-column")
        op.execute(sa.text("ALTER TABLE t DROP COLUMN b"))
        with op.get_context().autocommit_block():
            op.execute("CREATE INDEX CONCURRENTLY ix_t_a ON t (a);")
        """.replace("squawk_ignore", "__import__('alembic_guardrails.helpers').helpers.squawk_ignore"),
    )
    (revision,) = run.revisions_at([path])
    module = revision.load()
    with recording("postgresql", path) as recorder:
        module.upgrade()
    sql, spans = squawk.script(recorder.recorded)
    assert sql.splitlines() == [
        "SET lock_timeout = '500ms';",
        "BEGIN;",
        "UPDATE t SET a = 1;",
        "-- squawk-ignore ban-drop-column",
        "ALTER TABLE t DROP COLUMN b;",
        "COMMIT;",
        "CREATE INDEX CONCURRENTLY ix_t_a ON t (a);",
    ]
    assert [(first, last, item.line) for first, last, item in spans] == [
        (2, 2, line_of(path, "UPDATE t")),
        (4, 4, line_of(path, "DROP COLUMN b")),
        (6, 6, line_of(path, "CREATE INDEX CONCURRENTLY")),
    ]


RAW_SQL = """
op.execute("ALTER TABLE users ADD COLUMN age integer NOT NULL")
"""


@pytest.mark.skipif(squawk_executable() is None, reason="squawk is not installed (pip install squawk-cli)")
def test_raw_sql_goes_to_squawk_on_postgresql(tmp_path: Path) -> None:
    project = make_project(tmp_path, [RAW_SQL])
    # The project's .squawk.toml applies, as it does for `squawk` run there.
    (project / ".squawk.toml").write_text('excluded_rules = ["prefer-bigint-over-int"]\n')
    done = lint(project, "--format", "json", squawk=True)
    line = line_of(project / "migrations" / "versions" / "0001_step.py", "op.execute")
    assert done.returncode == 0, done.stderr  # squawk's violations are review points
    found = {(f["line"], f["rule"], f["severity"]) for f in __import__("json").loads(done.stdout)}
    assert (line, "adding-required-field", "review") in found
    assert all(rule != "prefer-bigint-over-int" for _, rule, _ in found)
    # Not on another database, whose SQL squawk does not read.
    assert lint(project, "--dialect", "mysql", squawk=True).stdout == ""


def test_without_squawk_raw_sql_is_not_checked(tmp_path: Path) -> None:
    project = make_project(tmp_path, [RAW_SQL])
    done = lint(project, squawk=False)
    assert (done.returncode, done.stdout) == (0, "")

"""`alembic-guardrails lint` over a small project of hand-written revisions: the real command,
run as a user runs it (a subprocess in the project's directory), its exit status and formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lint_helpers import line_of, lint, lint_json, make_project, triples

import alembic_guardrails
from alembic_guardrails._cli import main

REVISIONS = [
    # 0001: a new table, its index and rows: nothing to say.
    """
    users = op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50)),
        sa.Column("nick", sa.String(50)),
        sa.Column("email", sa.String(50)),
        sa.Column("legacy", sa.Text),
        sa.Column("other", sa.Text),
    )
    op.create_index("ix_users_name", "users", ["name"])
    op.bulk_insert(users, [{"name": "Ada"}])
    """,
    # 0002: drops (one ignored with a reason, one with a reason-less comment), a NOT NULL
    # column without a default (the call spans lines), an index on a table that has rows.
    """
    # guardrails: ignore[drop-column] nothing reads it since v2.3 (ticket 42)
    op.drop_column("users", "legacy")
    op.drop_column("users", "other")  # guardrails: ignore[drop-column]
    op.add_column(
        "users",
        sa.Column("age", sa.Integer, nullable=False),
    )
    op.create_index("ix_users_email", "users", ["email"])
    """,
    # 0003: batch mode: the plain column operations on the batch's table.
    """
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("nick")
        batch_op.alter_column("name", nullable=False)
        batch_op.alter_column("email", existing_type=sa.String(50), type_=sa.String(10))
    """,
    # 0004: a data step: what comes before it is checked, what comes after it is not.
    """
    op.add_column("users", sa.Column("status", sa.String(20)))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("UPDATE users SET status = 'active'"))
    op.drop_table("users")
    """,
    # 0005: upgrade() fails without a database.
    """
    op.drop_table("gone")
    raise RuntimeError("this revision needs its data")
    """,
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("lint"), REVISIONS)


def versions(project: Path, revision: str) -> Path:
    return project / "migrations" / "versions" / f"{revision}_step.py"


def expected(project: Path, *, dialect: str = "postgresql") -> set[tuple[str, int, str]]:
    v2, v3, v4, v5 = (versions(project, r) for r in ("0002", "0003", "0004", "0005"))
    found = {
        (v2.name, line_of(v2, 'op.drop_column("users", "other")'), "drop-column"),
        (v2.name, line_of(v2, 'op.drop_column("users", "other")'), "ignore-without-reason"),
        (v2.name, line_of(v2, "op.add_column("), "add-not-null-without-default"),
        (v3.name, line_of(v3, 'batch_op.drop_column("nick")'), "drop-column"),
        (v3.name, line_of(v3, 'batch_op.alter_column("name"'), "set-not-null-without-default"),
        (v3.name, line_of(v3, 'batch_op.alter_column("email"'), "narrow-type"),
        (v4.name, line_of(v4, "op.get_bind()"), "data-step-not-checkable"),
        (v5.name, line_of(v5, 'op.drop_table("gone")'), "drop-table"),
        (v5.name, line_of(v5, "raise RuntimeError"), "lint-error"),
    }
    if dialect == "postgresql":
        found.add((v2.name, line_of(v2, "op.create_index("), "index-not-concurrent"))
    else:
        # The data step is PostgreSQL's only: elsewhere the revision goes on to its drop.
        found.remove((v4.name, line_of(v4, "op.get_bind()"), "data-step-not-checkable"))
        found.add((v4.name, line_of(v4, 'op.drop_table("users")'), "drop-table"))
    return found


def test_text_format_one_line_per_finding_and_exit_1_on_a_refusal(project: Path) -> None:
    done = lint(project)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    v2 = versions(project, "0002")
    drop = line_of(v2, 'op.drop_column("users", "other")')
    assert f"migrations/versions/0002_step.py:{drop}: [drop-column] users.other: drop column" in done.stdout
    parsed = set()
    for line in lines:
        where, rule_and_message = line.split(": [", 1)
        path, number = where.rsplit(":", 1)
        parsed.add((Path(path).name, int(number), rule_and_message.split("]", 1)[0]))
    assert parsed == expected(project)
    # The reasoned ignore silenced the drop of users.legacy; the op after the data step is unseen.
    assert "users.legacy" not in done.stdout
    assert "0004_step.py" not in "".join(line for line in lines if "[drop-table]" in line)
    assert "5 revision(s), 10 finding(s), 8 refused, 2 to review" in done.stderr


def test_json_format(project: Path) -> None:
    status, findings = lint_json(project)
    assert status == 1
    assert triples(findings) == expected(project)
    assert all(set(f) >= {"file", "line", "rule", "severity", "message", "revision"} for f in findings)
    by_rule = {f["rule"]: f for f in findings}
    assert by_rule["index-not-concurrent"]["severity"] == "review"
    assert by_rule["data-step-not-checkable"]["severity"] == "review"
    assert by_rule["narrow-type"] == {
        "file": "migrations/versions/0003_step.py",
        "line": line_of(versions(project, "0003"), 'batch_op.alter_column("email"'),
        "rule": "narrow-type",
        "severity": "refuse",
        "message": "users.email: narrow type VARCHAR(50) -> VARCHAR(10)",
        "revision": "0003",
    }
    for rule in ("lint-error", "ignore-without-reason", "drop-table", "add-not-null-without-default"):
        assert by_rule[rule]["severity"] == "refuse", rule
    assert "RuntimeError: this revision needs its data" in by_rule["lint-error"]["message"]


def test_github_format(project: Path) -> None:
    done = lint(project, "--format", "github")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == len(expected(project))
    v3 = versions(project, "0003")
    line = line_of(v3, 'batch_op.drop_column("nick")')
    assert (
        f"::error file=migrations/versions/0003_step.py,line={line},title=drop-column::"
        "[drop-column] users.nick: drop column (its values are lost)"
    ) in lines
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert {line.split("title=")[1].split("::")[0] for line in warnings} == {
        "index-not-concurrent",
        "data-step-not-checkable",
    }
    assert all(line.startswith(("::error ", "::warning ")) for line in lines)


def test_since_lints_only_the_revisions_after_it(project: Path) -> None:
    status, findings = lint_json(project, "--since", "0003")
    assert status == 1
    assert {Path(f["file"]).name for f in findings} == {"0004_step.py", "0005_step.py"}
    status, findings = lint_json(project, "--since", "0004", "--dialect", "sqlite")
    assert {Path(f["file"]).name for f in findings} == {"0005_step.py"}


def test_since_an_unknown_revision_is_a_usage_error(project: Path) -> None:
    done = lint(project, "--since", "dead")
    assert done.returncode == 2
    assert "dead" in done.stderr


def test_dialect_picks_the_rules(project: Path) -> None:
    # On MySQL no CONCURRENTLY to ask for (index-not-concurrent is PostgreSQL's), and the
    # revision's `bind.dialect.name` check answers as the database would.
    status, findings = lint_json(project, "--dialect", "mysql")
    assert status == 1
    assert triples(findings) == expected(project, dialect="mysql")


def test_paths_lint_the_files_named(project: Path) -> None:
    status, findings = lint_json(project, "migrations/versions/0003_step.py", "--dialect", "sqlite")
    assert status == 1
    assert {f["rule"] for f in findings} == {"drop-column", "set-not-null-without-default", "narrow-type"}
    assert {f["revision"] for f in findings} == {"0003"}


def test_dialect_from_database_url_else_a_usage_error(tmp_path: Path) -> None:
    project = make_project(tmp_path, ['op.create_index("ix_t_a", "t", ["a"])'], url=None)
    # From DATABASE_URL's scheme, driver and all.
    status, findings = lint_json(project, DATABASE_URL="postgresql+psycopg://u@h/db")
    assert (status, [f["rule"] for f in findings]) == (0, ["index-not-concurrent"])
    status, findings = lint_json(project, DATABASE_URL="sqlite:///app.db")
    assert (status, findings) == (0, [])
    done = lint(project)
    assert done.returncode == 2
    assert "--dialect" in done.stderr


def test_help_documents_the_command() -> None:
    done = lint(Path.cwd(), "--help")
    assert done.returncode == 0
    for word in ("--since", "--dialect", "--format", "-c", "PATHS", "guardrails: ignore[", "lint-error"):
        assert word in done.stdout, word


def test_no_project_is_a_usage_error_not_a_traceback(tmp_path: Path) -> None:
    done = lint(tmp_path)  # no alembic.ini here, no PATHS
    assert done.returncode == 2
    assert "alembic.ini" in done.stderr and "Traceback" not in done.stderr


def test_version_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"alembic-guardrails {alembic_guardrails.__version__}"


def test_a_clean_project_exits_0(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        [
            'op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))',
            """
            op.add_column("t", sa.Column("note", sa.Text))
            op.add_column("t", sa.Column("kind", sa.String(10), nullable=False, server_default="a"))
            with op.get_context().autocommit_block():
                op.create_index("ix_t_kind", "t", ["kind"], postgresql_concurrently=True)
            """,
        ],
    )
    done = lint(project, "--format", "json")
    assert (done.returncode, json.loads(done.stdout)) == (0, [])

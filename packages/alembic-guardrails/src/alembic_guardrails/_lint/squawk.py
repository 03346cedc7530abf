"""Raw SQL of a revision (`op.execute(...)`) handed to squawk, on PostgreSQL.

The rules of rules/ judge Alembic's operation objects; a string of SQL is
opaque to them. squawk (https://squawkhq.com, `pip install squawk-cli`) parses
PostgreSQL's SQL and has rules of its own. When it is on PATH, a revision's
`op.execute()` statements go to it in one script, as `alembic upgrade --sql`
would write them: the lock timeout the run sets at the top, the statements
inside BEGIN/COMMIT, those of `autocommit_block()` outside. Each violation is a
finding at the line of its `op.execute()`, with squawk's rule id and severity
review. squawk runs in the project's directory, so the project's .squawk.toml
(excluded rules) applies. Without squawk, or on another database, raw SQL is
not checked.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic.operations import ops
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement

from .._retries import offline_timeouts
from .finding import SQUAWK_ERROR, LintFinding
from .record import Recorded, offline_context

TIMEOUT_SECONDS = 120


def statement_sql(operation: ops.ExecuteSQLOp, dialect: Dialect) -> str | None:
    """The SQL text of an `op.execute()` (a string, or a construct compiled with literal values)."""
    sqltext: Any = operation.sqltext
    if isinstance(sqltext, str):
        return sqltext
    if isinstance(sqltext, ClauseElement):
        try:
            return str(sqltext.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        except Exception:
            try:
                return str(sqltext.compile(dialect=dialect))
            except Exception:
                return None
    return None


def script(recorded: Sequence[Recorded]) -> tuple[str, list[tuple[int, int, Recorded]]]:
    """The SQL squawk reads, and for each statement its (first, last) line (0-based) and its call."""
    output = io.StringIO()
    context = offline_context("postgresql", output)
    offline_timeouts(context)  # as at the top of `--sql` output: SET lock_timeout ...
    lines = output.getvalue().rstrip().splitlines()
    spans: list[tuple[int, int, Recorded]] = []
    in_transaction = False
    for item in recorded:
        if not isinstance(item.operation, ops.ExecuteSQLOp):
            continue
        sql = statement_sql(item.operation, context.dialect)
        if sql is None or not sql.strip():
            continue
        if item.autocommit and in_transaction:
            lines.append("COMMIT;")
        elif not item.autocommit and not in_transaction:
            lines.append("BEGIN;")
        in_transaction = not item.autocommit
        lines.extend(item.squawk_ignores)
        first = len(lines)
        body = sql.strip().rstrip(";").splitlines()
        lines.extend(body[:-1])
        lines.append(body[-1] + ";")
        spans.append((first, len(lines) - 1, item))
    if in_transaction:
        lines.append("COMMIT;")
    return "\n".join(lines) + "\n", spans


def _statement_at(line: int, spans: list[tuple[int, int, Recorded]]) -> Recorded:
    """The statement a violation at `line` belongs to (a BEGIN or SET before it: the next one)."""
    for _first, last, item in spans:
        if line <= last:
            return item
    return spans[-1][2]


def findings(
    recorded: Sequence[Recorded],
    dialect: str,
    *,
    path: str,
    revision: str | None,
    project_dir: Path,
    executable: str | None = None,
) -> list[LintFinding]:
    if dialect != "postgresql":
        return []
    executable = executable or shutil.which("squawk")
    if executable is None:
        return []
    sql, spans = script(recorded)
    if not spans:
        return []

    def failed(detail: str) -> list[LintFinding]:
        return [
            LintFinding(path, spans[0][2].line, SQUAWK_ERROR, "review", f"squawk failed: {detail}", revision)
        ]

    try:
        done = subprocess.run(
            [executable, "--reporter", "json"],
            input=sql,
            capture_output=True,
            text=True,
            cwd=project_dir,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return failed(str(error))
    try:
        violations = json.loads(done.stdout)
    except ValueError:
        return failed(done.stderr.strip() or f"exit status {done.returncode}, no JSON report")
    found = []
    for violation in violations:
        item = _statement_at(int(violation.get("line", 0)), spans)
        message = str(violation.get("message", ""))
        if violation.get("help"):
            message += f" ({violation['help']})"
        rule = str(violation.get("rule_name") or "squawk")
        found.append(LintFinding(path, item.line, rule, "review", f"squawk: {message}", revision))
    return found

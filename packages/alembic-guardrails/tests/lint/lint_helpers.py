"""Small Alembic projects with hand-written revisions, and the real `alembic-guardrails lint` over them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

PYTHON = sys.executable
PG_URL = "postgresql://lint@localhost/lint"

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
{url}
"""

# The offline half of the template's env.py: what `alembic upgrade --sql` runs.
ENV_PY = """\
from alembic import context
from alembic_guardrails import Guardrails

config = context.config
guardrails = Guardrails.from_config(config)
url = config.get_main_option("sqlalchemy.url")
context.configure(url=url, literal_binds=True, **guardrails.options(url))
with context.begin_transaction():
    guardrails.offline_timeouts(context.get_context())
    context.run_migrations()
"""

REVISION = '''\
"""{revision}"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = {down!r}


def upgrade():
{body}


def downgrade():
    pass
'''


def revision_file(versions: Path, revision: str, down: str | None, body: str) -> Path:
    """versions/<revision>_step.py whose upgrade() is `body` (dedented, indented once)."""
    path = versions / f"{revision}_step.py"
    code = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    path.write_text(REVISION.format(revision=revision, down=down, body=code), encoding="utf-8")
    return path


def make_project(root: Path, bodies: list[str], *, url: str | None = PG_URL) -> Path:
    """alembic.ini, migrations/env.py and one revision per body: 0001, 0002, ... in a line."""
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    url_line = f"sqlalchemy.url = {url}" if url else ""
    (root / "alembic.ini").write_text(ALEMBIC_INI.format(url=url_line), encoding="utf-8")
    (root / "migrations" / "env.py").write_text(ENV_PY, encoding="utf-8")
    down = None
    for number, body in enumerate(bodies, start=1):
        revision = f"{number:04d}"
        revision_file(versions, revision, down, body)
        down = revision
    return root


def line_of(path: Path, text: str, occurrence: int = 1) -> int:
    """The line number of the `occurrence`-th line of `path` containing `text`."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{text!r} not in {path}")


def squawk_executable() -> str | None:
    """squawk on PATH, or next to this venv's python (squawk-cli installed, venv not activated)."""
    beside = Path(PYTHON).parent / "squawk"
    return shutil.which("squawk") or (str(beside) if beside.exists() else None)


def environment(*, squawk: bool = False, **extra: str) -> dict[str, str]:
    """The environment the command runs in: no DATABASE_URL unless given; squawk on PATH or not."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ALEMBIC_CONFIG")}
    if squawk:
        executable = squawk_executable()
        assert executable, "squawk is not installed"
        env["PATH"] = os.pathsep.join([str(Path(executable).parent), env.get("PATH", "")])
    else:
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not _has_squawk(p))
    env.update(extra)
    return env


def _has_squawk(directory: str) -> bool:
    return bool(directory) and (Path(directory) / "squawk").exists()


def lint(project: Path, *args: str, squawk: bool = False, **env: str) -> subprocess.CompletedProcess[str]:
    """`alembic-guardrails lint ARGS` run in `project`, as a user runs it."""
    return subprocess.run(
        [PYTHON, "-m", "alembic_guardrails._cli", "lint", *args],
        cwd=project,
        env=environment(squawk=squawk, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def lint_json(project: Path, *args: str, **env: Any) -> tuple[int, list[dict[str, Any]]]:
    done = lint(project, "--format", "json", *args, **env)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def triples(findings: list[dict[str, Any]]) -> set[tuple[str, int, str]]:
    """(file name, line, rule) of each finding of a json report."""
    return {(Path(f["file"]).name, f["line"], f["rule"]) for f in findings}

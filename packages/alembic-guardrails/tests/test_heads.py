"""`alembic-guardrails heads`: labelled branches pass, two heads on one branch are refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic_project import Project, url_of

GUARDRAILS = Path(sys.executable).parent / "alembic-guardrails"


def heads(project: Project) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GUARDRAILS), "heads"], cwd=project.directory, capture_output=True, text=True, timeout=120
    )


def revision(project: Project, *arguments: str) -> str:
    output = project.ok("revision", *arguments).stdout
    return Path(output.split("Generating ")[1].split(" ...")[0]).name.split("_")[0]


def test_a_labelled_branch_passes_and_an_accident_is_refused(alembic_engine, tmp_path):
    project = Project(tmp_path / "project", url_of(alembic_engine))
    project.models("import sqlalchemy as sa\nmetadata = sa.MetaData()\n")
    base = revision(project, "-m", "base")
    revision(project, "-m", "billing base", "--head=base", "--branch-label=billing")
    listed = heads(project)
    assert listed.returncode == 0 and "branch billing" in listed.stdout and "(no label)" in listed.stdout

    # Two developers, one parent: two heads on the main line.
    first = revision(project, "-m", "one", f"--head={base}")
    second = revision(project, "-m", "two", f"--head={base}", "--splice")
    refused = heads(project)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    (line,) = refused.stderr.splitlines()
    # Beside the billing branch, `merge heads` would merge it too: the command names the two.
    assert "2 heads on the main line" in line
    assert f'alembic merge -m "merge heads" {" ".join(sorted([first, second]))}' in line

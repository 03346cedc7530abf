"""Projects created with cruft stay in step with the template: `cruft check`, then `cruft update`.

cruft reads templates from git, so each test works on a git copy of this
template and commits changes to that copy, never to this repository.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import TEMPLATE

SLUG_DIR = "{{cookiecutter.project_slug}}"
# The whole template (cookiecutter.json, hooks/, templates/ for includes, the project), without
# version control or what tools leave behind.
LEFTOVERS = shutil.ignore_patterns(
    ".git",
    ".nox",
    ".venv",
    "__pycache__",
    "*.py[cod]",
    ".ruff_cache",
    ".pytest_cache",
    ".benchmarks",
    "*.sqlite3",
)
# Commits made here must not depend on the machine's git configuration.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "template-tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "template-tests@example.com",
}


def run(*command: str, cwd, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        command, cwd=cwd, env={**os.environ, **GIT_IDENTITY}, capture_output=True, text=True, timeout=300
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


# `python -m cruft`, except that cruft's optional `examples` import (a docs-only decorator) is
# turned off: aiomysql installs a stray top-level `examples/` directory of MySQL scripts, which
# cruft would import instead, and crash on, wherever both are installed.
CRUFT = "import sys; sys.modules['examples'] = None; from cruft._cli import app; app(prog_name='cruft')"


def cruft(cwd, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run(sys.executable, "-c", CRUFT, *args, cwd=cwd, check=check)


def commit_all(repo, message: str) -> str:
    run("git", "add", "-A", cwd=repo)
    run("git", "commit", "-q", "-m", message, cwd=repo)
    return run("git", "rev-parse", "HEAD", cwd=repo).stdout.strip()


def append(path, line: str) -> None:
    path.write_text(path.read_text() + line)


@pytest.fixture
def template_repo(tmp_path):
    """A git repository holding a copy of this template (its working tree, uncommitted work included)."""
    repo = tmp_path / "template"
    shutil.copytree(TEMPLATE, repo, ignore=LEFTOVERS)
    run("git", "init", "-q", "-b", "main", cwd=repo)
    commit_all(repo, "template")
    return repo


def create(template_repo, tmp_path, **answers):
    """`cruft create` a project, and make it the git repository `cruft update` needs."""
    output = tmp_path / "projects"
    cruft(
        tmp_path,
        "create",
        "--no-input",
        "--output-dir",
        str(output),
        "--extra-context",
        json.dumps(answers),
        str(template_repo),
    )
    (project,) = output.iterdir()
    run("git", "init", "-q", "-b", "main", cwd=project)
    commit_all(project, "baked with cruft")
    return project


def update(project) -> None:
    cruft(project, "update", "--skip-apply-ask", "--allow-untracked-files")
    assert not list(project.rglob("*.rej")), "the update left conflicts behind"


def test_cruft_check_passes_and_update_brings_template_changes(template_repo, tmp_path):
    project = create(template_repo, tmp_path, ci="github", database="postgresql")
    state = json.loads((project / ".cruft.json").read_text())
    assert state["commit"] == run("git", "rev-parse", "HEAD", cwd=template_repo).stdout.strip()
    assert state["context"]["cookiecutter"]["ci"] == "github"
    assert "up to date" in cruft(project, "check").stdout

    # The team changes the template: a rendered file and the CI file copied as is.
    append(template_repo / SLUG_DIR / ".gitignore", ".mypy_cache/\n")
    append(template_repo / SLUG_DIR / ".github/workflows/ci.yml", "# template change\n")
    new_commit = commit_all(template_repo, "template: ignore .mypy_cache")
    # Meanwhile the project has work of its own, which the update must keep.
    models = project / state["context"]["cookiecutter"]["package_name"] / "models.py"
    append(models, "# the project's own change\n")
    commit_all(project, "project work")

    stale = cruft(project, "check", check=False)
    assert stale.returncode != 0 and "out of date" in stale.stdout

    update(project)
    assert (project / ".gitignore").read_text().endswith(".mypy_cache/\n")
    assert (project / ".github/workflows/ci.yml").read_text().endswith("# template change\n")
    assert models.read_text().endswith("# the project's own change\n")
    assert json.loads((project / ".cruft.json").read_text())["commit"] == new_commit
    assert "up to date" in cruft(project, "check").stdout


def test_cruft_update_keeps_the_ci_choice(template_repo, tmp_path):
    project = create(template_repo, tmp_path, ci="gitlab", database="postgresql")
    assert not (project / ".github").exists()

    append(template_repo / SLUG_DIR / ".github/workflows/ci.yml", "# github change\n")
    append(template_repo / SLUG_DIR / ".gitlab-ci.yml", "# gitlab change\n")
    commit_all(template_repo, "template: both CI files change")

    update(project)
    # The post-gen hook runs in cruft's re-bakes too: the GitHub workflow stays out.
    assert (project / ".gitlab-ci.yml").read_text().endswith("# gitlab change\n")
    assert not (project / ".github").exists()
    assert "up to date" in cruft(project, "check").stdout


def test_cruft_update_moves_a_02_project_to_the_vendored_library(template_repo, tmp_path):
    # The template as it was at 0.2.0, before the library move (this repository's history).
    from test_copier import LIBRARY_MOVE, commit_before, template_at

    current = tmp_path / "current"
    shutil.copytree(template_repo, current, ignore=shutil.ignore_patterns(".git"))
    for entry in template_repo.iterdir():
        if entry.name != ".git":
            run("rm", "-rf", entry.name, cwd=template_repo)
    template_at(template_repo, commit_before(LIBRARY_MOVE), ["."])
    commit_all(template_repo, "0.2.0")
    project = create(template_repo, tmp_path)
    package = project / "my_service"
    assert (package / "migrations" / "guards.py").exists()
    append(package / "models.py", "# the project's own change\n")
    commit_all(project, "project work")

    # The template now: the update removes the machinery and brings the library as vendor/.
    for entry in template_repo.iterdir():
        if entry.name != ".git":
            run("rm", "-rf", entry.name, cwd=template_repo)
    for entry in current.iterdir():
        entry.rename(template_repo / entry.name)
    commit_all(template_repo, "0.3.0")

    update(project)
    assert not list((package / "migrations").glob("*.py"))
    assert (project / "vendor" / "alembic-guardrails" / "src" / "alembic_guardrails" / "__init__.py").exists()
    assert (package / "models.py").read_text().endswith("# the project's own change\n")
    assert "up to date" in cruft(project, "check").stdout

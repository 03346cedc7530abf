"""Keep only the whole files the answers chose (CI configuration, examples, language), and vendor
the alembic-guardrails library.

Each CI system has one whole file in the template, copied without rendering
(`_copy_without_render` in cookiecutter.json: GitHub's expressions use the same
double braces as Jinja). Every bake gets all of them; this hook deletes the
ones not chosen, so the files themselves hold no template conditionals.
Cookiecutter runs it inside the new project directory, and so does
`cruft update` when it re-bakes the template, which keeps a deleted CI file
deleted across updates.

Cookiecutter renders this file with Jinja before running it: no double braces
in it but the one line that reads the answers, as JSON data (`tojson`), never
pasted into code.
"""

import json
import os
import shutil
import sys
from pathlib import Path

CI_FILES = {
    "github": [".github/workflows/ci.yml", ".github/dependabot.yml"],
    "gitlab": [".gitlab-ci.yml", "renovate.json"],
    "none": [],
}
# Each CI file comes in one whole file per database (the service the jobs run against):
# NAME.yml for PostgreSQL, NAME.mysql.yml, NAME.sqlite.yml; the chosen one becomes NAME.yml.
CI_DATABASE_VARIANTS = [".github/workflows/ci.yml", ".gitlab-ci.yml"]


def choose_ci_database(project: Path, database: str) -> None:
    for relative in CI_DATABASE_VARIANTS:
        base = project / relative
        for variant in ("mysql", "sqlite"):
            path = base.with_name(base.name.replace(".yml", f".{variant}.yml"))
            if variant == database and path.exists():
                path.replace(base)
            path.unlink(missing_ok=True)


def remove_unchosen_ci(project: Path, choice: str) -> None:
    # `choice` is one of CI_FILES: cookiecutter itself refuses other values.
    for other, paths in CI_FILES.items():
        if other == choice:
            continue
        for relative in paths:
            (project / relative).unlink(missing_ok=True)
    # A directory only the removed files lived in goes too (.github/workflows, .github).
    for directory in (project / ".github" / "workflows", project / ".github"):
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()


# The tutorials' examples (with_examples): revisions after the first one, and their walkthrough.
EXAMPLE_FILES = [
    "alembic/versions/20251128_1300_7d2e4c6a8b10_demo_data.py",
    "alembic/versions/20251128_1400_9a4f1b3c5d20_add_user_status.py",
    "alembic/versions/20251128_1401_b6c8d0e2f430_backfill_user_status.py",
    "EXAMPLES.md",
    "EXAMPLES.zh.md",
    "tests/test_data_migrations.py",
]
# Files written once per docs_language: NAME.EXT (en) and NAME.zh.EXT (zh), such as the
# README and what the guided tour says.
TRANSLATED = ["README.md", "EXAMPLES.md", "tools/tour_text.py", "alembic/env.py"]


def choose_engine(project: Path, package: str, use_async: bool) -> None:
    """db.py is the sync engine; an async project gets db_async.py under that name."""
    async_db, db = project / package / "db_async.py", project / package / "db.py"
    if use_async:
        async_db.replace(db)
    async_db.unlink(missing_ok=True)


def remove_examples(project: Path) -> None:
    for relative in EXAMPLE_FILES:
        (project / relative).unlink(missing_ok=True)


def choose_language(project: Path, language: str) -> None:
    """Keep each translated file in the chosen language, under its plain name."""
    for name in TRANSLATED:
        english = project / name
        chinese = english.with_suffix(".zh" + english.suffix)
        if language == "zh" and chinese.exists():
            chinese.replace(english)
        chinese.unlink(missing_ok=True)


# Server databases get compose.yaml (the database, the one-shot `migrate`, the app) and the
# image it builds; SQLite needs no server.
COMPOSE_FILES = {"postgresql": "compose.postgresql.yaml", "mysql": "compose.mysql.yaml"}
IMAGE_FILES = ["Dockerfile", ".dockerignore"]


def choose_compose(project: Path, database: str) -> None:
    for choice, name in COMPOSE_FILES.items():
        if choice == database:
            (project / name).replace(project / "compose.yaml")
        else:
            (project / name).unlink(missing_ok=True)
    if database not in COMPOSE_FILES:
        for name in IMAGE_FILES:
            (project / name).unlink(missing_ok=True)


# The library env.py runs on, as it lives in the template repository, and what of it a
# project carries: what `pip install` / `uv sync` needs to build it, nothing of its tests.
LIBRARY = Path("packages", "alembic-guardrails")
VENDORED = ["pyproject.toml", "README.md", "CHANGELOG.md", "docs", "src"]
BUILD_LEFTOVERS = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")


def vendor_guardrails(project: Path, template_root: Path, source: str) -> None:
    """guardrails_source=vendor: a pinned copy in vendor/alembic-guardrails (a path source for uv).

    `cruft update` / `copier update` re-run this, so a new library version arrives as a
    replaced vendor folder, never as a merge into the project's own code.
    """
    if source != "vendor":
        return
    library = template_root / LIBRARY
    if not (library / "pyproject.toml").is_file():
        sys.exit(
            f"ERROR: the template has no {LIBRARY.as_posix()} at {template_root}; bake from a whole clone"
        )
    target = project / "vendor" / "alembic-guardrails"
    shutil.rmtree(target, ignore_errors=True)
    for name in VENDORED:
        if (library / name).is_dir():
            shutil.copytree(library / name, target / name, ignore=BUILD_LEFTOVERS)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(library / name, target / name)


def template_root(answers: dict) -> Path:
    """Where the template was read from: cookiecutter's `_repo_dir` (a local clone of a URL too).

    `cookiecutter .` gives it relative to where cookiecutter ran, and this hook runs in the new
    project's directory. cookiecutter runs hooks from inside the template (its process is in
    `_repo_dir` then): its working directory answers first, where the system shows it.
    """
    repo_dir = Path(answers.get("_repo_dir") or answers.get("_template") or ".")
    candidates = [repo_dir] if repo_dir.is_absolute() else []
    candidates += [
        Path(f"/proc/{os.getppid()}/cwd"),
        Path(os.environ.get("PWD", ".")) / repo_dir,
        Path(answers.get("_output_dir", ".")) / repo_dir,
    ]
    for candidate in candidates:
        if (candidate / LIBRARY / "pyproject.toml").is_file():
            return candidate.resolve()
    return repo_dir.resolve()


if __name__ == "__main__":
    # cookiecutter renders the answers into this file; copier (copier.yml `_tasks`)
    # runs it unrendered and passes them as the first argument, the template root as the second.
    answers = json.loads(sys.argv[1] if len(sys.argv) > 1 else r"""{{ cookiecutter | tojson }}""")
    root = Path(sys.argv[2]) if len(sys.argv) > 2 else template_root(answers)
    project = Path.cwd()
    choose_ci_database(project, answers["database"])
    remove_unchosen_ci(project, answers["ci"])
    choose_engine(project, answers["package_name"], answers["use_async"])
    if not answers["with_examples"]:
        remove_examples(project)
    choose_language(project, answers["docs_language"])
    choose_compose(project, answers["database"])
    vendor_guardrails(project, root, answers.get("guardrails_source", "vendor"))

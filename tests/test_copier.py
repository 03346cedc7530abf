"""copier renders this same template: the same project as cookiecutter, the same refusals, and updates.

Each test works on a git copy of this template (copier reads templates from git
and resolves versions from PEP 440 tags), never on this repository.
"""

import filecmp
import json
import os
import re
import subprocess
import sys

import pytest
import yaml
from test_cruft import SLUG_DIR, append, commit_all, create, run, template_repo  # noqa: F401 (fixture)

from baked import BIN
from conftest import IN_CI, TEMPLATE

ANSWERS_FILE = ".copier-answers.yml"
ANSWERS_TEMPLATE = "{% if _copier_conf is defined %}{{ _copier_conf.answers_file }}{% endif %}"
LAYOUT_MOVE = "Package layout: the migration machinery moves to <package>/migrations"
LIBRARY_MOVE = "Library move: the migration machinery becomes alembic-guardrails"


def copier(*args: str, cwd, check: bool = True) -> subprocess.CompletedProcess:
    return run(str(BIN / "copier"), *args, cwd=cwd, check=check)


def data_args(answers: dict) -> list[str]:
    return [
        f"--data={key}={json.dumps(value) if isinstance(value, bool) else value}"
        for key, value in answers.items()
    ]


def copier_copy(template, destination, answers: dict, *, vcs_ref: str | None = None, check: bool = True):
    ref = [f"--vcs-ref={vcs_ref}"] if vcs_ref else []
    return copier(
        "copy",
        "--trust",
        "--defaults",
        *ref,
        *data_args(answers),
        str(template),
        str(destination),
        cwd=destination.parent,
        check=check,
    )


def tree(root) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def tag(repo, version: str) -> None:
    run("git", "tag", version, cwd=repo)


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {
            "project_name": 'Bob\'s "Billing" Service',
            "database": "postgresql",
            "ci": "gitlab",
            "docs_language": "zh",
            "with_examples": True,
            "use_async": True,
            "protected_tables": "users,invoices",
        },
        {"database": "mysql", "ci": "none", "package_name": "billing_core", "with_examples": True},
    ],
    ids=["defaults", "postgresql-gitlab-zh-examples-async", "mysql-no-ci-own-package"],
)
def test_copier_bakes_the_same_project_as_cookiecutter(template_repo, tmp_path, bake, answers):  # noqa: F811
    baked = bake(**answers)
    copied = tmp_path / "copied"
    copier_copy(template_repo, copied, answers)

    # The only extra file: copier's record of the answers and template commit, for `copier update`.
    assert tree(copied) - tree(baked.path) == {ANSWERS_FILE}
    assert tree(baked.path) == tree(copied) - {ANSWERS_FILE}
    _, mismatch, errors = filecmp.cmpfiles(baked.path, copied, sorted(tree(baked.path)), shallow=False)
    assert (mismatch, errors) == ([], [])

    recorded = yaml.safe_load((copied / ANSWERS_FILE).read_text())
    for key in ("project_slug", "package_name", "database", "ci", "docs_language", "with_examples"):
        assert recorded[key] == baked.context[key], key
    assert "answers_checked" not in recorded  # a check, not an answer


def test_copier_asks_the_questions_cookiecutter_asks():
    questions = yaml.safe_load((TEMPLATE / "copier.yml").read_text())
    cookiecutter = json.loads((TEMPLATE / "cookiecutter.json").read_text())
    asked = {key for key, value in questions.items() if not key.startswith("_") and "when" not in value}
    assert asked == {key for key in cookiecutter if not key.startswith("_")}
    for key in asked:
        default = cookiecutter[key]
        if isinstance(default, list):  # a cookiecutter choice: same values, first one the default
            assert list(questions[key]["choices"].values()) == default, key
            assert questions[key]["default"] == default[0], key
        elif "{{" not in str(default):
            assert questions[key]["default"] == default, key
        prompt = cookiecutter["__prompts__"][key]
        if isinstance(prompt, dict):  # a choice: its question, then a label per value
            assert questions[key]["choices"] == {prompt[value]: value for value in default}, key
            prompt = prompt["__prompt__"]
        assert questions[key]["help"] == prompt, key


BAD_ANSWERS = [
    {"project_slug": "my service"},
    {"package_name": "my-service"},
    {"package_name": "class"},
    {"package_name": "MyService"},
    {"package_name": "alembic"},
    {"package_name": "logging"},
    {"project_name": "2048 Service"},  # derived: package_name '2048_service'
    {"protected_tables": "users; drop"},
    {"ignored_table_prefixes": "tmp-"},
]


@pytest.mark.parametrize("answers", BAD_ANSWERS, ids=lambda answers: "-".join(map(str, answers.values())))
def test_copier_refuses_what_the_pre_gen_hook_refuses_with_the_same_lines(template_repo, tmp_path, answers):  # noqa: F811
    baked = subprocess.run(
        [str(BIN / "cookiecutter"), "--no-input", "-o", str(tmp_path / "cc"), str(template_repo)]
        + [f"{key}={value}" for key, value in answers.items()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    copied = copier_copy(template_repo, tmp_path / "copied", answers, check=False)

    cookiecutter_errors = [line for line in baked.stderr.splitlines() if line.startswith("ERROR:")]
    copier_errors = [line for line in copied.stderr.splitlines() if line.startswith("ERROR:")]
    assert baked.returncode != 0 and copied.returncode == 1
    assert cookiecutter_errors and copier_errors == cookiecutter_errors
    assert "Traceback" not in copied.stderr
    assert not (tmp_path / "copied").exists(), "a refused copy must write nothing"


@pytest.fixture
def tagged_template(template_repo):  # noqa: F811
    tag(template_repo, "1.0.0")
    return template_repo


def test_copier_update_brings_a_later_template_version_and_keeps_the_projects_edits(
    tagged_template, tmp_path
):
    project = tmp_path / "project"
    copier_copy(tagged_template, project, {"ci": "gitlab", "database": "postgresql"})
    run("git", "init", "-q", "-b", "main", cwd=project)
    commit_all(project, "baked with copier")
    models = project / "my_service" / "models.py"
    append(models, "# the project's own change\n")
    commit_all(project, "project work")

    # The template's next version: a rendered file, a verbatim CI file and one the project did not choose.
    append(tagged_template / SLUG_DIR / ".gitignore", ".mypy_cache/\n")
    append(tagged_template / SLUG_DIR / ".gitlab-ci.yml", "# template change\n")
    append(tagged_template / SLUG_DIR / ".github/workflows/ci.yml", "# github change\n")
    commit_all(tagged_template, "template: ignore .mypy_cache")
    tag(tagged_template, "1.1.0")

    copier("update", "--trust", "--defaults", cwd=project)

    # A reviewable change in the working tree, not a commit: `git diff` shows what the template brought.
    changed = set(run("git", "diff", "--name-only", cwd=project).stdout.split())
    assert {".gitignore", ".gitlab-ci.yml", ANSWERS_FILE} <= changed
    assert "my_service/models.py" not in changed
    assert (project / ".gitignore").read_text().endswith(".mypy_cache/\n")
    assert (project / ".gitlab-ci.yml").read_text().endswith("# template change\n")
    assert models.read_text().endswith("# the project's own change\n")
    assert not (project / ".github").exists(), "the post-gen hook keeps the unchosen CI file out"
    assert not list(project.rglob("*.rej"))
    assert yaml.safe_load((project / ANSWERS_FILE).read_text())["_commit"] == "1.1.0"


def readme_commands(heading: str) -> str:
    """The first ```bash block of the template README's section `heading`."""
    readme = (TEMPLATE / "README.md").read_text()
    section = readme[readme.index(heading) :]
    return re.search(r"```bash\n(.*?)```", section, re.DOTALL)[1]


def test_a_cruft_project_moves_to_copier_with_the_readmes_commands(template_repo, tmp_path):  # noqa: F811
    tag(template_repo, "0.2.0")
    project = create(template_repo, tmp_path, database="mysql", ci="gitlab", package_name="billing")
    models = project / "billing" / "models.py"
    append(models, "# the project's own change\n")
    commit_all(project, "project work")

    # The README's step 2, as written, pointed at this template copy and this machine's tools.
    answers = tmp_path / "answers.yml"
    script = (
        readme_commands("### Moving a project from cruft to copier")
        .replace("uvx --with copier-template-extensions copier", str(BIN / "copier"))
        .replace("https://github.com/YOUR-ORG/cookiecutter-alembic", str(template_repo))
        .replace("/tmp/answers.yml", str(answers))
        .replace("python -c", f"{sys.executable} -c")
    )
    run("bash", "-euc", script, cwd=project)
    # Step 3: only the answers file is new; nothing of the project was overwritten or brought back.
    assert run("git", "status", "--porcelain", cwd=project).stdout.splitlines() == [f"?? {ANSWERS_FILE}"]
    answered = yaml.safe_load((project / ANSWERS_FILE).read_text())
    assert (answered["_commit"], answered["database"], answered["package_name"]) == (
        "0.2.0",
        "mysql",
        "billing",
    )
    run("git", "rm", "-q", ".cruft.json", cwd=project)
    commit_all(project, "from cruft to copier")

    # From then on, copier update brings the template's next version and keeps the project's edits.
    append(template_repo / SLUG_DIR / ".gitignore", ".mypy_cache/\n")
    commit_all(template_repo, "template: ignore .mypy_cache")
    tag(template_repo, "0.2.1")
    copier("update", "--trust", "--defaults", cwd=project)
    assert (project / ".gitignore").read_text().endswith(".mypy_cache/\n")
    assert models.read_text().endswith("# the project's own change\n")
    assert not (project / ".github").exists() and not list(project.rglob("*.rej"))


def test_copier_update_from_a_relative_template_clone_without_tags(template_repo, tmp_path):  # noqa: F811
    # The team's clone of the template, beside its projects: no tags (shallow clones and forks have none).
    tag(template_repo, "1.0.0")
    clone = tmp_path / "cookiecutter-alembic"
    run("git", "clone", "-q", "--no-tags", str(template_repo), str(clone), cwd=tmp_path)
    services = tmp_path / "services"
    services.mkdir()
    # Baked from a path relative to where copier runs, not to the project: recorded relative to the project.
    copier("copy", "--trust", "--defaults", "../cookiecutter-alembic", "my-service", cwd=services)
    project = services / "my-service"
    assert yaml.safe_load((project / ANSWERS_FILE).read_text())["_src_path"] == "../../cookiecutter-alembic"
    run("git", "init", "-q", "-b", "main", cwd=project)
    commit_all(project, "baked with copier")
    models = project / "my_service" / "models.py"
    append(models, "# the project's own change\n")
    commit_all(project, "project work")

    # The template moves on (tagged where it lives; the clone pulls no tags).
    append(template_repo / SLUG_DIR / ".gitignore", ".mypy_cache/\n")
    commit_all(template_repo, "template: ignore .mypy_cache")
    tag(template_repo, "1.1.0")

    # The README's steps, as written, with this machine's copier and this layout's clone path.
    script = (
        readme_commands("### Updating from a clone of the template")
        .replace("uvx --with copier-template-extensions copier", str(BIN / "copier"))
        .replace("../cookiecutter-alembic", "../../cookiecutter-alembic")
    )
    run("bash", "-euc", script, cwd=project)
    assert run("git", "tag", cwd=clone).stdout == ""
    assert (project / ".gitignore").read_text().endswith(".mypy_cache/\n")
    assert models.read_text().endswith("# the project's own change\n")
    assert not list(project.rglob("*.rej"))
    recorded = yaml.safe_load((project / ANSWERS_FILE).read_text())
    assert recorded["_src_path"] == "../../cookiecutter-alembic"
    assert recorded["_commit"] == run("git", "rev-parse", "--short", "HEAD", cwd=clone).stdout.strip()


def commit_before(message: str) -> str:
    """The template's last commit before the one whose message starts with `message` (this repository's history)."""
    found = subprocess.run(
        ["git", "log", "--format=%H", "-1", f"--grep=^{message}"],
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
    )
    if found.returncode != 0 or not found.stdout.strip():
        problem = f"this repository's git history (the commit {message!r}) is not available"
        if IN_CI:
            pytest.fail(f"{problem} (CI=true: clone with history)")
        pytest.skip(problem)
    return found.stdout.strip() + "^"


def template_at(repo, commit: str, paths: list[str]) -> None:
    """Replace `paths` of the template copy by what they were at `commit` of this repository."""
    archive = subprocess.run(
        ["git", "archive", commit, *paths], cwd=TEMPLATE, capture_output=True, check=True
    )
    for path in paths:
        if path != ".":
            run("rm", "-rf", path, cwd=repo)
    subprocess.run(["tar", "-x"], input=archive.stdout, cwd=repo, check=True)


def runs_clean(project, tmp_path) -> None:
    """The project's own code imports, and its migrations upgrade and compare clean."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PYTHONPATH": str(project)}
    for command in (
        ["python", "-c", "import my_service.jobs"],
        ["alembic", "upgrade", "head"],
        ["alembic", "check"],
    ):
        done = subprocess.run(
            [str(BIN / command[0]), *command[1:]], cwd=project, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"


def test_copier_migrations_move_an_old_layout_project_forward(template_repo, tmp_path):  # noqa: F811
    # 0.1.0: this template with the project directory as it was before the layout moved.
    current = tmp_path / "current"
    (template_repo / SLUG_DIR).rename(current)
    template_at(template_repo, commit_before(LAYOUT_MOVE), [SLUG_DIR, "templates"])
    # That version already records copier's answers (the file came with copier.yml).
    (template_repo / SLUG_DIR / ANSWERS_TEMPLATE).write_text((current / ANSWERS_TEMPLATE).read_text())
    commit_all(template_repo, "0.1.0: machinery at the package's top level")
    tag(template_repo, "0.1.0")

    project = tmp_path / "project"
    copier_copy(template_repo, project, {})
    assert (project / "my_service" / "migration_guards.py").exists()
    # The project's own code, written against the old layout.
    jobs = project / "my_service" / "jobs.py"
    jobs.write_text(
        "from my_service import batched\n"
        "from my_service.revision_helpers import environment\n\n"
        "BATCH = batched.backfill\nENV = environment\n"
    )
    run("git", "init", "-q", "-b", "main", cwd=project)
    commit_all(project, "baked with copier 0.1.0, and a module of our own")

    # 0.3.0: today's layout; the update runs the 0.2.0 and the 0.3.0 migrations in turn.
    run("rm", "-rf", SLUG_DIR, cwd=template_repo)
    current.rename(template_repo / SLUG_DIR)
    run("git", "checkout", "HEAD~1", "--", "templates", cwd=template_repo)
    commit_all(template_repo, "0.3.0: machinery in alembic-guardrails")
    tag(template_repo, "0.3.0")

    result = copier("update", "--trust", "--defaults", cwd=project)
    assert "rewrote imports in my_service/jobs.py" in result.stdout + result.stderr

    package = project / "my_service"
    assert not (package / "migration_guards.py").exists() and not (package / "batched.py").exists()
    assert not (package / "migrations").exists()
    assert (project / "vendor" / "alembic-guardrails" / "pyproject.toml").exists()
    assert jobs.read_text().startswith(
        "from alembic_guardrails import backfill as batched\nfrom alembic_guardrails.helpers import environment\n"
    )
    runs_clean(project, tmp_path)
    assert yaml.safe_load((project / ANSWERS_FILE).read_text())["_commit"] == "0.3.0"


def test_copier_update_moves_a_02_project_to_the_library_and_keeps_its_edits(template_repo, tmp_path):  # noqa: F811
    # 0.2.0: this whole repository as it was before the library move.
    current = tmp_path / "current"
    template_repo.rename(current)
    template_repo.mkdir()
    run("git", "init", "-q", "-b", "main", cwd=template_repo)
    template_at(template_repo, commit_before(LIBRARY_MOVE), ["."])
    commit_all(template_repo, "0.2.0")
    tag(template_repo, "0.2.0")

    project = tmp_path / "project"
    copier_copy(template_repo, project, {})
    assert (project / "my_service" / "migrations" / "guards.py").exists()
    # The project's own edits: a model comment, and a hand-written revision using the old helpers.
    models = project / "my_service" / "models.py"
    append(models, "# the project's own change")
    revision = project / "alembic" / "versions" / "20260101_0000_0a1b2c3d4e5f_seed.py"
    revision.write_text(
        '"""seed"""\n\nfrom alembic import op\n\n'
        "from my_service.migrations.helpers import environment\n\n"
        'revision = "0a1b2c3d4e5f"\ndown_revision = "5f3a9c2e1b7d"\nbranch_labels = None\ndepends_on = None\n\n\n'
        'def upgrade() -> None:\n    if environment() != "prod":\n'
        "        op.execute(\"INSERT INTO users (name) VALUES ('seed')\")\n\n\n"
        "def downgrade() -> None:\n    op.execute(\"DELETE FROM users WHERE name = 'seed'\")\n"
    )
    (project / "my_service" / "jobs.py").write_text("from my_service.migrations import backfill\n")
    run("git", "init", "-q", "-b", "main", cwd=project)
    commit_all(project, "baked with copier 0.2.0, and our own code")

    # 0.3.0: this repository as it is now.
    for entry in template_repo.iterdir():
        if entry.name != ".git":
            run("rm", "-rf", entry.name, cwd=template_repo)
    for entry in current.iterdir():
        if entry.name != ".git":
            entry.rename(template_repo / entry.name)
    commit_all(template_repo, "0.3.0")
    tag(template_repo, "0.3.0")

    copier("update", "--trust", "--defaults", cwd=project)
    assert models.read_text().rstrip().endswith("# the project's own change")
    assert "from alembic_guardrails.helpers import environment" in revision.read_text()
    assert not (project / "my_service" / "migrations").exists()
    assert (project / "vendor" / "alembic-guardrails" / "src" / "alembic_guardrails" / "__init__.py").exists()
    assert "Guardrails.from_config" in (project / "alembic" / "env.py").read_text()
    assert not list(project.rglob("*.rej"))
    runs_clean(project, tmp_path)

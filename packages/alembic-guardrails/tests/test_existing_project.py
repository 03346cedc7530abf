"""README "Add to an existing project": its diffs, applied to the env.py `alembic init` writes.

For the `generic` and `async` templates: `alembic init` (the real CLI of this venv) in a tmp
dir, the README's diff applied to the fresh env.py (the test fails when it no longer applies),
then `target_metadata` wired to a small models module (a real project already has that line),
and the commands a project runs: autogenerate and upgrade, `alembic check`, a dropped column
refused by autogenerate, and written with `-x allow_destructive=true`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.config import Config

from alembic_guardrails import Guardrails

README = Path(__file__).resolve().parents[1] / "README.md"
ALEMBIC = Path(sys.executable).parent / "alembic"
SECTION = "## Add to an existing project"

MODELS = """\
from sqlalchemy import Column, Integer, MetaData, String, Table

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(50), nullable=False),
{email}
)
"""
EMAIL = '    Column("email", String(100), nullable=True),'


def readme_diffs() -> dict[str, str]:
    """The fenced ```diff blocks under "Add to an existing project", by template."""
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, f"README.md has no {SECTION!r} section"
    section = text.split(SECTION, 1)[1]
    section = re.split(r"^## ", section, maxsplit=1, flags=re.MULTILINE)[0]
    blocks = re.findall(r"^```diff\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    diffs = {"async" if "do_run_migrations" in block else "generic": block for block in blocks}
    assert len(blocks) == 2 and set(diffs) == {"generic", "async"}, blocks
    return diffs


def apply_diff(diff: str, directory: Path) -> None:
    """Apply it as a reader would: `patch -p1` (no fuzz), else `git apply`."""
    if shutil.which("patch"):
        command = ["patch", "-p1", "--forward", "--batch", "--fuzz=0", "--no-backup-if-mismatch"]
    elif shutil.which("git"):
        command = ["git", "apply", "-p1", "-"]
    else:
        pytest.skip("neither patch nor git is installed")
    result = subprocess.run(command, input=diff, cwd=directory, capture_output=True, text=True)
    assert result.returncode == 0, (
        f"the README diff no longer applies to `alembic init`'s env.py:\n{result.stdout}{result.stderr}"
    )


def alembic(project: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    environment.pop("TEST_DATABASE_URL", None)
    return subprocess.run(
        [str(ALEMBIC), *arguments], cwd=project, capture_output=True, text=True, env=environment, timeout=60
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{result.args} exited {result.returncode}:\n{output}"
    return output


@pytest.mark.parametrize(
    ("template", "driver"), [("generic", "sqlite"), ("async", "sqlite+aiosqlite")], ids=["generic", "async"]
)
def test_readme_diff_on_a_fresh_alembic_init(tmp_path: Path, template: str, driver: str) -> None:
    if template == "async":
        pytest.importorskip("aiosqlite")
    project = tmp_path / "project"
    project.mkdir()
    ok(alembic(project, "init", "-t", template, "migrations"))
    env_py = project / "migrations" / "env.py"
    versions = project / "migrations" / "versions"

    apply_diff(readme_diffs()[template], env_py.parent)
    assert "**guardrails.options(connection)" in env_py.read_text()

    # What a real project already has: its database URL and its models' metadata.
    ini = project / "alembic.ini"
    database = tmp_path / "app.sqlite3"
    ini_text, count = re.subn(
        r"^sqlalchemy\.url = .*$", f"sqlalchemy.url = {driver}:///{database}", ini.read_text(), flags=re.M
    )
    assert count == 1
    ini.write_text(ini_text)
    env_text = env_py.read_text()
    assert env_text.count("target_metadata = None\n") == 1
    env_py.write_text(
        env_text.replace("target_metadata = None\n", "from models import metadata as target_metadata\n")
    )
    models = project / "models.py"
    models.write_text(MODELS.format(email=EMAIL))

    ok(alembic(project, "revision", "--autogenerate", "-m", "init"))
    ok(alembic(project, "upgrade", "head"))
    written = sorted(versions.glob("*.py"))
    assert len(written) == 1 and "create_table('users'" in written[0].read_text()

    # Models and database agree: `alembic check` passes through the guards untouched.
    assert "No new upgrade operations detected" in ok(alembic(project, "check"))

    # The email column leaves the models: autogenerate refuses, names the rule, writes nothing.
    models.write_text(MODELS.format(email=""))
    refused = alembic(project, "revision", "--autogenerate", "-m", "drop")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "drop-column" in output and "allow_destructive=true" in output, output
    assert sorted(versions.glob("*.py")) == written

    # The override writes it.
    ok(alembic(project, "-x", "allow_destructive=true", "revision", "--autogenerate", "-m", "drop"))
    added = set(versions.glob("*.py")) - set(written)
    assert len(added) == 1
    assert "drop_column('email')" in added.pop().read_text()  # batch mode on SQLite


def test_offline_options_take_the_url_string_of_a_stock_env_py() -> None:
    """The stock env.py passes `config.get_main_option("sqlalchemy.url")`, a string."""
    options = Guardrails(config=Config()).options
    assert options("sqlite:////tmp/app.sqlite3")["render_as_batch"] is True
    assert options("sqlite+aiosqlite:///app.sqlite3")["render_as_batch"] is True
    assert options("postgresql+psycopg://u@h/db")["render_as_batch"] is False
    assert options("sqlite")["render_as_batch"] is True

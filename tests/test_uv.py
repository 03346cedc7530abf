"""uv first: `uv sync` writes uv.lock, `uv run` runs the tools, nox installs exactly the lock.

Needs PyPI (or a mirror uv is configured for): `uv sync` resolves the baked
project's dependencies for real.
"""

import os
import shutil

from baked import BIN

# The uv that runs nox (the template's noxfile passes it as UV), else one on PATH.
SEARCH = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
UV = shutil.which(os.environ.get("UV") or "uv", path=SEARCH) or shutil.which("uv", path=SEARCH) or "uv"


def test_uv_sync_then_uv_run_nox_in_a_fresh_bake(bake, tmp_path):
    project = bake()
    assert not (project.path / "uv.lock").exists(), "the lock is the project's to write, not the template's"
    scratch = {"DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}"}

    project.run(UV, "sync", check=True)
    assert (project.path / ".venv" / "pyvenv.cfg").exists(), "uv sync did not make the project's .venv"
    lock = (project.path / "uv.lock").read_text()
    for package in ("alembic", "sqlalchemy", "pytest-alembic", "nox"):
        assert f'name = "{package}"' in lock, package

    project.run(UV, "run", "alembic", "upgrade", "head", env=scratch, check=True)
    assert "(head)" in project.run(UV, "run", "alembic", "current", env=scratch, check=True).stdout

    tests = project.run(UV, "run", "nox", "-s", "lint", "tests", check=True, timeout=600)
    # Both sessions install exactly the lock (lint too: the ruff the lock pins).
    assert tests.stderr.count("uv sync --locked") == 2, "a nox session did not install from uv.lock"
    assert "passed" in tests.stdout + tests.stderr

    # A dependency added to pyproject.toml without `uv lock`: the session refuses the stale lock.
    project.edit(
        "pyproject.toml", '    "python-dotenv>=1.0",\n', '    "python-dotenv>=1.0",\n    "idna>=3",\n'
    )
    stale = project.run(UV, "run", "--frozen", "nox", "-s", "check", timeout=600)
    assert stale.returncode != 0
    assert "uv sync --locked" in stale.stderr and "lock" in stale.stderr.lower()


def test_readme_main_path_is_uv_and_pip_the_alternative(bake):
    for language in ("en", "zh"):
        readme = (bake(docs_language=language).path / "README.md").read_text()
        install = readme[readme.index("## 1.") : readme.index("## 2.")]
        assert install.index("uv sync") < install.index('pip install -e ".[dev]"'), language
        assert "git add uv.lock" in install and "uv run alembic" in install, language

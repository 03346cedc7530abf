"""The bake depends on alembic-guardrails instead of copying it: the package is the application's.

The library lives in packages/alembic-guardrails; a bake carries a pinned copy in
vendor/alembic-guardrails (guardrails_source=vendor, the default) or pins the version from the
team's own package index (guardrails_source=index).
"""

import json
import re
import subprocess
import tomllib

import pytest
from test_uv import UV

from baked import BIN
from conftest import TEMPLATE

LIBRARY = TEMPLATE / "packages" / "alembic-guardrails"
IMPORTS_ALEMBIC = re.compile(r"^\s*(import alembic\b|from alembic\b)", re.MULTILINE)
APPLICATION_MODULES = ["__init__.py", "db.py", "models.py", "schema.py", "settings.py"]


def library_version() -> str:
    source = (LIBRARY / "src" / "alembic_guardrails" / "__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', source, re.MULTILINE)[1]


def shipped(library) -> dict[str, bytes]:
    """What a copy of the library ships, file by file: its sources, metadata and documents."""
    files = {
        path.relative_to(library).as_posix(): path.read_bytes()
        for path in [*(library / "src").rglob("*"), *(library / "docs").rglob("*")]
        if path.is_file() and "__pycache__" not in path.parts and ".egg-info" not in str(path)
    }
    for name in ("pyproject.toml", "README.md", "CHANGELOG.md"):
        files[name] = (library / name).read_bytes()
    return files


@pytest.mark.parametrize(
    "answers",
    [
        {"database": "sqlite"},
        {"database": "postgresql", "use_async": True, "with_examples": True},
        {"database": "mysql", "docs_language": "zh", "with_examples": True},
    ],
    ids=["sqlite", "postgresql-async-examples", "mysql-zh-examples"],
)
def test_the_package_holds_the_application_only(bake, answers):
    project = bake(**answers)
    modules = sorted(path.name for path in project.package.rglob("*.py"))
    assert modules == APPLICATION_MODULES
    importing = [
        path.name for path in project.package.rglob("*.py") if IMPORTS_ALEMBIC.search(path.read_text())
    ]
    assert importing == []
    env = (project.path / "alembic" / "env.py").read_text()
    assert len(env.splitlines()) <= 100
    assert "Guardrails.from_config" in env


def test_the_bake_vendors_the_pinned_library_version(bake):
    project = bake()
    version = library_version()
    vendored = project.path / "vendor" / "alembic-guardrails"
    assert shipped(vendored) == shipped(LIBRARY)
    assert not (vendored / "tests").exists()
    pyproject = tomllib.loads((project.path / "pyproject.toml").read_text())
    assert f"alembic-guardrails=={version}" in pyproject["project"]["dependencies"]
    assert pyproject["tool"]["uv"]["sources"]["alembic-guardrails"] == {"path": "vendor/alembic-guardrails"}
    # The template's own record of the version (cookiecutter.json) follows the library's.
    assert json.loads((TEMPLATE / "cookiecutter.json").read_text())["_guardrails_version"] == version


def test_alembic_guardrails_version_prints_the_library_version():
    done = subprocess.run([str(BIN / "alembic-guardrails"), "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == f"alembic-guardrails {library_version()}"


def test_the_wheel_and_sdist_install_into_a_clean_venv_and_serve_an_index_bake(bake, tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([UV, "build", "--quiet", str(LIBRARY), "-o", str(dist)], check=True)
    wheel, sdist = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    assert len(wheel) == 1 and len(sdist) == 1
    for artefact in (wheel[0], sdist[0]):
        venv = tmp_path / f"venv-{artefact.suffix}"
        subprocess.run([UV, "venv", "--quiet", str(venv)], check=True)
        subprocess.run([UV, "pip", "install", "--quiet", "--python", str(venv), str(artefact)], check=True)
        done = subprocess.run(
            [str(venv / "bin" / "alembic-guardrails"), "--version"], capture_output=True, text=True
        )
        assert done.stdout.strip() == f"alembic-guardrails {library_version()}", artefact.name
        assert list(venv.glob("lib/python*/site-packages/alembic_guardrails/py.typed")), artefact.name

    # guardrails_source=index: no vendor folder, the version pinned, installed from the team's index
    # (here a folder of wheels, as `uv sync` reads one with UV_FIND_LINKS).
    project = bake(guardrails_source="index")
    assert not (project.path / "vendor").exists()
    pyproject = tomllib.loads((project.path / "pyproject.toml").read_text())
    assert f"alembic-guardrails=={library_version()}" in pyproject["project"]["dependencies"]
    assert "sources" not in pyproject.get("tool", {}).get("uv", {})
    project.run(UV, "sync", env={"UV_FIND_LINKS": str(dist)}, check=True, timeout=600)
    scratch = {"DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}"}
    project.run(UV, "run", "--frozen", "alembic", "upgrade", "head", env=scratch, check=True)
    assert (
        "No new upgrade operations"
        in project.run(UV, "run", "--frozen", "alembic", "check", env=scratch, check=True).stdout
    )


@pytest.mark.parametrize("choice", ["sqlite", "postgresql", "mysql"])
def test_the_bakes_revisions_pass_the_linter_and_a_typed_drop_does_not(bake, choice):
    project = bake(database=choice, with_examples=True)
    lint = [str(BIN / "alembic-guardrails"), "lint", "--dialect", choice]
    clean = project.run(*lint)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    # A hand-written revision autogenerate would have refused: refused here too, with its rule id.
    (project.path / "alembic" / "versions" / "20260101_0000_0b1c2d3e4f50_drop_name.py").write_text(
        '"""drop name"""\n\nfrom alembic import op\n\nrevision = "0b1c2d3e4f50"\n'
        'down_revision = "b6c8d0e2f430"\nbranch_labels = None\ndepends_on = None\n\n\n'
        "def upgrade() -> None:\n"
        '    with op.batch_alter_table("users") as batch_op:\n'
        '        batch_op.drop_column("name")\n\n\n'
        "def downgrade() -> None:\n    pass\n"
    )
    refused = project.run(*lint, "--format", "json")
    assert refused.returncode == 1
    (finding,) = json.loads(refused.stdout)
    assert finding["rule"] == "drop-column" and finding["line"] == 13 and finding["severity"] == "refuse"

"""The autogenerate plugin from an installed wheel, through the `alembic` command of a fresh virtualenv.

Alembic's own tests do not load a plugin from an installed package. Here the
library is built as a wheel (from a copy of what a wheel is made of, so the
build leaves nothing in the source tree), installed with uv into a new
virtualenv next to the Alembic and SQLAlchemy versions running these tests,
and `alembic init` makes a project whose env.py passes
`Guardrails.from_config(config).options(connection)` to context.configure().

What it shows, on SQLite: a non-native Enum gains a value its CHECK does not
allow yet. Alembic alone finds nothing (`alembic check` is clean); with the
plugin, `alembic check` reports the type change. And both paths that set the
plugin up:

- the wheel's `alembic.plugins` entry point, loaded by `import alembic` itself
  (half-way through it: the package imports lazily, see __init__.py), on the
  Alembic version running these tests (1.18 iterates over what the entry
  point loads, 1.20.1 takes a module: `_plugin` is both);
- Guardrails.options() (`_plugin.register()`), for the package used without
  being installed: a wheel built without the entry point.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import sqlalchemy as sa

LIBRARY = Path(__file__).resolve().parents[1]
# What a wheel is built from (the template vendors the same, with the changelog).
SOURCES = ["pyproject.toml", "README.md", "src"]
BUILD_LEFTOVERS = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
ENTRY_POINT = """[project.entry-points."alembic.plugins"]
alembic_guardrails = "alembic_guardrails._plugin"
"""

MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData()
tickets = sa.Table(
    "tickets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("status", sa.Enum({values}, name="ticket_status", native_enum=False, create_constraint=True)),
)
"""

ENV_PY = '''
"""env.py of the test project: the library's options in context.configure(), online only."""

import os
from importlib.metadata import entry_points

from alembic import context
from alembic.runtime import plugins
from sqlalchemy import engine_from_config, pool

import models
from alembic_guardrails import Guardrails

# Before env.py calls anything: only an entry point, loaded by `import alembic`, sets the plugin up.
print("alembic.plugins entry points:", sorted(point.name for point in entry_points(group="alembic.plugins")))
print("plugin set up before options():", "alembic_guardrails" in plugins._all_plugins)

config = context.config
engine = engine_from_config(config.get_section(config.config_ini_section, {}), "sqlalchemy.", poolclass=pool.NullPool)
with engine.connect() as connection:
    stock = os.environ.get("STOCK_ALEMBIC") == "1"
    options = {} if stock else Guardrails.from_config(config).options(connection)
    context.configure(connection=connection, target_metadata=models.metadata, **options)
    with context.begin_transaction():
        context.run_migrations()
'''


def uv() -> str:
    here = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which("uv", path=here)
    if found is None:
        pytest.skip("uv is not installed")
    return found


def run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def checked(*command: str | Path, **options):
    result = run(*command, **options)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


def install_wheel(directory: Path, *, entry_point: bool = True) -> Path:
    """Build the library's wheel (maybe without its entry point), install it in a new venv: its bin/."""
    source = directory / "source"
    for name in SOURCES:
        if (LIBRARY / name).is_dir():
            shutil.copytree(LIBRARY / name, source / name, ignore=BUILD_LEFTOVERS)
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(LIBRARY / name, source / name)
    pyproject = source / "pyproject.toml"
    assert ENTRY_POINT in pyproject.read_text()
    if not entry_point:
        pyproject.write_text(pyproject.read_text().replace(ENTRY_POINT, ""))
    checked(uv(), "build", "--quiet", "--wheel", source, "-o", directory / "dist")
    (wheel,) = (directory / "dist").glob("alembic_guardrails-*.whl")
    venv = directory / "venv"
    checked(uv(), "venv", "--quiet", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    pins = [f"alembic=={version('alembic')}", f"sqlalchemy=={version('sqlalchemy')}"]
    checked(uv(), "pip", "install", "--quiet", "--python", python, wheel, *pins)
    return venv / "bin"


def make_project(directory: Path, bin_: Path) -> Path:
    """`alembic init`, a SQLite database holding a tickets table (open, closed), models adding "held"."""
    project = directory / "project"
    project.mkdir()
    checked(bin_ / "alembic", "init", "migrations", cwd=project)
    ini = project / "alembic.ini"
    lines = ini.read_text().splitlines()
    (url,) = [index for index, line in enumerate(lines) if line.startswith("sqlalchemy.url")]
    lines[url] = "sqlalchemy.url = sqlite:///%(here)s/app.db"
    ini.write_text("\n".join(lines) + "\n")
    (project / "migrations" / "env.py").write_text(ENV_PY.lstrip())
    in_database = {}
    exec(MODELS.format(values='"open", "closed"'), in_database)
    engine = sa.create_engine(f"sqlite:///{project / 'app.db'}")
    with engine.begin() as connection:
        in_database["metadata"].create_all(connection)
    engine.dispose()
    (project / "models.py").write_text(MODELS.format(values='"open", "closed", "held"').lstrip())
    return project


def check_sees_the_new_enum_value(bin_: Path, project: Path) -> str:
    stock = checked(bin_ / "alembic", "check", cwd=project, env={"STOCK_ALEMBIC": "1"})
    assert "No new upgrade operations detected" in stock.stdout + stock.stderr  # Alembic alone
    result = run(bin_ / "alembic", "check", cwd=project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "New upgrade operations detected" in output
    assert "modify_type" in output and "'held'" in output
    assert "DeprecationWarning" not in output
    return result.stdout


def test_the_entry_point_sets_the_plugin_up_as_alembic_is_imported(tmp_path):
    bin_ = install_wheel(tmp_path)
    project = make_project(tmp_path, bin_)
    # Every alembic command of the environment still works with the entry point installed.
    checked(bin_ / "python", "-W", "error", "-c", "import alembic.config", cwd=tmp_path)
    stdout = check_sees_the_new_enum_value(bin_, project)
    assert "alembic.plugins entry points: ['alembic_guardrails']" in stdout
    assert "plugin set up before options(): True" in stdout


def test_without_the_entry_point_options_set_the_plugin_up(tmp_path):
    bin_ = install_wheel(tmp_path, entry_point=False)
    project = make_project(tmp_path, bin_)
    stdout = check_sees_the_new_enum_value(bin_, project)
    assert "alembic.plugins entry points: []" in stdout
    assert "plugin set up before options(): False" in stdout

"""A tiny Alembic project in a temporary directory, driven through the real `alembic` command.

Its env.py passes `Guardrails.from_config(config).options(connection)` to
context.configure(), as README "Add to an existing project" says, comparing only
the project's own tables; models.py is what each test writes. The database is the one the tests run on (the
`alembic_engine` fixture: TEST_DATABASE_URL, else a SQLite file).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ALEMBIC = Path(sys.executable).parent / "alembic"

ENV_PY = """
import functools

from alembic import context
from sqlalchemy import engine_from_config, pool

import models
from alembic_guardrails import Guardrails

config = context.config
guardrails = Guardrails.from_config(config)
engine = engine_from_config(config.get_section(config.config_ini_section, {}), "sqlalchemy.", poolclass=pool.NullPool)
# The test database may hold other tests' tables: compare only this project's (models.TABLES, if set).
tables = getattr(models, "TABLES", set(models.metadata.tables))


def include_name(name, type_, parent_names, guarded=None):
    return (type_ != "table" or name in tables) and guarded(name, type_, parent_names)


with engine.connect() as connection:
    options = guardrails.options(connection)
    options["include_name"] = functools.partial(include_name, guarded=options["include_name"])
    context.configure(connection=connection, target_metadata=models.metadata, **options)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
"""

# Alembic's generic script.py.mako, importing models for the types a test defines there, with the
# `post_deploy` marker the README's "Add to an existing project" adds.
SCRIPT_MAKO = '''<%!
    from alembic_guardrails.helpers import post_deploy_requested
%>"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""
from alembic import op
import sqlalchemy as sa
import models  # noqa: F401
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}
% if post_deploy_requested(config):
post_deploy = True
% endif


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''


class Project:
    """alembic.ini, migrations/env.py and models.py in `directory`, on the database at `url`."""

    def __init__(self, directory: Path, url: str, *, language: str = "en") -> None:
        self.directory = directory
        self.versions = directory / "migrations" / "versions"
        self.versions.mkdir(parents=True)
        (directory / "migrations" / "env.py").write_text(ENV_PY.lstrip())
        (directory / "migrations" / "script.py.mako").write_text(SCRIPT_MAKO)
        (directory / "alembic.ini").write_text(
            "[alembic]\n"
            "script_location = %(here)s/migrations\n"
            "prepend_sys_path = .\n"
            f"sqlalchemy.url = {url.replace('%', '%%')}\n"
            f"language = {language}\n"
        )

    def models(self, source: str) -> None:
        (self.directory / "models.py").write_text(source)

    def alembic(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        # No bytecode: models.py changes within the second, and a stale .pyc would be read.
        environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        return subprocess.run(
            [str(ALEMBIC), *arguments],
            cwd=self.directory,
            capture_output=True,
            text=True,
            env=environment,
            timeout=300,
        )

    def ok(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        result = self.alembic(*arguments)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"alembic {' '.join(arguments)} exited {result.returncode}:\n{output}"
        assert "Traceback" not in output, output
        return result

    def migrate(self, message: str) -> str:
        """`revision --autogenerate` then `upgrade head`: the revision file's text."""
        before = set(self.versions.glob("*.py"))
        self.ok("revision", "--autogenerate", "-m", message)
        (written,) = set(self.versions.glob("*.py")) - before
        self.ok("upgrade", "head")
        return written.read_text()


def url_of(engine: object) -> str:
    """The engine's URL with its password, for alembic.ini."""
    return engine.url.render_as_string(hide_password=False)  # type: ignore[attr-defined]

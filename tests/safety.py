"""What the production-safety tests share.

Revisions written into a baked project, looks into its database, and processes
started and waited for as a user (or an orchestrator) would.
"""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from baked import BIN, SCRUBBED

FIRST_REVISION = "5f3a9c2e1b7d"  # the template's create_users_table revision

TEMPLATE = '''"""{message}

Revision ID: {revision}
Revises: {down_revision}
"""

import os
import time

import sqlalchemy as sa
from alembic import op
{imports}
revision = "{revision}"
down_revision = "{down_revision}"
branch_labels = None
depends_on = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def write_revision(
    project,
    revision: str,
    down_revision: str,
    upgrade: str,
    downgrade: str = "pass",
    *,
    imports: str = "",
    message: str | None = None,
) -> Path:
    """A revision file after `down_revision`; `upgrade` and `downgrade` are function bodies."""
    message = message or revision
    number = len(project.versions()) + 1
    path = project.path / "alembic" / "versions" / f"20260101_0000{number:02d}_{revision}.py"
    path.write_text(
        TEMPLATE.format(
            message=message,
            revision=revision,
            down_revision=down_revision,
            imports=imports,
            upgrade=textwrap.indent(textwrap.dedent(upgrade).strip(), "    "),
            downgrade=textwrap.indent(textwrap.dedent(downgrade).strip(), "    "),
        )
    )
    return path


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def query(url: str, sql: str, **params) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def execute(url: str, sql: str, rows: list[dict] | None = None) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(sql), rows or {})
    finally:
        engine.dispose()


def current(project, env: dict[str, str]) -> str:
    """What `alembic current` says the database is at (revision id, or '' at base)."""
    lines = project.alembic("current", env=env).stdout.split()
    return lines[0] if lines else ""


def environment(**extra: str) -> dict[str, str]:
    """The environment BakedProject.run gives a command, for processes started by hand."""
    env = {key: value for key, value in os.environ.items() if key not in SCRUBBED}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def wait_until(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)

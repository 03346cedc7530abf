"""Retire a column, then drop it post-deploy: the zero-downtime column drop, through the real CLI.

1. The model retires `nickname` (NOT NULL, no default): autogenerate writes no drop, only
   `nullable=True` (the new code's INSERTs leave it out); `alembic check` is clean; rows are kept.
2. `-x post_deploy=true` writes the drop in a revision marked `post_deploy = True`, accepted
   without `-x allow_destructive=true`; lint agrees (a post-deploy revision's drop is planned).
3. `-x phase=pre upgrade head` holds it (and what follows it) back and says so; `-x phase=post`
   applies it; down and up again on the rows.
4. A script.py.mako that cannot write the marker is refused with the lines to add.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from alembic_project import ENV_PY, Project, url_of
from sqlalchemy import inspect
from sqlalchemy import text as sql_text

from alembic_guardrails._messages import text

GUARDRAILS = Path(sys.executable).parent / "alembic-guardrails"
MODELS = """
import sqlalchemy as sa
from alembic_guardrails import retire

metadata = sa.MetaData()
users = sa.Table(
    "ret_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(20), nullable=False),
    {extra}
)
"""
NICKNAME = 'sa.Column("nickname", sa.String(20), nullable=False),'
RETIRED = '**retire("nickname"),'
NOTE = 'sa.Column("note", sa.String(20)), **retire("nickname"),'


# The run-time session (README "Use it from env.py") applies the deploy phase.
GUARDED_ENV_PY = ENV_PY.replace(
    "    with context.begin_transaction():\n        context.run_migrations()",
    "    with guardrails.guarded(context.get_context()), context.begin_transaction():\n"
    "        context.run_migrations()",
)


def guarded_project(directory: Path, url: str) -> Project:
    assert GUARDED_ENV_PY != ENV_PY
    project = Project(directory, url)
    (directory / "migrations" / "env.py").write_text(GUARDED_ENV_PY.lstrip())
    return project


def written(project: Project, *arguments: str) -> Path:
    before = set(project.versions.glob("*.py"))
    project.ok(*arguments)
    (path,) = set(project.versions.glob("*.py")) - before
    return path


def lint(project: Project, path: Path, dialect: str) -> set[str]:
    result = subprocess.run(
        [str(GUARDRAILS), "lint", str(path), "--dialect", dialect, "--format", "json"],
        cwd=project.directory,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return {finding["rule"] for finding in json.loads(result.stdout)}


def columns(engine) -> set[str]:
    engine.dispose()
    return {column["name"] for column in inspect(engine).get_columns("ret_users")}


def test_retire_then_drop_post_deploy(alembic_engine, tmp_path):
    engine = alembic_engine
    backend = engine.dialect.name
    project = guarded_project(tmp_path / "project", url_of(engine))
    project.models(MODELS.format(extra=NICKNAME))
    project.migrate("users")
    with engine.begin() as connection:
        connection.execute(sql_text("INSERT INTO ret_users (id, name, nickname) VALUES (1, 'Ada', 'a')"))

    # 1. Retired: no drop, NOT NULL lifted, no drift; the new code inserts without it.
    project.models(MODELS.format(extra=RETIRED))
    retiring = written(project, "revision", "--autogenerate", "-m", "retire nickname")
    upgrade = retiring.read_text().split("def downgrade")[0]
    assert "drop_column" not in upgrade and "nullable=True" in upgrade, upgrade
    project.ok("upgrade", "head")
    assert "No new upgrade operations detected" in project.ok("check").stdout
    with engine.begin() as connection:
        connection.execute(sql_text("INSERT INTO ret_users (id, name) VALUES (2, 'Bob')"))

    # 2. The drop, post-deploy, with no override; and a later ordinary revision on top of it.
    dropping = written(project, "-x", "post_deploy=true", "revision", "--autogenerate", "-m", "drop nickname")
    source = dropping.read_text()
    assert "\npost_deploy = True\n" in source and re.search(
        r"drop_column\(('ret_users', )?'nickname'\)", source
    ), source
    assert "drop-column" not in lint(project, dropping, backend)
    plain = dropping.with_name("plain_drop.py")
    plain.write_text(source.replace("\npost_deploy = True\n", "\n"))
    assert "drop-column" in lint(project, plain, backend)
    plain.unlink()
    project.ok("upgrade", "head")  # a developer's machine: everything
    project.models(MODELS.format(extra=NOTE))
    later = written(project, "revision", "--autogenerate", "-m", "note")
    project.ok("upgrade", "head")
    assert "No new upgrade operations detected" in project.ok("check").stdout

    # 3. A deploy: the pre phase holds the post-deploy revision and the one built on it back.
    retiring_id = retiring.name.split("_")[0]
    project.ok("downgrade", retiring_id)
    pre = project.ok("-x", "phase=pre", "upgrade", "head")
    held = f"{dropping.name.split('_')[0]}, {later.name.split('_')[0]}"
    assert text("post_deploy_held", count=2, revisions=held) in pre.stderr, pre.stderr
    assert project.ok("current").stdout.split()[0] == retiring_id
    assert "nickname" in columns(engine)
    project.ok("-x", "phase=post", "upgrade", "head")
    assert project.ok("current").stdout.split()[0] == later.name.split("_")[0]
    assert columns(engine) == {"id", "name", "note"}
    assert "No new upgrade operations detected" in project.ok("check").stdout
    project.ok("downgrade", "-2")
    assert "nickname" in columns(engine)
    project.ok("upgrade", "head")
    with engine.connect() as connection:
        assert connection.execute(sql_text("SELECT id, name FROM ret_users ORDER BY id")).all() == [
            (1, "Ada"),
            (2, "Bob"),
        ]


def test_a_template_without_the_marker_is_refused(alembic_engine, tmp_path):
    project = Project(tmp_path / "project", url_of(alembic_engine))
    mako = project.directory / "migrations" / "script.py.mako"
    mako.write_text(
        mako.read_text()
        .split("%>", 1)[1]
        .replace("% if post_deploy_requested(config):\npost_deploy = True\n% endif\n", "")
    )
    project.models(MODELS.format(extra=NICKNAME))
    refused = project.alembic("-x", "post_deploy=true", "revision", "--autogenerate", "-m", "users")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "Traceback" not in output, output
    assert text("post_deploy_template", template=mako) in output, output
    assert not list(project.versions.glob("*.py"))


def test_a_hand_written_revision_is_marked_too(alembic_engine, tmp_path):
    project = Project(tmp_path / "project", url_of(alembic_engine))
    project.models(MODELS.format(extra=NICKNAME))
    path = written(project, "-x", "post_deploy=true", "revision", "-m", "contract by hand")
    assert "\npost_deploy = True\n" in path.read_text()

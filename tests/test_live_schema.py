"""Changing a live schema in a bake, as its README says: retire a column, deploy, drop it post-deploy.

Through the bake's own `alembic` and `alembic-guardrails lint` (the pre-commit hook's check), on
seeded rows, on each database: the retiring revision drops nothing and `alembic check` is clean;
the post-deploy drop is written without an override and lints clean; `-x phase=pre` holds it back
while the readiness check passes, `-x phase=post` applies it.
"""

from baked import BIN
from safety import execute, query

NICKNAME = "    name: Mapped[str] = mapped_column(String(50))\n"
WITH_NICKNAME = NICKNAME + "    nickname: Mapped[str] = mapped_column(String(20), server_default='')\n"
RETIRED = '    __tablename__ = "users"\n    __table_args__ = retire("nickname")\n'


def revision_written(project, env, *arguments: str):
    before = set(project.versions())
    project.alembic(*arguments, env=env)
    (path,) = set(project.versions()) - before
    return path


def test_retire_a_column_then_drop_it_after_the_deploy(database, bake):
    backend, url = database
    project = bake(database=backend)
    env = {"DATABASE_URL": url}
    models = f"{project.context['package_name']}/models.py"
    project.alembic("upgrade", "head", env=env)
    project.edit(models, NICKNAME, WITH_NICKNAME)
    revision_written(project, env, "revision", "--autogenerate", "-m", "add nickname")
    project.alembic("upgrade", "head", env=env)
    project.alembic("-x", "phase=pre", "current", "--check-heads", env=env)
    execute(url, "INSERT INTO users (id, name, nickname) VALUES (1, 'Ada', 'a'), (2, 'Bob', 'b')")

    # Retired: the attribute goes, the table says so; nothing to drop, nothing drifts.
    project.edit(models, WITH_NICKNAME, NICKNAME)
    project.edit(models, '    __tablename__ = "users"\n', RETIRED)
    project.edit(
        models,
        "from .schema import metadata",
        "from alembic_guardrails import retire\n\nfrom .schema import metadata",
    )
    # The column has a server default: the new code's INSERTs need nothing, so there is nothing to write.
    retiring = project.alembic("revision", "--autogenerate", "-m", "retire nickname", env=env, check=False)
    assert retiring.returncode != 0 and "No schema change detected" in retiring.stderr, retiring.stderr
    assert "No new upgrade operations detected" in project.alembic("check", env=env).stdout

    # After the deploy: the drop, post-deploy, written and linted without an override.
    dropping = revision_written(
        project, env, "-x", "post_deploy=true", "revision", "--autogenerate", "-m", "drop nickname"
    )
    assert "\npost_deploy = True\n" in dropping.read_text()
    linted = project.run(
        str(BIN / "alembic-guardrails"), "lint", str(dropping), "--dialect", backend, env=env
    )
    assert linted.returncode == 0 and "drop-column" not in linted.stdout, linted.stdout + linted.stderr

    pre = project.alembic("-x", "phase=pre", "upgrade", "heads", env=env)
    assert "held back 1 post-deploy revision(s)" in pre.stderr, pre.stderr
    project.alembic("-x", "phase=pre", "current", "--check-heads", env=env)
    assert project.alembic("current", "--check-heads", env=env, check=False).returncode != 0
    project.alembic("-x", "phase=post", "upgrade", "heads", env=env)
    project.alembic("current", "--check-heads", env=env)
    assert "No new upgrade operations detected" in project.alembic("check", env=env).stdout
    assert query(url, "SELECT id, name FROM users ORDER BY id") == [(1, "Ada"), (2, "Bob")]

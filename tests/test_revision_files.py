"""Revision files as a user writes them: named by their revision id, with the imports they need.

`alembic revision -m` (what the README recommends for data migrations) must keep the
template's `from alembic import op` / `import sqlalchemy as sa` although the fresh file
does not use them yet: the second tutorial's demo-data code is pasted into it next.
"""

import re

from sqlalchemy import create_engine, text

from baked import BIN

# The second tutorial's demo-data revision body, as a learner pastes it (single quotes and
# all: `ruff format` tidies it, as the README says).
TUTORIAL_UPGRADE = """\
    context = op.get_context()
    env = context.opts.get('env', 'dev')
    if env == 'prod':
        # skip demo data in production
        return
    conn = op.get_bind()
    conn.execute(sa.text("INSERT INTO users (name) VALUES ('demo')"))
"""
TUTORIAL_DOWNGRADE = """\
    op.execute(sa.text("DELETE FROM users WHERE name = 'demo'"))
"""
EMPTY_BODY = '    """{which} schema."""\n    pass\n'


def test_a_hand_written_revision_keeps_its_imports_and_runs_pasted_tutorial_code(bake, tmp_path):
    project = bake()
    url = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
    env = {"DATABASE_URL": url}
    project.alembic("upgrade", "head", env=env)
    output = project.alembic("revision", "-m", "backfill names", env=env).stdout
    (path,) = [p for p in project.versions() if p.name.endswith("_backfill_names.py")]
    source = path.read_text()
    assert "from alembic import op\n" in source
    assert "import sqlalchemy as sa\n" in source
    # The revision id is in the file name: what `history` prints is what the file is called.
    revision = re.search(r'^revision: str = "(\w+)"', source, re.MULTILINE).group(1)
    assert re.fullmatch(rf"\d{{8}}_\d{{4}}_{revision}_backfill_names\.py", path.name), path.name
    assert revision in output or path.name in output
    # A fresh, still-empty revision passes the project's lint as it is.
    project.ruff()

    for which, body in (("Upgrade", TUTORIAL_UPGRADE), ("Downgrade", TUTORIAL_DOWNGRADE)):
        project.edit(path.relative_to(project.path).as_posix(), EMPTY_BODY.format(which=which), body)
    project.alembic("upgrade", "head", env=env)
    assert names(url) == ["demo"]
    assert f"{revision} (head)" in project.alembic("current", env=env).stdout
    project.alembic("downgrade", "-1", env=env)
    assert names(url) == []

    # README: format pasted code, then the lint session passes.
    project.run(str(BIN / "ruff"), "format", "alembic/versions", check=True)
    project.run(str(BIN / "nox"), "--no-color", "-s", "lint", check=True, timeout=600)


def names(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(text("SELECT name FROM users ORDER BY name")))
    finally:
        engine.dispose()


def test_shipped_revision_files_are_named_by_their_revision_id(bake):
    project = bake(with_examples=True)
    for path in project.versions():
        revision = re.search(r'^revision: str = "(\w+)"', path.read_text(), re.MULTILINE).group(1)
        assert f"_{revision}_" in path.name, path.name

"""`nox -s squawk`: each revision's SQL, rendered on its own, linted by squawk.

The shipped revisions and the online rewrites pass; a hand-written dangerous
revision fails with squawk's message and its file; squawk_ignore() before the
statement takes a deliberate exception; the plain forms the rewrites replace
fail, each statement reported once; what the guards accept (a VARCHAR made
longer or TEXT, a DateTime column) passes while a type change that rewrites
the table is reported once; squawk is the version the project pins; a project
baked for another database skips the session.
"""

import re

from test_nox_sessions import nox
from test_online_ddl import autogenerate, prepared_project

from safety import write_revision

LAST_EXAMPLE = "b6c8d0e2f430"  # the examples' backfill_user_status revision
DANGEROUS = """
{ignore_index}op.create_index("ix_users_name", "users", ["name"])
{ignore_drop}op.drop_column("users", "status")
"""


def squawk(project, check: bool = True):
    result = nox(project, "squawk", check=check)
    return result.stdout + result.stderr


def test_shipped_revisions_pass_and_a_dangerous_one_fails_unless_excepted(bake):
    project = bake(database="postgresql", with_examples=True)
    assert "Found 0 issues in 4 files" in squawk(project)  # one file per shipped revision
    path = write_revision(
        project,
        "danger001",
        LAST_EXAMPLE,
        DANGEROUS.format(ignore_index="", ignore_drop=""),
        imports="\nfrom alembic_guardrails.helpers import squawk_ignore\n",
    )

    failed = nox(project, "squawk", check=False)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "005_danger001.sql" in output
    assert "require-concurrent-index-creation" in output and "ban-drop-column" in output

    path.write_text(
        path.read_text()
        .replace(
            '    op.create_index("ix',
            '    squawk_ignore("require-concurrent-index-creation")\n    op.create_index("ix',
        )
        .replace(
            '    op.drop_column("users", "status")',
            '    squawk_ignore("ban-drop-column")\n    op.drop_column("users", "status")',
        )
    )
    assert "Found 0 issues in 5 files" in squawk(project)


def test_the_online_rewrites_pass_and_the_plain_forms_fail(postgresql_url, bake):
    project, env = prepared_project(bake, "postgresql", postgresql_url)
    written = autogenerate(project, env)
    assert "autocommit_block" in written
    assert "Found 0 issues in 3 files" in squawk(project)

    # The same model change, written without the rewrites.
    (revision,) = [path for path in project.versions() if path.name.endswith("online_changes.py")]
    revision.unlink()
    project.edit("alembic.ini", "postgresql_safe_ddl = true", "postgresql_safe_ddl = false")
    autogenerate(project, env)
    output = squawk(project, check=False)
    for rule in (
        "require-concurrent-index-creation",
        "adding-foreign-key-constraint",
        "adding-not-nullable-field",
        "disallowed-unique-constraint",
    ):
        assert rule in output, rule
    # Reported once: the foreign key and the unique constraint are not constraint-missing-not-valid too.
    assert "constraint-missing-not-valid" not in output
    assert "Found 4 issues in 1 file" in output


# The guards accept these (no review point): PostgreSQL rewrites nothing for them.
ACCEPTED = """
    bio: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[int | None] = mapped_column(Integer)
    created: Mapped[datetime.datetime | None] = mapped_column(DateTime)
"""


def pinned_squawk(project) -> str:
    (version,) = re.findall(r'"squawk-cli==([\d.]+)"', (project.path / "pyproject.toml").read_text())
    return version


def test_what_the_guards_accept_passes_and_a_rewriting_type_change_is_reported_once(postgresql_url, bake):
    project = bake(database="postgresql")
    env = {"DATABASE_URL": postgresql_url}
    models = f"{project.context['package_name']}/models.py"
    project.alembic("upgrade", "head", env=env)
    # README section 4's kind of change: the name made longer, columns added.
    project.edit(
        models,
        "from sqlalchemy import String",
        "import datetime\n\nfrom sqlalchemy import DateTime, Integer, String",
    )
    project.edit(models, "String(50))\n", "String(100))\n" + ACCEPTED)
    widened = project.alembic("revision", "--autogenerate", "-m", "widen name", env=env)
    assert "Review:" not in widened.stdout and "op.alter_column(" in project.versions()[-1].read_text()
    output = squawk(project)
    assert "Found 0 issues in 2 files" in output
    # The version the project pins, not whatever squawk release is newest.
    version = project.run(str(project.path / ".nox" / "squawk" / "bin" / "squawk"), "--version", check=True)
    assert version.stdout.split() == ["squawk", pinned_squawk(project)]

    # bio made TEXT (accepted), score made BIGINT (rewrites the table: a review point).
    project.alembic("upgrade", "head", env=env)
    project.edit(models, "mapped_column(String(200))", "mapped_column(Text)")
    project.edit(models, "mapped_column(Integer)", "mapped_column(BigInteger)")
    project.edit(
        models, "from sqlalchemy import DateTime", "from sqlalchemy import BigInteger, DateTime, Text"
    )
    retyped = project.alembic("revision", "--autogenerate", "-m", "retype", env=env)
    assert re.findall(r"Review: .*", retyped.stdout) == [
        "Review: users.score: type INTEGER -> BIGINT rewrites the whole table under an exclusive lock "
        "on PostgreSQL [type-change-rewrites-table]"
    ]
    failed = nox(project, "squawk", check=False)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "Found 1 issue in 1 file" in output and "changing-column-type" in output
    assert "ALTER TABLE users ALTER COLUMN score TYPE BIGINT" in output
    (sql,) = (project.path / "build" / "squawk").glob("003_*.sql")
    text = sql.read_text()
    assert "-- squawk-ignore changing-column-type\nALTER TABLE users ALTER COLUMN bio TYPE TEXT;" in text
    assert "\n\nALTER TABLE users ALTER COLUMN score TYPE BIGINT;" in text  # no ignore above it

    # The guards' own check says the same, once.
    guards = nox(project, "guardrails")
    assert (guards.stdout + guards.stderr).count("[type-change-rewrites-table]") == 1


def test_projects_for_other_databases_skip_it(bake):
    project = bake(database="mysql")
    assert "squawk lints PostgreSQL SQL; this project was baked for mysql" in squawk(project)
    assert "squawk-cli" not in (project.path / "pyproject.toml").read_text()

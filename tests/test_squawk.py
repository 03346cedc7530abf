"""`nox -s squawk`: each revision's SQL, rendered on its own, linted by squawk.

The shipped revisions and the online rewrites pass; a hand-written dangerous
revision fails with squawk's message and its file; squawk_ignore() before the
statement takes a deliberate exception; the plain forms the rewrites replace
fail; a project baked for another database skips the session.
"""

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


def test_projects_for_other_databases_skip_it(bake):
    project = bake(database="mysql")
    assert "squawk lints PostgreSQL SQL; this project was baked for mysql" in squawk(project)

"""Review points through the real CLI: allowed changes that still deserve a second look.

A dropped index and a dropped unique constraint are written (they lose no
data) but each is named on a `Review:` line, on SQLite and PostgreSQL. (A NOT
NULL column added to an existing table is refused: tests/corpus.py.)
"""

import pytest

MODEL_END = "String(50))\n"
INDEXED = (
    "    code: Mapped[str | None] = mapped_column(String(20), unique=True)\n"
    "    note: Mapped[str | None] = mapped_column(String(20), index=True)\n"
)
PLAIN = (
    "    code: Mapped[str | None] = mapped_column(String(20))\n"
    "    note: Mapped[str | None] = mapped_column(String(20))\n"
)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_review_points_are_printed_for_each_allowed_risky_operation(request, bake, tmp_path, backend):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    else:
        url = request.getfixturevalue("postgresql_url")
    project = bake(database=backend)
    env = {"DATABASE_URL": url}
    models = f"{project.context['package_name']}/models.py"
    project.edit(models, MODEL_END, MODEL_END + INDEXED)
    project.alembic("upgrade", "head", env=env)
    project.alembic("revision", "--autogenerate", "-m", "code and note", env=env)
    project.alembic("upgrade", "head", env=env)

    project.edit(models, INDEXED, PLAIN)
    before = project.versions()
    result = project.alembic("revision", "--autogenerate", "-m", "plain columns", env=env)
    assert len(project.versions()) == len(before) + 1, "review points do not refuse"
    reviews = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("Review:")]
    # The index goes CONCURRENTLY on PostgreSQL (online DDL), at once on SQLite: no lock to review.
    assert sorted(reviews) == ["Review: users: drop unique uq_users_code [drop-constraint]"]

"""mypy --strict passes on the package of every bake combination (what `nox -s typecheck` runs).

The package's code depends on database, use_async and with_examples (models);
docs_language changes one string constant, so one Chinese bake stands for it.
"""

import itertools

import pytest

from baked import BIN

COMBINATIONS = [
    {"database": database, "use_async": use_async, "with_examples": examples}
    for database, use_async, examples in itertools.product(
        ["sqlite", "postgresql", "mysql"], [False, True], [False, True]
    )
] + [{"docs_language": "zh", "database": "mysql", "use_async": True}]


@pytest.mark.parametrize("answers", COMBINATIONS, ids=lambda answers: "-".join(map(str, answers.values())))
def test_package_passes_mypy_strict(bake, answers, tmp_path_factory):
    project = bake(**answers)
    # One cache per test worker: SQLAlchemy's and Alembic's types are analysed once, not per bake.
    cache = tmp_path_factory.getbasetemp() / "mypy-cache"
    result = project.run(str(BIN / "mypy"), "--cache-dir", str(cache), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
    assert f"in {len(list(project.package.rglob('*.py')))} source files" in result.stdout, (
        "mypy skipped files"
    )

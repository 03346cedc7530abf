"""The baked project bounds Alembic and SQLAlchemy to what this suite has run on.

This suite installs the newest Alembic and SQLAlchemy its requirements allow. When
a release lands outside the baked range, this test fails: run `nox -s newest`,
and move the bound in the baked pyproject.toml deliberately.
"""

import tomllib
from importlib.metadata import version

import pytest
from packaging.requirements import Requirement


@pytest.mark.parametrize("use_async", [False, True])
def test_baked_bounds_hold_the_tested_versions(bake, use_async):
    project = bake(use_async=use_async)
    dependencies = tomllib.loads((project.path / "pyproject.toml").read_text())["project"]["dependencies"]
    requirements = [Requirement(line) for line in dependencies]
    for name in ("alembic", "sqlalchemy"):
        (found,) = {str(r.specifier) for r in requirements if r.name == name}
        specifier = next(r.specifier for r in requirements if r.name == name)
        assert any(spec.operator == "<" for spec in specifier), f"{name} {found}: no upper bound"
        tested = version(name)
        assert specifier.contains(tested), (
            f"this suite runs {name} {tested}, outside the baked range {found}: "
            "run `nox -s newest`, then move the bound in the baked pyproject.toml"
        )

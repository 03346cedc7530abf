"""The template's own checks. `nox` runs them all; `nox -s tests -- -k tutorial` narrows.

Server tests read TEST_POSTGRES_URL and TEST_MYSQL_URL; without them they skip
(and under CI=true they fail). `.ci/run` sets both for the local servers.
"""

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "tests"]


@nox.session
def tests(session: nox.Session) -> None:
    """Bake every choice and run the baked projects' own checks, in parallel."""
    session.install("-r", "tests/requirements.txt")
    session.run("pytest", "-n", "auto", "--dist", "loadgroup", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff over the template's own code (the baked project lints itself in tests)."""
    session.install("ruff")
    # Named paths: ruff cannot read the baked project's pyproject.toml before rendering.
    paths = ["hooks", "tests", "benchmarks", "copier_support", "noxfile.py"]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session
def newest(session: nox.Session) -> None:
    """The migration tests on the newest Alembic and SQLAlchemy, pre-releases too, beyond the baked bounds.

    Not in the default run: a scheduled/manual CI job. When it passes on a release outside the
    baked pyproject.toml's range, move the bound there (tests/test_dependency_range.py then
    agrees again); when it fails, the bound keeps projects off that release.
    """
    session.install("-r", "tests/requirements.txt")
    if session.venv_backend == "uv":
        session.install("--upgrade", "--prerelease=allow", "alembic", "sqlalchemy")
    else:
        session.install("--upgrade", "--pre", "alembic", "sqlalchemy")
    session.run(
        "python",
        "-c",
        "import alembic, sqlalchemy; print('alembic', alembic.__version__, 'sqlalchemy', sqlalchemy.__version__)",
    )
    tests = [
        "tests/test_tutorial.py",
        "tests/test_examples.py",
        "tests/test_bake.py",
        "tests/test_guards_cli.py",
    ]
    session.run("pytest", "-n", "auto", "--dist", "loadgroup", *tests, *session.posargs)

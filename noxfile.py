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
